"""Each application's tiny model learns: it beats a baseline of its data.

The other tests of the tiny presets check the machinery (files, shapes,
agreements), and a model that stopped learning passes them all: it still
writes accuracies between 0 and 1. Here each application trains through
the command line on a slice of real data and must beat a baseline that
the test computes from that data (the majority class, a unigram language
model, the most frequent caption token) by a margin that a model left at
its initial weights or at a constant answer cannot reach. The options
given beside the tiny preset (or, for the language model and DeepMoji,
which have none, tiny sizes) add data, epochs or a larger learning rate:
what a tiny model needs to learn in a few seconds. Seeds are fixed, so
each run repeats exactly on one machine.

The margins catch a model that stopped learning, not one that learns a
little worse: a loss of a point or two (the ensemble members once shared
one dropout seed, which cost about a point) passes here. The large tests
and the benchmarks watch the full-size figures.
"""

import csv
import json
from collections import Counter

import numpy as np
from click.testing import CliRunner

from seqkit.cli import cli
from tests.cli.test_documents_cli import write_documents
from tests.conftest import ROOT
from tests.models.lm.tiny import write_snippet_corpus

RT_SNIPPETS = ROOT / "data" / "rt-snippets"
VADER_TWEETS = ROOT / "data" / "vader-tweets"


def _train(*args):
    """Runs a `seqkit` command (quiet); returns the run's metrics."""
    args = [str(a) for a in args]
    result = CliRunner().invoke(cli, [*args, "--quiet"])
    assert result.exit_code == 0, result.output
    run = args[args.index("--out") + 1]
    with open(f"{run}/metrics.json", encoding="utf-8") as handle:
        return json.load(handle)


def _column(path, column):
    with open(path, encoding="utf-8") as handle:
        return [row[column] for row in csv.DictReader(handle)]


def _first_rows(source, count, path):
    """Copies the header and the first `count` rows of a CSV to `path`."""
    with open(source, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = [row for _, row in zip(range(count), reader)]
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, reader.fieldnames)
        writer.writeheader()
        writer.writerows(rows)
    return path


def majority_accuracy(test, train=None):
    """The accuracy on the labels `test` of always answering the most
    common label of `train` (of `test` itself when not given)."""
    top, _ = Counter(test if train is None else train).most_common(1)[0]
    return test.count(top) / len(test)


def test_sentiment_beats_the_majority_class(tmp_path):
    # 3,000 training snippets (55% positive), the bundled valid and test.
    train = _first_rows(RT_SNIPPETS / "train.csv", 3000, tmp_path / "train.csv")
    test = RT_SNIPPETS / "test.csv"
    metrics = _train(
        "train", "sentiment", "--preset", "tiny",
        "--train", train, "--valid", RT_SNIPPETS / "valid.csv",
        "--test", test, "--epochs", 3, "--learning-rate", 0.005,
        "--out", tmp_path / "run",
    )  # fmt: skip
    baseline = majority_accuracy(
        _column(test, "label"), _column(train, "label")
    )
    # Measured: 0.719 against 0.578.
    accuracy = metrics["test"]["accuracy"]
    assert accuracy >= baseline + 0.10, (accuracy, baseline)


def test_documents_beat_the_majority_class(tmp_path):
    # Documents of three snippets, all positive or all negative, in turn.
    counts = (("train", 800), ("valid", 100), ("test", 120))
    paths = write_documents(tmp_path, counts, ("positive", "negative"))
    metrics = _train(
        "train", "documents", "--preset", "tiny",
        "--train", paths["train"], "--valid", paths["valid"],
        "--test", paths["test"], "--text-column", "body",
        "--label-column", "tone", "--batch-size", 16,
        "--learning-rate", 0.02, "--out", tmp_path / "run",
    )  # fmt: skip
    baseline = majority_accuracy(
        _column(paths["test"], "tone"), _column(paths["train"], "tone")
    )
    # Measured: 0.842 against 0.5.
    accuracy = metrics["test"]["accuracy"]
    assert accuracy >= baseline + 0.15, (accuracy, baseline)


def _targets(captions):
    """The tokens a caption decoder is scored on: the words, then [END]."""
    return [token for c in captions for token in (*c.split(), "[END]")]


def test_caption_beats_the_most_frequent_token(tmp_path):
    from seqkit.data import digits

    run = tmp_path / "run"
    metrics = _train(
        "train", "caption", "--preset", "tiny",
        "--canvases-per-epoch", 4096, "--epochs", 3,
        "--learning-rate", 0.01, "--out", run,
    )  # fmt: skip
    history = json.loads((run / "history.json").read_text())
    best = history[metrics["best_epoch"] - 1]
    valid = digits.digit_canvases(
        "valid", digits.VALID_CANVASES, seed=digits.VALID_SEED
    ).captions
    test = digits.digit_canvases(
        "test", digits.TEST_CANVASES, seed=digits.TEST_SEED
    ).captions
    # Teacher forcing, next token: [END] is the most frequent (0.280).
    # Measured: 0.496.
    token_baseline = majority_accuracy(_targets(valid))
    accuracy = best["val_sparse_categorical_accuracy"]
    assert accuracy >= token_baseline + 0.15, (accuracy, token_baseline)
    # Whole captions, decoded: one constant caption gets 0.036 right.
    # Measured: 0.168.
    caption_baseline = majority_accuracy(test)
    exact = metrics["test"]["exact_match"]
    assert exact >= caption_baseline + 0.08, (exact, caption_baseline)


def unigram_perplexity(run):
    """The validation perplexity of an add-one unigram model of the
    training tokens of a `pretrain lm` run, on the same token streams
    (vocabulary, unknown words, line ends) that its language model saw.

    Returns:
        `(perplexity, tokens)`: tokens counts the validation targets.
    """
    from seqkit.models.lm.settings import LMConfig
    from seqkit.training.recipes.lm import (
        build_vectorizer,
        encode_documents,
        read_lm_data,
    )

    config = LMConfig.from_dict(json.loads((run / "config.json").read_text()))
    data, _ = read_lm_data(config)
    vectorizer, vocabulary = build_vectorizer(config, data["train"])

    def targets(split):
        streams = encode_documents(vectorizer, vocabulary, data[split])
        return np.concatenate([ids[1:] for ids in streams])

    # Ids from 1 on ([UNK], [EOS], the words): padding is never a target.
    counts = np.bincount(targets("train"), minlength=len(vocabulary))[1:] + 1
    log_p = np.log(counts / counts.sum())
    valid = targets("valid")
    return float(np.exp(-log_p[valid - 1].mean())), len(valid)


def test_language_model_beats_a_unigram_model(tmp_path):
    # 2,000 training snippets and 200 validation ones, 20 to a document.
    write_snippet_corpus(tmp_path, train=2000, valid=200)
    run = tmp_path / "run"
    metrics = _train(
        "pretrain", "lm", "--corpus", tmp_path / "train.txt",
        "--valid", tmp_path / "valid.txt", "--units", 32,
        "--embedding-dim", 16, "--bptt", 20, "--batch-size", 16,
        "--epochs", 3, "--learning-rate", 0.01, "--out", run,
    )  # fmt: skip
    baseline, tokens = unigram_perplexity(run)
    data = json.loads((run / "data.json").read_text())
    assert tokens == data["valid"]["tokens"]  # the tokens the LM was scored on
    # Both directions (the default). Measured: 134 against 193.
    perplexity = metrics["valid"]["perplexity"]
    assert perplexity <= 0.8 * baseline, (perplexity, baseline)


def test_deepmoji_pretraining_beats_the_majority_class(tmp_path):
    # The DeepMoji architecture, tiny, on the bundled tweets' two classes.
    test = VADER_TWEETS / "test.csv"
    metrics = _train(
        "pretrain", "deepmoji", "--train", VADER_TWEETS / "train.csv",
        "--valid", VADER_TWEETS / "valid.csv", "--test", test,
        "--units", 8, "--embedding-dim", 16, "--embeddings", "none",
        "--epochs", 2,
        "--batch-size", 32, "--learning-rate", 0.01,
        "--out", tmp_path / "run",
    )  # fmt: skip
    baseline = majority_accuracy(
        _column(test, "label"), _column(VADER_TWEETS / "train.csv", "label")
    )
    # Measured: 0.872 against 0.694.
    accuracy = metrics["test"]["accuracy"]
    assert accuracy >= baseline + 0.10, (accuracy, baseline)
