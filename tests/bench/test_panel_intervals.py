"""bench/panel_intervals.py: the paired bootstrap of a panel margin, on
predictions whose answer is known."""

import sys

import numpy as np
import pytest

from tests.data.shared import ROOT

sys.path.insert(0, str(ROOT / "bench"))

import panel_intervals as bench  # noqa: E402

from seqkit.models.selection import selection_scorer  # noqa: E402


def _systems(seed=0, n=300):
    rng = np.random.default_rng(seed)
    labels = rng.integers(3, size=n)
    first = np.where(rng.random(n) < 0.9, labels, (labels + 1) % 3)
    second = np.where(rng.random(n) < 0.6, labels, (labels + 2) % 3)
    return labels, first, second


def test_accuracy_draws_are_the_mean_difference_of_right_answers():
    labels, first, second = _systems()
    scorer = selection_scorer("accuracy", ["a", "b", "c"])
    found = bench.bootstrap(labels, first, second, scorer, 50, seed=3)
    # Independently: the same draws, the difference of right answers.
    rng = np.random.default_rng(3)
    gain = (first == labels).astype(float) - (second == labels)
    expected = [gain[rng.integers(300, size=300)].mean() for _ in range(50)]
    np.testing.assert_allclose(found, expected, atol=1e-12)


def test_entry_counts_and_interval():
    labels, first, second = _systems()
    scorer = selection_scorer("macro_f1", ["a", "b", "c"])
    entry = bench.interval_entry(labels, first, second, scorer, 400)
    right_1, right_2 = first == labels, second == labels
    assert entry["only_seqkit_right"] == int(np.sum(right_1 & ~right_2))
    assert entry["only_baseline_right"] == int(np.sum(right_2 & ~right_1))
    margin = scorer(labels, first) - scorer(labels, second)
    assert entry["margin_points"] == round(100 * margin, 2)
    low, high = entry["interval_points"]
    assert low < entry["margin_points"] < high
    # 90% against 60% right on 300 texts: clearly ahead.
    assert low > 0 and entry["share_ahead"] == 1.0


def test_the_same_predictions_give_a_zero_interval():
    labels, first, _ = _systems()
    scorer = selection_scorer("accuracy", ["a", "b", "c"])
    entry = bench.interval_entry(labels, first, first.copy(), scorer, 100)
    assert entry["margin_points"] == 0
    assert entry["interval_points"] == [0, 0]
    assert entry["share_ahead"] == 0
    assert entry["only_seqkit_right"] == entry["only_baseline_right"] == 0


def test_a_score_that_differs_from_the_panels_stops():
    bench.check("rt-snippets", "seqkit", 0.8033, 0.8033)
    with pytest.raises(RuntimeError, match="rt-snippets: tfidf_svm scores"):
        bench.check("rt-snippets", "tfidf_svm", 0.7860, 0.7861)
