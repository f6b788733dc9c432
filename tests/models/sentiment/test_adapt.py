"""Settings the training data decides, and the user's choices winning."""

import csv
import json

import numpy as np
import pytest
from click.testing import CliRunner

from seqkit.models.sentiment import SentimentConfig, adapt
from seqkit.preprocessing import WordTokenizer


def _tokenizer_for(strip):
    return WordTokenizer(strip_markup=strip)


def _adapt(texts, labels=None, **settings):
    labels = labels if labels is not None else ["a", "b"] * (len(texts) // 2)
    return adapt.adapt_settings(
        SentimentConfig(**settings), texts, labels, _tokenizer_for
    )


def _texts(lengths, seed=0):
    rng = np.random.default_rng(seed)
    words = [f"w{i}" for i in range(300)]
    return [" ".join(rng.choice(words, n)) for n in lengths]


def test_long_texts_are_kept_whole():
    lengths = list(range(100, 400)) * 2  # a mean of 250 tokens
    config, reasons = _adapt(_texts(lengths))
    assert config.max_length == 399
    assert "cuts 0" in reasons["max_length"]


def test_long_texts_are_cut_to_the_mean_budget():
    lengths = [1500] * 100 + [100] * 100  # a mean of 500 even at the cap
    config, reasons = _adapt(_texts(lengths))
    assert config.max_length < adapt.MAX_LENGTH_CAP
    read = adapt.tokens_read(np.array(lengths), config.max_length)
    budget = adapt.MEAN_TOKENS_CAP * len(lengths)
    assert read <= budget
    # The largest length within the budget, give or take one 10% step.
    assert read > 0.85 * budget
    assert "average at most 300" in reasons["max_length"]


def _marked(where, count=100, length=60, seed=0):
    """`count` texts of `length` filler tokens with a label word ("good"
    or "bad") that only one `keep` choice keeps (see below)."""
    rng = np.random.default_rng(seed)
    texts, labels = [], []
    for i in range(count):
        label = ["good", "bad"][i % 2]
        words = list(rng.choice([f"w{j}" for j in range(2000)], length))
        # Cut to 20 tokens: `start` keeps tokens 0-19, `end` 40-59 and
        # `start+end` 0-4 and 45-59.
        if where == "start":
            words[10] = label
        elif where == "end":
            words[42] = label
        else:  # half the texts at their first token, half at their last
            words[0 if (i // 2) % 2 else -1] = label
        texts.append(" ".join(words))
        labels.append(label)
    return texts, labels


@pytest.mark.parametrize(
    "where,keep", [("start", "start"), ("end", "end"), ("both", "start+end")]
)
def test_cut_texts_keep_what_classifies_best(where, keep):
    texts, labels = _marked(where)
    config, reasons = _adapt(texts, labels, max_length=20)
    assert config.keep == keep
    scores = adapt.keep_scores(texts, labels, _tokenizer_for(False), 20)
    assert scores[keep] >= 0.9
    # The other choices lose the label word of every text, or of half.
    assert sorted(scores.values())[1] <= 0.8
    assert reasons["keep"].startswith(
        "100 of 100 training texts are longer than 20 tokens: each keeps "
    )
    assert f"{keep} {scores[keep]:.4f}" in reasons["keep"]


def test_uncut_texts_keep_their_start_and_a_choice_given_wins():
    config, reasons = _adapt(_texts(list(range(100, 400)) * 2))
    assert config.keep == "start"
    assert reasons["keep"].startswith("no training text is longer than 399")
    texts, labels = _marked("end")
    config, reasons = _adapt(texts, labels, max_length=20, keep="start")
    assert config.keep == "start" and "keep" not in reasons
    # Too few texts of a class to cross-validate: both ends are kept.
    config, reasons = _adapt(texts[:6], labels[:6], max_length=20)
    assert config.keep == "start+end"
    assert "too few texts of each class" in reasons["keep"]


def test_many_short_texts_are_never_cut_for_their_number():
    # 45,000 tweets of up to 30 tokens: 675,000 tokens an epoch, all kept.
    lengths = np.array([10, 15, 20, 30] * 11_250)
    length, reason = adapt._max_length(lengths)
    assert length == 30 and "cuts 0" in reason


def test_html_is_stripped_when_the_data_carries_it():
    texts = ["Great fun.<br /><br />Loved it", "Dull <i>and</i> long"] * 10
    config, reasons = _adapt(texts)
    assert config.strip_html is True
    assert "<br />" in reasons["strip_html"]
    config, _ = _adapt(["Great fun. Loved it", "a < b > c"] * 10)
    assert config.strip_html is False


def test_explicit_choices_win():
    texts = ["Great fun.<br />Loved it", "Dull and long"] * 10
    config, reasons = _adapt(
        texts, max_length=7, strip_html=False, epochs=3, selection="macro_f1"
    )
    assert (config.max_length, config.strip_html, config.epochs) == (
        7,
        False,
        3,
    )
    assert config.selection == "macro_f1"
    assert not {"max_length", "strip_html", "epochs", "selection"} & set(
        reasons
    )
    assert config.adapted == reasons


@pytest.mark.parametrize(
    "count, epochs", [(200, 40), (10_201, 21), (200_000, 10)]
)
def test_epochs_follow_the_data_size(count, epochs):
    found = adapt._epochs(count, 64)
    assert found[0] == epochs
    assert found[1] == (4 if epochs <= 25 else 6)


def test_vocabulary_keeps_every_word_until_the_cap():
    from collections import Counter

    small = Counter({f"w{i}": 1 for i in range(100)})
    assert adapt._vocabulary(small)[:2] == (1, adapt.VOCABULARY_CAP)
    large = Counter({f"w{i}": 1 + i % 2 for i in range(60_000)})
    min_count, _, reason = adapt._vocabulary(large)
    assert min_count == 2 and "30,000" in reason


def test_the_vocabulary_reason_names_the_users_cap():
    texts = [f"w{i} w{i} v{i}" for i in range(30)]
    config, reasons = _adapt(texts, max_vocab=20)
    assert (config.max_vocab, config.min_count) == (20, 2)
    assert "more than 20:" in reasons["min_count"]
    assert "50,000" not in reasons["min_count"]
    assert "max_vocab" not in reasons


def test_selection_uses_macro_f1_for_skewed_or_many_classes():
    assert adapt._selection(["a", "b"] * 10)[0] == "accuracy"
    assert adapt._selection(["a"] * 7 + ["b"] * 3)[0] == "macro_f1"
    assert adapt._selection(["a", "b", "c"] * 5)[0] == "macro_f1"


def test_the_run_records_adapted_settings_and_strips_html(tmp_path):
    from seqkit.cli import cli
    from seqkit.runs import load_run

    rows = {
        "train": [
            ("A superb<br /><br />film", "pos"),
            ("A tedious<br />mess", "neg"),
        ]
        * 12,
        "valid": [("superb", "pos"), ("tedious", "neg")] * 3,
        "test": [("superb<br />", "pos"), ("tedious", "neg")] * 3,
    }
    paths = {}
    for split, found in rows.items():
        paths[split] = tmp_path / f"{split}.csv"
        with open(paths[split], "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["text", "label"])
            writer.writerows(found)
    args = ["train", "sentiment", "--preset", "tiny", "--quiet"]
    for split, path in paths.items():
        args += [f"--{split}", str(path)]
    result = CliRunner().invoke(
        cli, [*args, "--max-length", "6", "--out", str(tmp_path / "run")]
    )
    assert result.exit_code == 0, result.output
    config = json.loads((tmp_path / "run" / "config.json").read_text())
    assert config["strip_html"] is True
    assert config["max_length"] == 6  # the option wins
    assert "max_length" not in config["adapted"]
    assert "<br />" in config["adapted"]["strip_html"]
    # No text is longer than the 6 tokens given: a longer one keeps its
    # start, and the vectorizer is built with that choice.
    assert config["keep"] == "start"
    assert "longer than 6 tokens" in config["adapted"]["keep"]
    model = load_run(tmp_path / "run")
    assert model.vectorizer.keep == "start"
    ids = np.asarray(model.vectorizer(np.array(["superb<br />film"])))
    words = model.vectorizer.get_vocabulary()
    assert [words[i] for i in ids[0] if i] == ["superb", "film"]
    result = CliRunner().invoke(
        cli, [*args, "--no-strip-html", "--out", str(tmp_path / "run2")]
    )
    assert result.exit_code == 0, result.output
    config = json.loads((tmp_path / "run2" / "config.json").read_text())
    assert config["strip_html"] is False
    # Read as it is, "a superb<br /><br />film" is 11 tokens.
    assert config["max_length"] == 11


def test_long_epochs_get_fewer_of_them():
    # 1,200 reviews of ~330 tokens: 400,000 tokens an epoch.
    epochs, patience, reason = adapt._epochs(1200, 64, 400_000)
    assert epochs == adapt.TOKENS_BUDGET // 400_000 == 11
    assert patience == 4 and "400,000 tokens" in reason
    # Short texts keep the step budget.
    assert adapt._epochs(1200, 64, 30_000)[0] == 40
