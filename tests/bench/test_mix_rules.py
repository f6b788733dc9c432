"""bench/mix_rules.py: the rules' held-out scores inside validation, on
probabilities whose answer is known."""

import sys

import numpy as np

from tests.data.shared import ROOT

sys.path.insert(0, str(ROOT / "bench"))

import mix_rules as bench  # noqa: E402


def _sides(seed, n=200):
    """Each side near 0.5 (a coin) on one half of the texts and sure of
    the right class on the other, the recurrent side on the first half."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(2, size=n)
    recurrent = rng.dirichlet(np.full(2, 20.0), size=n)
    recurrent[np.arange(n // 2), labels[: n // 2]] += 1.0
    ngram = rng.dirichlet(np.full(2, 20.0), size=n)
    ngram[np.arange(n // 2, n), labels[n // 2 :]] += 1.0
    norm = lambda p: p / p.sum(-1, keepdims=True)  # noqa: E731
    return labels, norm(recurrent), norm(ngram)


def test_a_side_alone_scores_what_scikit_learn_gives_on_each_held_half():
    from sklearn.metrics import accuracy_score

    from seqkit.training.ngram import _halves

    labels, recurrent, ngram = _sides(0)
    found = bench.held_out_scores(
        labels, recurrent, ngram, "accuracy", ["a", "b"], repeats=3, seed=4
    )
    assert all(len(v) == 6 for v in found.values())
    rng = np.random.default_rng(4)
    expected = []
    for _ in range(3):
        first, second = _halves(labels, rng)
        for held in (second, first):
            expected.append(
                accuracy_score(labels[held], ngram[held].argmax(-1))
            )
    assert found["ngram"] == expected


def test_when_both_sides_are_the_same_the_rules_agree():
    labels, recurrent, _ = _sides(1)
    found = bench.held_out_scores(
        labels, recurrent, recurrent, "accuracy", ["a", "b"], repeats=2
    )
    assert found["metric"] == found["log_loss"] == found["recurrent"]
    row = bench.summary(found)
    assert row["log_loss_minus_metric"] == {
        "mean": 0.0,
        "wins": 0,
        "ties": 4,
        "losses": 0,
    }
    # Macro-F1: both rules add the same class offsets to the same mix.
    found = bench.held_out_scores(
        labels, recurrent, recurrent, "macro_f1", ["a", "b"], repeats=2
    )
    assert found["metric"] == found["log_loss"]


def test_two_sides_right_on_different_halves_mix_better_than_either():
    labels, recurrent, ngram = _sides(2)
    row = bench.summary(
        bench.held_out_scores(
            labels, recurrent, ngram, "accuracy", ["a", "b"], repeats=3
        )
    )
    best_side = max(row["recurrent"]["mean"], row["ngram"]["mean"])
    assert row["log_loss"]["mean"] > best_side
    assert (
        row["log_loss_minus_metric"]["wins"]
        + row["log_loss_minus_metric"]["ties"]
        + row["log_loss_minus_metric"]["losses"]
        == 6
    )
