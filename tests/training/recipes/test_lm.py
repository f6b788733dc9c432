"""The language-model recipe: perplexity, and progress once per epoch."""

import csv
import json
import math

import numpy as np
import pytest

from seqkit.models.lm.settings import LMConfig
from seqkit.training.recipes.lm import BPTTRunner, train_language_model
from tests.models.lm.tiny import WORDS, tiny_lm, write_snippet_corpus


def test_perplexity_of_a_known_distribution():
    """An LM that always predicts p scores exp(cross-entropy) exactly."""
    model = tiny_lm(tie_weights=False)
    vocabulary = len(WORDS) + 2
    p = np.random.default_rng(0).dirichlet(np.ones(vocabulary))
    kernel, _ = model.output_layer.get_weights()
    model.output_layer.set_weights([np.zeros_like(kernel), np.log(p)])
    model.compile(optimizer="adam")
    rng = np.random.default_rng(1)
    docs = [
        rng.integers(2, vocabulary, size=n).astype("int32") for n in (9, 30, 4)
    ]
    runner = BPTTRunner(model, clipnorm=1.0)
    loss, tokens, _ = runner.epoch(docs, 2, 5, None, training=False)
    targets = np.concatenate([d[1:] for d in docs])
    expected = -np.mean(np.log(p[targets]))
    assert tokens == len(targets)
    assert loss == pytest.approx(expected, rel=1e-5)
    assert math.exp(loss) == pytest.approx(math.exp(expected), rel=1e-4)


def test_progress_is_called_once_per_epoch_with_its_numbers(tmp_path):
    write_snippet_corpus(tmp_path, train=60, valid=20, per_document=10)
    config = LMConfig(
        corpus=[str(tmp_path / "train.txt")],
        valid=str(tmp_path / "valid.txt"),
        embedding_dim=4,
        units=4,
        bptt=8,
        batch_size=4,
        epochs=2,
        patience=5,
    )
    calls = []
    train_language_model(
        config,
        tmp_path / "run",
        verbose=0,
        progress=lambda epoch, logs: calls.append((epoch, logs)),
    )
    history = json.loads((tmp_path / "run" / "history.json").read_text())
    # Each epoch: once as it starts (no logs), once as it ends (its logs).
    assert [(epoch, logs is None) for epoch, logs in calls] == [
        (1, True),
        (1, False),
        (2, True),
        (2, False),
    ]
    ended = [(epoch, logs) for epoch, logs in calls if logs is not None]
    for (epoch, logs), row in zip(ended, history, strict=True):
        assert row == {"epoch": epoch, **logs}
        assert logs["perplexity"] == pytest.approx(math.exp(logs["loss"]))


def _lines(count):
    from tests.conftest import ROOT

    with open(
        ROOT / "data" / "rt-snippets" / "train.csv", encoding="utf-8"
    ) as handle:
        texts = [" ".join(r["text"].split()) for r in csv.DictReader(handle)]
    return texts[:count]


def _held(tmp_path, text, **settings):
    from seqkit.training.recipes.lm import read_lm_data

    path = tmp_path / "corpus.txt"
    path.write_text(text, encoding="utf-8")
    config = LMConfig(corpus=[str(path)], **settings)
    return read_lm_data(config)


def test_without_valid_whole_documents_are_held_out(tmp_path):
    lines = _lines(300)
    documents = [lines[i : i + 10] for i in range(0, 300, 10)]
    text = "\n\n".join("\n".join(d) for d in documents) + "\n"
    data, held = _held(tmp_path, text)
    assert held["unit"] == "documents" and "reason" not in held
    assert (len(data["train"]), len(data["valid"])) == (27, 3)
    assert all(d in documents for d in data["valid"] + data["train"])
    assert held["counts"] == {"train": 27, "valid": 3}
    assert [documents[i] for i in held["rows"]] == data["valid"]
    again, same = _held(tmp_path, text)
    assert again == data and same == held


def test_a_corpus_of_one_line_per_text_makes_each_line_a_document(tmp_path):
    lines = _lines(100)
    # A retweet: the same words in other case and punctuation.
    lines.append(lines[0].upper() + " !!")
    data, held = _held(tmp_path, "\n".join(lines) + "\n", valid_fraction=0.2)
    assert held["unit"] == "lines as documents"
    assert "no blank line separates documents" in held["reason"]
    assert all(len(d) == 1 for d in data["train"] + data["valid"])
    assert len(data["valid"]) in (20, 21) and sum(
        map(len, data["train"] + data["valid"])
    ) == len(lines)
    valid = {d[0] for d in data["valid"]}
    assert (lines[0] in valid) == (lines[-1] in valid)


def test_few_long_documents_hold_out_lines_of_each(tmp_path):
    lines = _lines(90)
    text = "\n\n".join("\n".join(lines[i : i + 30]) for i in range(0, 90, 30))
    data, held = _held(tmp_path, text + "\n")
    assert held["unit"] == "lines"
    assert "3 document(s), too few" in held["reason"]
    assert held["counts"] == {"train": 81, "valid": 9}
    assert len(data["train"]) == 3
    kept = [line for d in data["train"] for line in d]
    assert sorted(kept + [line for d in data["valid"] for line in d]) == (
        sorted(lines)
    )


def test_too_little_text_is_one_clear_error(tmp_path):
    with pytest.raises(ValueError, match="give --valid FILE"):
        _held(tmp_path, "one line\nanother line\n")


def test_the_default_model_reads_both_directions():
    assert LMConfig(corpus=["c.txt"]).directions == "both"
