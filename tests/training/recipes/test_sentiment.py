"""Training a sentiment run end to end on tiny data, and resuming it."""

import csv
import json

import keras
import numpy as np
import pytest

from seqkit.models.predict import evaluate_run, predict_texts
from seqkit.models.sentiment import PRESETS, SentimentConfig
from seqkit.runs import load_run
from seqkit.training import ensemble as members
from seqkit.training.recipes import sentiment as tc


def _config(paths, **overrides):
    values = {
        **PRESETS["tiny"],
        "train": paths["train"],
        "valid": paths["valid"],
        "test": paths["test"],
        "text_column": "review",
        "label_column": "verdict",
        "epochs": 3,
        "patience": 10,
        **overrides,
    }
    return SentimentConfig.from_dict(values)


def test_run_folder_holds_everything(tiny_split, tmp_path):
    out = tmp_path / "run"
    metrics = tc.train_text_classifier(_config(tiny_split), out, verbose=0)
    for name in (
        "model.keras",
        "config.json",
        "metrics.json",
        "history.json",
        "data.json",
    ):
        assert (out / name).is_file(), name
    saved = json.loads((out / "metrics.json").read_text())
    assert saved["valid"]["n"] == 16 and saved["test"]["n"] == 16
    for split in ("valid", "test"):
        # The figures agree; whether they show learning is for
        # tests/training/test_learning.py (3 epochs of 48 texts do not).
        matrix = np.asarray(saved[split]["confusion_matrix"])
        assert matrix.sum() == 16
        assert saved[split]["accuracy"] == pytest.approx(np.trace(matrix) / 16)
        assert set(saved[split]["per_class"]) == {"thumbs down", "thumbs up"}
    assert saved == json.loads(json.dumps(metrics))
    history = json.loads((out / "history.json").read_text())
    assert [row["epoch"] for row in history] == [1, 2, 3]
    config = json.loads((out / "config.json").read_text())
    assert config["label_column"] == "verdict"

    # The run folder alone predicts on raw text, and agrees with metrics.
    model = load_run(out)
    assert model.class_names == ["thumbs down", "thumbs up"]
    again = evaluate_run(out, tiny_split["test"], "review", "verdict")
    assert again["accuracy"] == pytest.approx(saved["test"]["accuracy"])
    results = predict_texts(model, ["a gem", ""], top_k=1)
    assert results[0]["label"] in model.class_names
    assert sum(results[0]["probabilities"].values()) == pytest.approx(1, 1e-5)
    assert len(results[1]["top_k"]) == 1


def test_the_best_epoch_by_validation_macro_f1(tiny_split, tmp_path):
    from sklearn.metrics import f1_score

    out = tmp_path / "run"
    config = _config(
        tiny_split, epochs=4, monitor="val_macro_f1", ensemble=1, ngram=False
    )
    tc.train_text_classifier(config, out, verbose=0)
    history = json.loads((out / "history.json").read_text())
    scores = [row["val_macro_f1"] for row in history]
    assert len(scores) == 4
    # The model kept is the epoch of the best logged macro-F1 (the first
    # of equals), and that figure is sklearn's on the validation split.
    model = load_run(out)
    texts, labels = [], []
    with open(tiny_split["valid"], encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            texts.append(row["review"])
            labels.append(model.class_names.index(row["verdict"]))
    predicted = [
        model.class_names.index(r["label"])
        for r in predict_texts(model, texts, top_k=1)
    ]
    found = f1_score(labels, predicted, average="macro")
    assert found == pytest.approx(max(scores), abs=1e-6)
    with pytest.raises(ValueError, match="monitor must be one of"):
        _config(tiny_split, monitor="val_f1")


def test_training_is_deterministic(tiny_split, tmp_path):
    first = tc.train_text_classifier(
        _config(tiny_split, epochs=2), tmp_path / "a", verbose=0
    )
    second = tc.train_text_classifier(
        _config(tiny_split, epochs=2), tmp_path / "b", verbose=0
    )
    assert (
        first["test"]["confusion_matrix"]
        == (second["test"]["confusion_matrix"])
    )
    a = load_run(tmp_path / "a").get_weights()
    b = load_run(tmp_path / "b").get_weights()
    for x, y in zip(a, b):
        np.testing.assert_allclose(x, y, atol=1e-6)


class _Interrupt(keras.callbacks.Callback):
    """Stops training in the middle of an epoch, like Ctrl-C or a kill."""

    def __init__(self, epoch, batch):
        super().__init__()
        self.epoch, self.batch, self.current = epoch, batch, 0

    def on_epoch_begin(self, epoch, logs=None):
        self.current = epoch

    def on_train_batch_end(self, batch, logs=None):
        # Keras reports the last batch of each group of
        # `members.STEPS_PER_EXECUTION`, so `batch` may jump past the mark.
        if self.current == self.epoch and batch >= self.batch:
            raise KeyboardInterrupt


def test_interrupted_run_resumes_and_finishes(
    tiny_split, tmp_path, monkeypatch
):
    out = tmp_path / "run"
    config = _config(tiny_split, epochs=4)
    original = members.fit

    def interrupted(*args, **kwargs):
        return original(
            *args, callbacks=[_Interrupt(epoch=2, batch=1)], **kwargs
        )

    monkeypatch.setattr(members, "fit", interrupted)
    monkeypatch.setattr(members, "STEPS_PER_EXECUTION", 1)
    with pytest.raises(KeyboardInterrupt):
        tc.train_text_classifier(config, out, verbose=0)
    assert not (out / "metrics.json").exists()
    checkpoints = out / "checkpoints" / "member_0"
    assert (checkpoints / "best.json").exists()
    latest = json.loads((checkpoints / "last" / "latest.json").read_text())
    assert latest["epoch"] == 2
    monkeypatch.setattr(members, "fit", original)

    with pytest.raises(ValueError, match="not empty"):
        tc.train_text_classifier(config, out, verbose=0)
    tc.train_text_classifier(config, out, resume=True, verbose=0)
    history = json.loads((out / "history.json").read_text())
    # Epochs 1-2 ran before the interruption, 3-4 after: none twice.
    assert [row["epoch"] for row in history] == [1, 2, 3, 4]
    with pytest.raises(ValueError, match="already finished"):
        tc.train_text_classifier(config, out, resume=True, verbose=0)


def test_resume_refuses_changed_settings(tiny_split, tmp_path):
    out = tmp_path / "run"
    (out).mkdir()
    (out / "config.json").write_text(json.dumps(_config(tiny_split).to_dict()))
    with pytest.raises(ValueError, match="units"):
        tc.train_text_classifier(
            _config(tiny_split, units=5), out, resume=True, verbose=0
        )
    with pytest.raises(ValueError, match="no run to resume"):
        tc.train_text_classifier(
            _config(tiny_split), tmp_path / "none", resume=True, verbose=0
        )


def test_ensemble_averages_its_members(tiny_split, tmp_path):
    out = tmp_path / "run"
    tc.train_text_classifier(
        _config(tiny_split, epochs=1, ensemble=2, pooling="attention"),
        out,
        verbose=0,
    )
    model = load_run(out)
    assert len(model.members) == 2
    texts = np.array(["a gem of a film", "dull"], dtype=object)
    both = [m.predict(texts, verbose=0)["probabilities"] for m in model.members]
    np.testing.assert_allclose(
        model.predict(texts, verbose=0)["probabilities"],
        (both[0] + both[1]) / 2,
        atol=1e-6,
    )
    assert not np.allclose(both[0], both[1])  # different seeds
    result = predict_texts(model, ["a gem of a film"], attention=True)[0]
    assert [w for w, _ in result["attention"]] == [
        "a",
        "gem",
        "of",
        "a",
        "film",
    ]
    assert sum(a for _, a in result["attention"]) == pytest.approx(1, 1e-4)


def test_class_weights_balance_the_classes():
    weights = members._class_weights(np.array([0, 0, 0, 1]), 2)
    assert weights[1] == pytest.approx(3 * weights[0])
    assert weights[0] * 3 + weights[1] == pytest.approx(4)


def test_bad_settings_name_the_field(tiny_split):
    with pytest.raises(ValueError, match="units"):
        _config(tiny_split, units=0)
    with pytest.raises(ValueError, match="unknown setting"):
        SentimentConfig.from_dict({"unit": 3})
    with pytest.raises(ValueError, match="dropout"):
        _config(tiny_split, dropout=1.0)


def test_epoch_checkpoint_restores_weights_and_optimizer(tmp_path):
    from seqkit.training.callbacks import EpochCheckpoint

    def model():
        keras.utils.set_random_seed(1)
        m = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
        m.compile(optimizer="adam", loss="mse")
        return m

    x = np.random.default_rng(0).normal(size=(8, 3)).astype("float32")
    y = np.zeros((8, 2), "float32")
    first = model()
    checkpoint = EpochCheckpoint(str(tmp_path))
    first.fit(x, y, epochs=2, batch_size=4, verbose=0, callbacks=[checkpoint])
    second = model()
    assert EpochCheckpoint(str(tmp_path)).restore(second) == 2
    for a, b in zip(first.get_weights(), second.get_weights()):
        np.testing.assert_array_equal(a, b)
    for a, b in zip(first.optimizer.variables, second.optimizer.variables):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    assert int(second.optimizer.iterations) == 4
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "epoch-2",
        "latest.json",
    ]


def test_vocabulary_extended_with_pretrained_words(tiny_split, tmp_path):
    from seqkit.data import load_splits
    from seqkit.preprocessing import Vocabulary, WordVectors

    vocabulary = Vocabulary(["film", "good"], counts={"film": 3, "good": 2})
    vectors = WordVectors(
        ["the", "film", "superb", "dreadful", "rare"],
        np.eye(5, dtype="float32"),
        1.0,
    )
    extended = tc.extend_vocabulary(vocabulary, vectors, count=4)
    # training words keep their ids; new words follow, in vector order
    assert extended.words == ["film", "good", "the", "superb", "dreadful"]
    assert extended.counts["film"] == 3

    vector_file = tmp_path / "vectors.txt"
    vector_file.write_text("unseenword 1 0\nthe 0 1\n", encoding="utf-8")
    config = _config(
        tiny_split, embeddings=str(vector_file), pretrained_words=2
    )
    splits = load_splits(
        config.train,
        config.valid,
        config.test,
        text_column="review",
        label_column="verdict",
    )
    vectorizer, matrix, _ = tc.prepare_inputs(config, splits)
    ids = np.asarray(vectorizer(np.array(["unseenword"], dtype=object)))
    assert ids[0, 0] > 1  # not the unknown id
    np.testing.assert_allclose(matrix[ids[0, 0]], [1.0, 0.0])


def test_member_overrides_make_different_members(tiny_split, tmp_path):
    config = _config(
        tiny_split,
        epochs=1,
        ensemble=3,
        member_overrides=[{}, {"cell": "gru", "static_channel": True}],
    )
    assert [config.member(i).cell for i in range(3)] == [
        config.cell,
        "gru",
        config.cell,
    ]
    out = tmp_path / "run"
    tc.train_text_classifier(config, out, verbose=0)
    model = load_run(out)
    cells = [m.backbone.cell for m in model.members]
    assert cells == [config.cell, "gru", config.cell]
    assert [m.backbone.static_channel for m in model.members] == [
        False,
        True,
        False,
    ]
    saved = json.loads((out / "config.json").read_text())
    assert saved["member_overrides"][1] == {
        "cell": "gru",
        "static_channel": True,
    }


def test_member_overrides_may_not_touch_the_data(tiny_split):
    with pytest.raises(ValueError, match="member_overrides may set only"):
        _config(tiny_split, member_overrides=[{"max_vocab": 10}])
    with pytest.raises(ValueError, match="units"):
        _config(tiny_split, member_overrides=[{"units": -1}])


def test_large_bidirectional_ensembles_load_back(tmp_path):
    """Six two-layer bidirectional members survive repeated loads.

    The first default run's model failed to load in some processes:
    keras.layers.Bidirectional, rebuilt inside load_model, received its
    forward layer as the backward one (Keras shares objects by Python id,
    and ids of freed objects come back). Whether it happens depends on
    memory addresses, so this test cannot force it; RecurrentStack no
    longer uses that wrapper (`BidirectionalRNN`), and the test below
    checks that too."""
    from seqkit.models import EnsembleClassifier
    from seqkit.models.sentiment import build_classifier
    from seqkit.preprocessing import TextVectorizer

    config = SentimentConfig(
        units=2, embedding_dim=3, embeddings=None, layers=2, bidirectional=True
    )
    vectorizer = TextVectorizer(["good", "bad", "film"])
    members = [
        build_classifier(config, vectorizer, ["a", "b"], name=f"m{i}")
        for i in range(6)
    ]
    model = EnsembleClassifier(members)
    model.save(tmp_path / "model.keras")
    texts = np.array(["good film", "bad"], dtype=object)
    expected = model.predict(texts, verbose=0)["probabilities"]
    for _ in range(2):
        loaded = keras.saving.load_model(tmp_path / "model.keras")
        np.testing.assert_allclose(
            loaded.predict(texts, verbose=0)["probabilities"],
            expected,
            atol=1e-6,
        )


def test_stacks_hold_no_keras_bidirectional_wrapper():
    from seqkit.layers import RecurrentStack
    from seqkit.layers.rnn.stack import BidirectionalRNN

    stack = RecurrentStack("lstm", 2, num_layers=2, bidirectional=True)
    assert all(isinstance(r, BidirectionalRNN) for r in stack.rnn_layers)
    assert not any(
        isinstance(r, keras.layers.Bidirectional) for r in stack.rnn_layers
    )


def test_every_batch_trains_once_an_epoch(tiny_split, tmp_path, monkeypatch):
    # Batches run `STEPS_PER_EXECUTION` to a call of the train step; an
    # epoch must still take each batch of the bucketed dataset once.
    from seqkit.data.pipelines import bucketed_dataset

    steps = []

    class Count(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            steps.append(int(self.model.optimizer.iterations.numpy()))

    original = members.fit

    def counted(*args, **kwargs):
        return original(*args, callbacks=[Count()], **kwargs)

    monkeypatch.setattr(members, "fit", counted)
    monkeypatch.setattr(members, "STEPS_PER_EXECUTION", 5)
    config = _config(tiny_split, epochs=2, batch_size=4)
    tc.train_text_classifier(config, tmp_path / "run", verbose=0)
    splits, _ = tc._read_data(config)
    vectorizer, _, _ = tc.prepare_inputs(config, splits)
    ids = tc.encode(vectorizer, splits.train.texts)
    batches = len(list(bucketed_dataset(ids, np.zeros(len(ids)), 4)))
    assert batches % 5  # a last group shorter than STEPS_PER_EXECUTION
    assert steps == [batches, 2 * batches]
