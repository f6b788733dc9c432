"""The language model as users run it: pretrain lm -> generate -> transfer.

The corpus is real text: the bundled Rotten Tomatoes training snippets,
20 to a document.
"""

import json

import keras
import numpy as np
import pytest
from click.testing import CliRunner

from seqkit.cli import cli
from tests.conftest import train_args, write_tiny_split
from tests.models.lm.tiny import write_snippet_corpus


def _invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def _pretrain(folder, *extra, name="lm", epochs=2, quiet=True):
    return _invoke(
        "pretrain",
        "lm",
        "--corpus",
        folder / "train.txt",
        "--valid",
        folder / "valid.txt",
        "--units",
        8,
        "--embedding-dim",
        8,
        "--bptt",
        12,
        "--batch-size",
        8,
        "--epochs",
        epochs,
        "--learning-rate",
        0.01,
        *(["--quiet"] if quiet else []),
        *extra,
        "--out",
        folder / name,
    )


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("lm")
    write_snippet_corpus(folder, train=600, valid=100)
    return folder


@pytest.fixture(scope="module")
def pretrained(corpus):
    result = _pretrain(corpus, "--directions", "both", epochs=3)
    assert result.exit_code == 0, result.output
    return corpus / "lm", json.loads(result.output.strip().splitlines()[-1])


def test_pretraining_learns_and_writes_the_run(pretrained):
    run, summary = pretrained
    for name in ("model.keras", "config.json", "metrics.json", "history.json"):
        assert (run / name).is_file(), name
    history = json.loads((run / "history.json").read_text())
    assert [row["epoch"] for row in history] == [1, 2, 3]
    assert history[-1]["perplexity"] < history[0]["perplexity"]
    metrics = summary["valid"]
    vocabulary = json.loads((run / "data.json").read_text())["vocabulary"]
    # Far better than uniform over the vocabulary. (A unigram model does as
    # well; tests/training/test_learning.py asks a model to beat that.)
    assert metrics["perplexity"] < vocabulary / 3
    assert set(metrics["forward"]) == {"n", "loss", "perplexity"}
    assert metrics["forward"]["n"] == metrics["backward"]["n"] == metrics["n"]


def test_progress_goes_to_stderr_and_stdout_stays_json(corpus):
    result = _pretrain(corpus, name="shown", epochs=1, quiet=False)
    assert result.exit_code == 0, result.output
    assert "epoch 1: perplexity" in result.stderr
    summary = json.loads(result.stdout)
    assert summary["run"] == str(corpus / "shown")


def test_resume_continues_after_the_last_epoch(corpus, monkeypatch):
    from seqkit.training.recipes import lm

    original = lm.BPTTRunner.epoch
    calls = []

    def interrupted(self, streams, batch_size, bptt, order, training, **kw):
        calls.append(training)
        # Epoch 1 trains and validates; the training pass of epoch 2 is
        # killed.
        if calls.count(True) == 2:
            raise KeyboardInterrupt
        return original(self, streams, batch_size, bptt, order, training, **kw)

    monkeypatch.setattr(lm.BPTTRunner, "epoch", interrupted)
    result = _pretrain(corpus, name="resumed", epochs=3)
    assert result.exit_code != 0
    latest = json.loads(
        (corpus / "resumed/checkpoints/last/latest.json").read_text()
    )
    assert latest["epoch"] == 1
    monkeypatch.setattr(lm.BPTTRunner, "epoch", original)
    result = _pretrain(corpus, "--resume", name="resumed", epochs=3)
    assert result.exit_code == 0, result.output
    history = json.loads((corpus / "resumed/history.json").read_text())
    assert [row["epoch"] for row in history] == [1, 2, 3]
    assert history[0] == latest["history"][0]


def test_generate_greedy_sampling_and_beams(pretrained):
    run, _ = pretrained
    result = _invoke(
        "generate", run, "--prompt", "a funny", "--prompt", "", "--beam", 3
    )
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.strip().splitlines()]
    assert [line["prompt"] for line in lines] == ["a funny", ""]
    for line in lines:
        scores = [beam["score"] for beam in line["beams"]]
        assert 1 <= len(scores) <= 3
        assert line["text"].startswith(line["prompt"])
        assert "[UNK]" not in line["text"]
    greedy = _invoke("generate", run, "--prompt", "the film", "--beam", 1)
    plain = _invoke("generate", run, "--prompt", "the film")
    assert json.loads(greedy.output)["text"] == json.loads(plain.output)["text"]
    first = _invoke(
        "generate", run, "--prompt", "the", "--top-k", 5, "--seed", 3
    )
    again = _invoke(
        "generate", run, "--prompt", "the", "--top-k", 5, "--seed", 3
    )
    assert first.output == again.output


def _forced(run, word_id):
    """The run's LM, made to always predict `word_id`."""
    from seqkit.models.lm.transfer import load_language_model

    model = load_language_model(run)
    bias = np.full(model.vocabulary_size, -50.0, dtype="float32")
    bias[word_id] = 50.0
    model.output_bias.assign(bias)
    return model


def test_generation_stops_at_the_end_token_and_at_max_tokens(pretrained):
    from seqkit.models.lm import EOS_ID, generate

    run, _ = pretrained
    ended = generate(_forced(run, EOS_ID), ["a good film"], max_tokens=7)[0]
    assert ended.finished and ended.tokens == []
    assert ended.text == "a good film"
    word = 5
    endless = _forced(run, word)
    for options in ({}, {"beam": 2}, {"temperature": 1.0, "seed": 0}):
        found = generate(endless, ["a good film"], max_tokens=7, **options)[0]
        assert not found.finished and len(found.tokens) == 7
        assert set(found.tokens) == {endless.vectorizer.get_vocabulary()[word]}


@pytest.fixture(scope="module")
def split(tmp_path_factory):
    return write_tiny_split(tmp_path_factory.mktemp("split"))


def test_transfer_copies_the_encoder_exactly(pretrained):
    from seqkit.models.lm.transfer import copy_lm_weights, lm_inputs
    from seqkit.models.sentiment import SentimentConfig, build_classifier

    run, _ = pretrained
    config = SentimentConfig(
        units=8, embedding_dim=8, layers=2, init_from=str(run)
    )
    vectorizer, matrix, lm = lm_inputs(config)
    assert vectorizer.get_vocabulary() == lm.vectorizer.get_vocabulary()
    assert vectorizer.max_length == config.max_length
    classifier = build_classifier(config, vectorizer, ["neg", "pos"], matrix)
    report = copy_lm_weights(lm, classifier.backbone)
    assert report["copied"] == {
        "forward_lstm_0": "forward_lstm_0",
        "backward_lstm_0": "backward_lstm_0",
    }
    # The second bidirectional layer reads both directions: fresh.
    assert report["fresh"] == ["forward_lstm_1", "backward_lstm_1"]
    np.testing.assert_array_equal(
        classifier.backbone.get_layer("embedding").get_weights()[0],
        lm.embedding.get_weights()[0],
    )
    layer = classifier.backbone.get_layer("rnn").rnn_layers[0]
    for target, direction in (
        (layer.forward_layer, "forward"),
        (layer.backward_layer, "backward"),
    ):
        for got, want in zip(
            target.get_weights(), lm.stacks[direction][0].get_weights()
        ):
            np.testing.assert_array_equal(got, want)
    # The copied backward layer reads a text as the backward LM does: its
    # states on "a b c" equal the LM's backward stack on "c b a".
    ids = np.array([[5, 9, 14]], dtype="int32")
    vectors = lm.embedding(ids)
    _, *lm_state = lm.stacks["backward"][0](
        vectors[:, ::-1], initial_state=lm.initial_states(1)[0]
    )
    clone = keras.layers.RNN(layer.backward_layer.cell, go_backwards=True)
    np.testing.assert_allclose(clone(vectors), lm_state[0], atol=1e-6)


def test_train_sentiment_init_from(pretrained, split, tmp_path):
    run, _ = pretrained
    args = train_args(split)
    result = _invoke(
        *args,
        "--init-from",
        run,
        "--init-method",
        "gradual",
        "--out",
        tmp_path / "clf",
    )
    assert result.exit_code == 0, result.output
    config = json.loads((tmp_path / "clf/config.json").read_text())
    assert config["init_from"] == str(run)
    assert (config["units"], config["embedding_dim"]) == (8, 8)
    info = json.loads((tmp_path / "clf/data.json").read_text())
    assert info["init_from"]["copied"]
    history = json.loads((tmp_path / "clf/history.json").read_text())
    steps = [row["step"] for row in history]
    # gradual: the head, then one more group at a time from the top.
    assert steps[0] == "head"
    assert steps[-1] == "embedding+bi_lstm_0+head"
    summary = json.loads(result.output.strip().splitlines()[-1])
    test = json.loads((tmp_path / "clf/metrics.json").read_text())["test"]
    assert summary["test"]["accuracy"] == test["accuracy"]
    right = np.trace(test["confusion_matrix"])
    assert test["accuracy"] == pytest.approx(right / test["n"])


def test_init_from_errors(pretrained, corpus, split, tmp_path):
    run, _ = pretrained
    args = train_args(split)
    result = _invoke(
        *args, "--init-from", run, "--units", 16, "--out", tmp_path / "a"
    )
    assert result.exit_code != 0
    assert "--units 16 conflicts" in result.output
    result = _invoke(*args, "--init-from", tmp_path, "--out", tmp_path / "b")
    assert result.exit_code != 0 and "not a finished run" in result.output
    forward = _pretrain(corpus, "--directions", "forward", name="forward_only")
    assert forward.exit_code == 0, forward.output
    result = _invoke(
        *args, "--init-from", corpus / "forward_only", "--out", tmp_path / "c"
    )
    assert result.exit_code != 0
    assert "needs a language model trained with --directions both" in (
        result.output
    )
    # An explicit option the LM contradicts is still refused, by name.
    result = _invoke(
        "train", "sentiment", "--init-from", run, "--cell", "gru",
        "--out", tmp_path / "d",
    )  # fmt: skip
    assert result.exit_code != 0
    assert "--cell gru conflicts with --init-from" in result.output
    assert "has cell lstm" in result.output
    assert "Traceback" not in result.output


@pytest.mark.large  # six default-sized members: a minute and a half
def test_the_default_lm_starts_the_default_classifier(corpus, split, tmp_path):
    """`pretrain lm` then `train sentiment --init-from` with neither's
    model options: both directions, an ensemble of LSTM members. (One
    epoch, one fine-tuning step and no n-gram side keep it short;
    the wiring of a small LM into a classifier is
    `test_train_sentiment_init_from`, and which member settings the LM
    cannot start `test_member_variations_the_lm_cannot_start_are_left_out`.)"""
    lm = _pretrain(corpus, name="default_lm", epochs=1)
    assert lm.exit_code == 0, lm.output
    assert (
        json.loads((corpus / "default_lm/config.json").read_text())[
            "directions"
        ]
        == "both"
    )
    out = tmp_path / "clf"
    result = _invoke(
        "train", "sentiment", "--train", split["train"],
        "--valid", split["valid"], "--test", split["test"],
        "--text-column", "review", "--label-column", "verdict",
        "--init-from", corpus / "default_lm", "--epochs", 1,
        "--init-method", "full", "--no-ngram", "--out", out,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "member settings left out: cell='gru', static_channel=True" in (
        result.stderr
    )
    config = json.loads((out / "config.json").read_text())
    assert config["ensemble"] == 6 and config["member_overrides"] == []
    assert (config["cell"], config["bidirectional"]) == ("lstm", True)
    transfer = json.loads((out / "data.json").read_text())["init_from"]
    assert len(transfer["members"]) == 6
    for member in transfer["members"]:
        assert set(member["copied"]) == {"forward_lstm_0", "backward_lstm_0"}


def test_member_variations_the_lm_cannot_start_are_left_out():
    from seqkit.models.lm.transfer import lm_member_overrides

    overrides = [
        {},
        {"cell": "gru"},
        {"static_channel": True},
        {"units": 4, "dropout": 0.1},
        {"static_channel": False, "pooling": "attention"},
    ]
    assert lm_member_overrides(overrides, "lm") == [
        {"dropout": 0.1},
        {"static_channel": False, "pooling": "attention"},
    ]


def test_a_pretrained_corpus_of_tweets_needs_no_valid_file(tmp_path):
    """One tweet per line, no blank lines: each line is a document, and a
    tenth of them is held out."""
    from tests.conftest import ROOT

    with open(
        ROOT / "data" / "vader-tweets" / "train.csv", encoding="utf-8"
    ) as handle:
        import csv

        tweets = [row["text"] for row in csv.DictReader(handle)][:300]
    path = tmp_path / "tweets.txt"
    path.write_text("\n".join(" ".join(t.split()) for t in tweets) + "\n")
    result = _invoke(
        "pretrain", "lm", "--corpus", path, "--tokenizer", "tweet",
        "--units", 8, "--embedding-dim", 8, "--bptt", 12, "--epochs", 1,
        "--out", tmp_path / "lm",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "each of its 300 lines is taken as a document" in result.stderr
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["valid"]["perplexity"] > 1
    data = json.loads((tmp_path / "lm/data.json").read_text())
    held = data["valid_held_out"]
    assert held["unit"] == "lines as documents"
    assert held["counts"] == {"train": 270, "valid": 30}
    assert data["valid"]["documents"] == 30


def test_only_the_members_in_use_must_keep_the_lm_architecture():
    from seqkit.models.sentiment import SentimentConfig

    overrides = [{}, {"cell": "gru"}]
    SentimentConfig.from_dict(
        {"init_from": "lm", "ensemble": 1, "member_overrides": overrides}
    )
    with pytest.raises(ValueError, match="ensemble member 1 sets cell"):
        SentimentConfig.from_dict(
            {"init_from": "lm", "ensemble": 2, "member_overrides": overrides}
        )


def test_pretrain_deepmoji_init_from(pretrained, split, tmp_path):
    run, _ = pretrained
    result = _invoke(
        "pretrain",
        "deepmoji",
        "--train",
        split["train"],
        "--valid",
        split["valid"],
        "--test",
        split["test"],
        "--text-column",
        "review",
        "--label-column",
        "verdict",
        "--epochs",
        1,
        "--init-from",
        run,
        "--init-method",
        "full",
        "--embeddings",
        "none",
        "--quiet",
        "--out",
        tmp_path / "deepmoji",
    )
    assert result.exit_code == 0, result.output
    info = json.loads((tmp_path / "deepmoji/data.json").read_text())
    # DeepMoji's two BiLSTM layers: the first from the LM, the second (it
    # reads both directions) fresh.
    assert set(info["init_from"]["copied"]) == {
        "forward_lstm_0",
        "backward_lstm_0",
    }
    assert info["init_from"]["fresh"] == ["forward_lstm_1", "backward_lstm_1"]
    config = json.loads((tmp_path / "deepmoji/config.json").read_text())
    assert config["tokenizer"] == "word"  # the LM's, not the preset's
