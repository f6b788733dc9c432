"""Predicting, encoding and evaluating with a loaded text classifier."""

import numpy as np

from seqkit.models.task import Task
from seqkit.runs import load_run


def predict_outputs(model, texts, batch_size=256):
    """A text model's outputs (a dict with `probabilities`) for texts."""
    texts = np.array(list(texts), dtype=object)
    outputs = model.predict(texts, batch_size=batch_size, verbose=0)
    if not isinstance(outputs, dict):
        outputs = {"probabilities": outputs}
    return outputs


def evaluate_run(
    run,
    data,
    text_column="text",
    label_column="label",
    model=None,
    metrics=(),
):
    """Metrics of a run's model on a labelled file.

    Args:
        run: the run folder.
        data: a labelled CSV, TSV or JSONL file (or folder-per-class).
        text_column: the text column.
        label_column: the label column.
        model: the run's model, if already loaded.
        metrics: further metrics by their spelling (`macro_recall`,
            `f1:CLASS[,CLASS]`, ...; see `seqkit.models.selection`), each
            added under its spelling.

    Returns:
        The `classification_metrics` dict (plus `skipped`, the count of
        skipped rows, and one entry per metric of `metrics`).

    Raises:
        ValueError: bad data, labels the model does not know, or a metric
            that is misspelt or names a class the model does not have.
    """
    from seqkit.data import read_examples
    from seqkit.models.metrics import classification_metrics
    from seqkit.models.selection import selection_scorer

    if model is None:
        model = load_run(run)
    names = model.class_names
    scorers = {m: selection_scorer(m, names) for m in metrics}
    examples = read_examples(
        data, text_column=text_column, label_column=label_column
    )
    unknown = sorted(set(examples.labels) - set(names))
    if unknown:
        raise ValueError(
            f"{data}: field {label_column!r}: labels {unknown} are not "
            f"classes of the model ({names})"
        )
    index = {name: i for i, name in enumerate(names)}
    labels = np.array([index[label] for label in examples.labels])
    probabilities = predict_outputs(model, examples.texts)["probabilities"]
    result = classification_metrics(labels, probabilities, names)
    result["skipped"] = len(examples.skipped)
    predicted = probabilities.argmax(-1)
    for metric, scorer in scorers.items():
        result[metric] = scorer(labels, predicted)
    return result


def read_texts(texts, input_file=None, text_column="text"):
    """The texts given, then those of `input_file`, as one list.

    Args:
        texts: strings.
        input_file: a file of further texts, one per line (.txt) or a
            CSV/TSV/JSONL with a text column; or None.
        text_column: the text column of a table.

    Returns:
        A list of strings.
    """
    texts = list(texts)
    if input_file is not None:
        from seqkit.data import read_examples

        examples = read_examples(
            input_file, text_column=text_column, label_column=None
        )
        texts.extend(examples.texts)
    return texts


def pooling_of(model):
    """The pooling of a text classifier's recurrent backbone (`"max"`,
    `"attention"`, ...; the first member's for an ensemble, the recurrent
    side's for a `MixedClassifier`), or None when it has none."""
    recurrent = getattr(model, "recurrent", model)
    backbone = getattr(recurrent, "backbone", None)
    return getattr(backbone, "pooling", None)


def predict_texts(model, texts, top_k=None, attention=False, outputs=None):
    """One result dict per text: label, probabilities, top-k, attention.

    Args:
        model: a loaded seqkit text classifier.
        texts: strings.
        top_k: how many `[label, p]` pairs in `top_k` (default: all).
        attention: add `attention`, `[[token, weight], ...]`, for models
            that pool with attention.
        outputs: the model's `predict_outputs` for `texts`, if already
            computed.

    Returns:
        A list of dicts with keys `text`, `label`, `probabilities`,
        `top_k` and, with `attention`, `attention`.

    Raises:
        ValueError: `attention` for a model without attention pooling.
    """
    texts = list(texts)
    names = model.class_names
    if outputs is None:
        outputs = predict_outputs(model, texts)
    if attention and "attention" not in outputs:
        raise ValueError(
            "--attention: this model does not pool with attention "
            f"(its pooling is {pooling_of(model)!r}); train it with "
            "--pooling attention"
        )
    tokens = None
    if attention:
        tokens = model.vectorizer.tokenizer.tokenize(texts)
    results = []
    k = len(names) if top_k is None else max(1, min(int(top_k), len(names)))
    for row, text in enumerate(texts):
        p = outputs["probabilities"][row].astype(float)
        order = np.argsort(-p, kind="stable")
        result = {
            "text": text,
            "label": names[order[0]],
            "probabilities": {n: round(float(v), 6) for n, v in zip(names, p)},
            "top_k": [[names[i], round(float(p[i]), 6)] for i in order[:k]],
        }
        if attention:
            from seqkit.preprocessing.text_vectorizer import keep_list

            words = keep_list(
                tokens[row],
                model.vectorizer.max_length,
                getattr(model.vectorizer, "keep", "start"),
            )
            weights = outputs["attention"][row][: len(words)]
            result["attention"] = [
                [w, round(float(a), 6)] for w, a in zip(words, weights)
            ]
        results.append(result)
    return results


def encode_texts(model, texts, batch_size=256):
    """The pooled feature vector of each text (the encoder's output).

    For a `TextClassifier` this is the backbone's `pooled` output (for
    DeepMoji, the attention-pooled vector the softmax reads); for an
    ensemble, the members' vectors side by side.

    Returns:
        A float32 array `[len(texts), features]`.
    """
    import keras

    members = getattr(model, "members", [model])
    text = keras.Input((), dtype="string", name="text")
    pooled = [m.backbone(m.vectorizer(text))["pooled"] for m in members]
    features = (
        pooled[0]
        if len(pooled) == 1
        else keras.layers.Concatenate(name="features")(pooled)
    )
    encoder = keras.Model(text, features)
    texts = np.array(list(texts), dtype=object)
    return encoder.predict(texts, batch_size=batch_size, verbose=0)


class ClassifierTask(Task):
    """A task whose models put a label on a text: evaluated on a labelled
    file by `evaluate_run` (text and document classification)."""

    def evaluate(
        self,
        model,
        run,
        data,
        text_column="text",
        label_column="label",
        metrics=(),
        **options,
    ):
        """The `evaluate_run` metrics on a labelled file."""
        return evaluate_run(
            run, data, text_column, label_column, model, metrics
        )
