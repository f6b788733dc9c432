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


def selection_scorer(selection, class_names):
    """`(label indices, predicted indices) -> score` for `selection`.

    Args:
        selection: a checked selection (see the module's docstring).
        class_names: the run's classes, in index order.

    Raises:
        ValueError: an `f1:` selection names a class the run does not have.
    """
    from sklearn.metrics import accuracy_score, f1_score, recall_score

    check_selection(selection)
    if selection == "accuracy":
        return lambda labels, predicted: float(
            accuracy_score(labels, predicted)
        )
    if selection == "macro_f1":
        return lambda labels, predicted: float(
            f1_score(labels, predicted, average="macro")
        )
    names = list(class_names)
    if selection == "macro_recall":
        return lambda labels, predicted: float(
            recall_score(labels, predicted, average="macro", zero_division=0)
        )
    wanted = selection_classes(selection)
    missing = [name for name in wanted if name not in names]
    if missing:
        raise ValueError(
            f"selection {selection!r}: no class {', '.join(missing)} "
            f"among the run's classes ({', '.join(names)})"
        )
    indices = [names.index(name) for name in wanted]

    def scorer(labels, predicted):
        scores = f1_score(
            labels, predicted, labels=indices, average=None, zero_division=0
        )
        return float(np.mean(scores))

    return scorer
