"""The metrics a run is selected and scored by.

A selection (`--selection`, the validation metric that picks what a run
chooses on validation) or a metric of `seqkit evaluate --metric` is one
of:

- `accuracy`;
- `macro_f1`: the F1 score of every class, averaged;
- `macro_recall`: the recall of every class, averaged (TweetEval's
  official metric for sentiment);

(the two macro averages are over the classes that occur in the labels or
the predictions, as scikit-learn and TweetEval's script compute them);
- `f1:NAME[,NAME...]`: the F1 score of the named classes, averaged (the
  official metric of TweetEval irony is `f1:irony`, of stance
  `f1:against,favor`).

`check_selection` checks the spelling (the settings call it, before any
data is read); `selection_scorer` resolves the class names against a
run's classes and returns the scoring function.
"""

import numpy as np

PLAIN = ("accuracy", "macro_f1", "macro_recall")


def check_selection(value, source="selection"):
    """Raises ValueError unless `value` is None or a selection's spelling.

    Args:
        value: the setting's value.
        source: where it came from, for the message (`config: selection`).
    """
    if value is None or value in PLAIN:
        return
    if isinstance(value, str) and value.startswith("f1:"):
        names = value[3:].split(",")
        if all(name.strip() for name in names):
            return
    raise ValueError(
        f"{source}: expected accuracy, macro_f1, macro_recall or "
        "f1:CLASS[,CLASS...] "
        f"(the F1 score of those classes, averaged); received {value!r}"
    )


def selection_classes(selection):
    """The class names an `f1:` selection names (None for the others)."""
    if selection is None or selection in PLAIN:
        return None
    return [name.strip() for name in selection[3:].split(",")]


def _counts(labels, predicted, size):
    """Per class: true positives, false positives, false negatives, and
    which classes occur in the labels or the predictions."""
    labels = np.asarray(labels, dtype=np.int64).ravel()
    predicted = np.asarray(predicted, dtype=np.int64).ravel()
    if labels.shape != predicted.shape:
        raise ValueError(
            f"{labels.size} labels against {predicted.size} predictions"
        )
    if labels.size:
        size = max(size, int(labels.max()) + 1, int(predicted.max()) + 1)
    matrix = np.bincount(labels * size + predicted, minlength=size * size)
    matrix = matrix.reshape(size, size)
    true_positive = np.diag(matrix).astype(np.float64)
    false_positive = matrix.sum(0) - true_positive
    false_negative = matrix.sum(1) - true_positive
    present = (matrix.sum(0) + matrix.sum(1)) > 0
    return true_positive, false_positive, false_negative, present


def _ratio(numerator, denominator):
    """numerator / denominator, 0 where the denominator is 0 (scikit-
    learn's `zero_division=0`)."""
    safe = np.where(denominator > 0, denominator, 1.0)
    return np.where(denominator > 0, numerator / safe, 0.0)


def _f1(true_positive, false_positive, false_negative):
    return _ratio(
        2 * true_positive, 2 * true_positive + false_positive + false_negative
    )


def selection_scorer(selection, class_names):
    """`(label indices, predicted indices) -> score` for `selection`.

    The scores are scikit-learn's (`accuracy_score`, `f1_score`,
    `recall_score` with the averages above and `zero_division=0`), worked
    out from one confusion matrix in NumPy: the mix's offset search scores
    thousands of candidate predictions, and scikit-learn's checks cost a
    few milliseconds a call (tests/models/test_selection.py compares the
    two).

    Args:
        selection: a checked selection (see the module's docstring).
        class_names: the run's classes, in index order.

    Raises:
        ValueError: an `f1:` selection names a class the run does not have.
    """
    check_selection(selection)
    names = list(class_names)
    size = len(names)
    if selection == "accuracy":

        def accuracy(labels, predicted):
            labels = np.asarray(labels).ravel()
            predicted = np.asarray(predicted).ravel()
            return float(np.mean(labels == predicted)) if labels.size else 0.0

        return accuracy
    if selection == "macro_f1":

        def macro_f1(labels, predicted):
            tp, fp, fn, present = _counts(labels, predicted, size)
            if not present.any():
                return 0.0
            return float(np.mean(_f1(tp, fp, fn)[present]))

        return macro_f1
    if selection == "macro_recall":

        def macro_recall(labels, predicted):
            tp, _, fn, present = _counts(labels, predicted, size)
            if not present.any():
                return 0.0
            return float(np.mean(_ratio(tp, tp + fn)[present]))

        return macro_recall
    wanted = selection_classes(selection)
    missing = [name for name in wanted if name not in names]
    if missing:
        raise ValueError(
            f"selection {selection!r}: no class {', '.join(missing)} "
            f"among the run's classes ({', '.join(names)})"
        )
    indices = [names.index(name) for name in wanted]

    def named_f1(labels, predicted):
        tp, fp, fn, _ = _counts(labels, predicted, size)
        return float(np.mean(_f1(tp, fp, fn)[indices]))

    return named_f1
