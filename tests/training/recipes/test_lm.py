"""The language-model recipe: perplexity, and progress once per epoch."""

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
