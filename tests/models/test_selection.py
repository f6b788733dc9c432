"""The selection scorers against scikit-learn's metrics."""

import numpy as np
import pytest
from sklearn.metrics import accuracy_score, f1_score, recall_score

from seqkit.models.selection import selection_scorer

NAMES = ["against", "favor", "none", "other"]


def _reference(selection, labels, predicted):
    if selection == "accuracy":
        return accuracy_score(labels, predicted)
    if selection == "macro_f1":
        return f1_score(labels, predicted, average="macro", zero_division=0)
    if selection == "macro_recall":
        return recall_score(labels, predicted, average="macro", zero_division=0)
    indices = [NAMES.index(n) for n in selection[3:].split(",")]
    found = f1_score(
        labels, predicted, labels=indices, average=None, zero_division=0
    )
    return float(np.mean(found))


def _cases():
    rng = np.random.default_rng(3)
    for size in (1, 2, 7, 50):
        for classes in (1, 2, 4):
            labels = rng.integers(classes, size=size)
            yield labels, rng.integers(classes, size=size)
            yield labels, np.zeros(size, dtype=int)  # one class predicted
            yield labels, labels  # all right
            # A class only among the predictions.
            yield labels, np.where(rng.random(size) < 0.3, 3, labels)


@pytest.mark.parametrize(
    "selection",
    ["accuracy", "macro_f1", "macro_recall", "f1:favor", "f1:against,favor",
     "f1:other"],
)  # fmt: skip
def test_scores_are_sklearns(selection):
    scorer = selection_scorer(selection, NAMES)
    checked = 0
    for labels, predicted in _cases():
        expected = _reference(selection, labels, predicted)
        assert scorer(labels, predicted) == pytest.approx(expected, abs=1e-12)
        checked += 1
    assert checked == 48


def test_a_worked_example():
    # labels 0 0 1 1 2, predicted 0 1 1 1 0: class 0 tp 1 fp 1 fn 1 (F1
    # 1/2), class 1 tp 2 fp 1 fn 0 (F1 4/5), class 2 tp 0 fn 1 (F1 0).
    labels, predicted = [0, 0, 1, 1, 2], [0, 1, 1, 1, 0]
    names = ["a", "b", "c"]
    assert selection_scorer("accuracy", names)(labels, predicted) == 0.6
    assert selection_scorer("macro_f1", names)(
        labels, predicted
    ) == pytest.approx((0.5 + 0.8 + 0) / 3)
    assert selection_scorer("macro_recall", names)(
        labels, predicted
    ) == pytest.approx((0.5 + 1 + 0) / 3)
    assert selection_scorer("f1:b,c", names)(labels, predicted) == 0.4


def test_lengths_must_agree():
    with pytest.raises(ValueError, match="3 labels against 2 predictions"):
        selection_scorer("macro_f1", ["a", "b"])([0, 1, 1], [0, 1])
