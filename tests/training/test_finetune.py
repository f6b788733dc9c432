"""Fine-tuning strategies: the steps, what trains at each, undoing a step
that makes things worse, and a real chain-thaw with Keras."""

import numpy as np
import pytest

from seqkit.data.pipelines import bucketed_dataset
from seqkit.models import RecurrentBackbone, TextClassifier
from seqkit.preprocessing import TextVectorizer
from seqkit.training.finetune import (
    STRATEGIES,
    finetune,
    keras_steps,
    step_epochs,
)

NAMES = ["embedding", "bi_lstm_0", "bi_lstm_1", "attention", "head"]


def _steps(method):
    return [(s.name, s.groups) for s in STRATEGIES[method](NAMES)]


def test_strategy_steps():
    assert _steps("last") == [("head", ["head"])]
    assert _steps("full") == _steps("new") == [("all", NAMES)]
    assert _steps("chain-thaw") == [
        ("head", ["head"]),
        ("embedding", ["embedding"]),
        ("bi_lstm_0", ["bi_lstm_0"]),
        ("bi_lstm_1", ["bi_lstm_1"]),
        ("attention", ["attention"]),
        ("all", NAMES),
    ]
    assert [groups for _, groups in _steps("gradual")] == [
        ["head"],
        ["attention", "head"],
        ["bi_lstm_1", "attention", "head"],
        ["bi_lstm_0", "bi_lstm_1", "attention", "head"],
        NAMES,
    ]


def test_new_gets_the_epochs_of_all_of_chain_thaws_steps():
    # Chain-thaw over DeepMoji's groups is 6 steps: the head, 4, all.
    assert step_epochs("new", NAMES, 10) == 60
    assert step_epochs("new", ["embedding", "head"], 3) == 9
    for method in ("last", "full", "chain-thaw", "gradual"):
        assert step_epochs(method, NAMES, 10) == 10


def _classifier(num_layers=2, pooling="attention"):
    backbone = RecurrentBackbone(
        vocabulary_size=8,
        embedding_dim=4,
        units=3,
        num_layers=num_layers,
        skip_connections=num_layers > 1,
        pooling=pooling,
        seed=1,
    )
    vectorizer = TextVectorizer(["good", "bad", "film", "plot", "fine", "dull"])
    classifier = TextClassifier(backbone, vectorizer, ["neg", "pos"], seed=1)
    model = classifier.ids_model()
    return classifier, model


def test_chain_thaw_trains_one_group_at_a_time():
    classifier, model = _classifier()
    groups = classifier.layer_groups()
    assert [name for name, _ in groups] == NAMES
    seen = []

    def train_step(number, step):
        seen.append(
            (
                [
                    n
                    for n, layers in groups
                    if all(layer.trainable for layer in layers)
                ],
                len(model.trainable_weights),
            )
        )
        return 1, 0.5

    report = finetune(model, groups, "chain-thaw", train_step, lambda: 0.6)
    sizes = {
        name: sum(len(layer.trainable_weights) for layer in layers)
        for name, layers in groups
    }
    assert [names for names, _ in seen] == [s.groups for s in report]
    for (_, count), step in zip(seen, report):
        assert count == sum(sizes[n] for n in step.groups)
    assert [r.step for r in report][-1] == "all"
    assert all(r.kept for r in report)
    # Everything is trainable again afterwards.
    assert len(model.trainable_weights) == sum(sizes.values())


def test_a_step_that_makes_things_worse_is_undone():
    classifier, model = _classifier()
    groups = classifier.layer_groups()
    before = [w.copy() for w in model.get_weights()]
    losses = iter([0.5, 0.5])

    def damaging_step(number, step):
        model.set_weights([w + 1.0 for w in model.get_weights()])
        return 2, 0.9 if step.name == "head" else 0.4

    report = finetune(
        model, groups, "gradual", damaging_step, lambda: next(losses, 0.45)
    )
    assert report[0].step == "head" and report[0].kept is False
    assert report[0].loss_before == 0.5 and report[0].best_loss == 0.9
    assert all(r.kept for r in report[1:])
    # The first step was undone, the 4 others kept: +1 each.
    for old, new in zip(before, model.get_weights()):
        np.testing.assert_allclose(new, old + 4.0, atol=1e-5)


def test_unknown_method_and_missing_head():
    classifier, model = _classifier()
    groups = classifier.layer_groups()
    with pytest.raises(ValueError, match="unknown fine-tuning method"):
        finetune(model, groups, "thaw", None, None)
    with pytest.raises(ValueError, match="must be the head"):
        finetune(model, groups[:-1], "full", None, None)


def test_keras_chain_thaw_freezes_what_a_step_does_not_train():
    # One layer and mean pooling: four steps (every fit traces Keras's
    # train and test functions again, most of this test's time).
    classifier, model = _classifier(num_layers=1, pooling="mean")
    groups = classifier.layer_groups()
    assert [name for name, _ in groups] == ["embedding", "bi_lstm_0", "head"]
    rng = np.random.default_rng(0)
    ids = [rng.integers(1, 8, rng.integers(2, 6)) for _ in range(48)]
    labels = np.array([int(6 in s or 7 in s) for s in ids])
    train = bucketed_dataset(ids[:32], labels[:32], 8, shuffle=True, seed=0)
    valid = bucketed_dataset(ids[32:], labels[32:], 16)
    train_step, evaluate = keras_steps(model, train, valid, 0.01, 2, 1)
    embedding = groups[0][1][0]
    head_weights = groups[-1][1][-1]

    changed = {}

    def watched(number, step):
        start = [embedding.get_weights()[0], head_weights.get_weights()[0]]
        result = train_step(number, step)
        end = [embedding.get_weights()[0], head_weights.get_weights()[0]]
        changed[step.name] = [
            not np.array_equal(a, b) for a, b in zip(start, end)
        ]
        return result

    report = finetune(model, groups, "chain-thaw", watched, evaluate)
    assert [step.step for step in report] == [
        "head",
        "embedding",
        "bi_lstm_0",
        "all",
    ]
    assert changed["head"] == [False, True]  # embedding frozen
    assert changed["embedding"] == [True, False]  # head frozen
    assert changed["bi_lstm_0"] == [False, False]
    for step in report:
        assert step.epochs >= 1
        assert np.isfinite(step.best_loss)
        assert step.kept == (step.best_loss <= step.loss_before)
