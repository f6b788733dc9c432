"""Classification metrics from scikit-learn, as plain JSON-ready dicts."""

import numpy as np
from sklearn import metrics as skm


def classification_metrics(labels, probabilities, class_names):
    """Accuracy, macro-F1, a per-class report and the confusion matrix.

    Args:
        labels: true class indices, shape `[n]`.
        probabilities: predicted probabilities, shape `[n, classes]`.
        class_names: the name of each class index.

    Returns:
        A dict with `n`, `accuracy`, `macro_f1`, `per_class` (precision,
        recall, f1 and support by class name) and `confusion_matrix`
        (rows: true class, columns: predicted, in `class_names` order).

    Raises:
        ValueError: if the shapes disagree.
    """
    labels = np.asarray(labels)
    probabilities = np.asarray(probabilities)
    if probabilities.ndim != 2 or len(probabilities) != len(labels):
        raise ValueError(
            f"{len(labels)} labels but probabilities of shape "
            f"{probabilities.shape}"
        )
    predicted = probabilities.argmax(axis=1)
    indices = list(range(len(class_names)))
    report = skm.classification_report(
        labels,
        predicted,
        labels=indices,
        target_names=class_names,
        output_dict=True,
        zero_division=0,
    )
    per_class = {
        name: {k: float(v) for k, v in report[name].items()}
        for name in class_names
    }
    return {
        "n": int(len(labels)),
        "accuracy": float(skm.accuracy_score(labels, predicted)),
        "macro_f1": float(
            skm.f1_score(
                labels,
                predicted,
                labels=indices,
                average="macro",
                zero_division=0,
            )
        ),
        "per_class": per_class,
        "confusion_matrix": skm.confusion_matrix(
            labels, predicted, labels=indices
        ).tolist(),
    }
