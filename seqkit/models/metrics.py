"""Classification metrics from scikit-learn, as plain JSON-ready dicts."""

import numpy as np
from sklearn import metrics as skm

from seqkit.data.tweeteval import get_task


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


def official_score(task, labels, predicted):
    """The official TweetEval score of predicted class names on one task.

    As the repository's evaluation script computes it: the F1 score of
    each class in `Task.metric_classes`, averaged (irony: the `irony`
    class alone; stance: `against` and `favor`, the five topics pooled);
    for the other tasks macro-F1 over the classes that occur in `labels`
    or `predicted`.

    Args:
        task: the TweetEval task, `"irony"` or `"tweeteval-irony"`.
        labels: the true class names (as in the prepared CSV files).
        predicted: the predicted class names, in the same order.

    Returns:
        The score, a float in 0..1 (published figures are x100).

    Raises:
        ValueError: the two lists differ in length or are empty, or the
            task is unknown.

    Example:

    >>> from seqkit.models.metrics import official_score
    >>> official_score("irony", ["irony", "non_irony"], ["irony", "irony"])
    0.6666666666666666
    """
    spec = get_task(task)
    labels, predicted = list(labels), list(predicted)
    if len(labels) != len(predicted) or not labels:
        raise ValueError(
            f"{len(predicted)} predictions for {len(labels)} labels: both "
            "must be the same, non-zero, number"
        )
    classes = spec.metric_classes or sorted({*labels, *predicted})
    scores = skm.f1_score(
        labels, predicted, labels=list(classes), average=None, zero_division=0
    )
    return float(np.mean(scores))


def caption_metrics(references, hypotheses):
    """Corpus BLEU-1..4 and exact match of generated captions.

    BLEU is Papineni et al.'s corpus BLEU as sacrebleu computes it, on the
    words split at white space (no further tokenization, no smoothing, one
    reference per caption): the clipped n-gram precisions of the whole
    corpus, their geometric mean up to order n, times the brevity penalty.

    Args:
        references: the true captions (strings).
        hypotheses: the generated captions, in the same order.

    Returns:
        A dict: `n`, `bleu` (BLEU-4, 0..100), `bleu_1` .. `bleu_4`,
        `exact_match` (the fraction of captions generated word for word,
        0..1), and `precisions` (the n-gram precisions, 0..100).

    Raises:
        ValueError: the two lists differ in length or are empty.
    """
    from sacrebleu.metrics import BLEU

    references, hypotheses = list(references), list(hypotheses)
    if len(references) != len(hypotheses) or not references:
        raise ValueError(
            f"{len(hypotheses)} captions for {len(references)} references: "
            "both must be the same, non-zero, number"
        )
    references = [" ".join(r.split()) for r in references]
    hypotheses = [" ".join(h.split()) for h in hypotheses]
    result = {"n": len(references)}
    for order in range(1, 5):
        bleu = BLEU(
            max_ngram_order=order, tokenize="none", smooth_method="none"
        )
        score = bleu.corpus_score(hypotheses, [references])
        result[f"bleu_{order}"] = round(float(score.score), 4)
    result["bleu"] = result["bleu_4"]
    result["precisions"] = [round(float(p), 4) for p in score.precisions]
    exact = sum(r == h for r, h in zip(references, hypotheses))
    result["exact_match"] = round(exact / len(references), 6)
    return result
