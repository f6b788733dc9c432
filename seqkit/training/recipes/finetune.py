"""`seqkit finetune`: a pretrained run's encoder, a new head, new labels.

The base run's vectorizer and backbone (embedding, recurrent layers,
attention) are kept; a new softmax head is built for the new classes; the
model is then trained by one of the strategies of
`seqkit.training.finetune` (`chain-thaw` by default). With `new`, the
backbone is rebuilt with fresh weights: the from-scratch baseline.
"""

import contextlib
import json
import logging
import time
from collections import Counter
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np

from seqkit.errors import SeqkitError
from seqkit.runs import write_json_atomic

log = logging.getLogger(__name__)


@dataclass
class FinetuneSettings:
    """The settings of a fine-tuning run; written to `RUN/config.json`.

    Without `valid`, a `valid_fraction` of the training examples is held
    out for validation (seeded by `seed`, stratified, texts the base's
    tokenizer reads alike on one side; `seqkit.training.holdout`).
    """

    base: str
    train: str
    valid: str = None
    test: str = None
    valid_fraction: float = 0.1
    text_column: str = "text"
    label_column: str = "label"
    method: str = "chain-thaw"
    epochs: int = 10
    patience: int = 2
    batch_size: int = 32
    learning_rate: float = 1e-3
    head_dropout: float = 0.5
    extend_vocab: int = 0
    seed: int = 1337


def finetune_run(settings, out, distribute="none"):
    """Fine-tunes `settings.base` on new labelled data into run folder `out`.

    With `distribute` (`"mirrored"` or `"multi-worker"`, see
    `seqkit.training.distribute`) the steps run under that strategy; only
    the chief (worker 0) writes `out`.

    Returns:
        The metrics (valid, test, the per-step report), also written to
        `out/metrics.json`; the report alone is `out/finetune.json`. A
        worker other than the chief returns `{"worker": index}`.

    Raises:
        SeqkitError: an ensemble base, a non-empty `out`, or bad data.
    """
    import keras

    from seqkit.data import load_splits
    from seqkit.models.metrics import classification_metrics
    from seqkit.models.predict import predict_outputs
    from seqkit.runs import load_run
    from seqkit.training.finetune import STRATEGIES

    if settings.method not in STRATEGIES:
        raise SeqkitError(
            f"--method must be one of {sorted(STRATEGIES)}; received "
            f"{settings.method!r}"
        )
    out = Path(out)
    distribution = None
    if distribute != "none":
        from seqkit.training.distribute import make_strategy

        distribution = make_strategy(distribute)
    chief = distribution is None or distribution[1].is_chief
    if chief and out.exists() and any(out.iterdir()):
        raise SeqkitError(f"{out} is not empty: choose a new --out")
    started = time.time()
    keras.utils.set_random_seed(settings.seed)
    splits = load_splits(
        settings.train,
        settings.valid,
        settings.test,
        settings.text_column,
        settings.label_column,
    )
    scope = (
        contextlib.nullcontext()
        if distribution is None
        else distribution[0].scope()
    )
    with scope:
        classifier, splits, data, report, held = _tune(
            settings, splits, distribution
        )
    if not chief:
        return {"worker": distribution[1].index}
    out.mkdir(parents=True, exist_ok=True)
    write_json_atomic(out / "config.json", asdict(settings))
    info = {
        "data": {
            "train": settings.train,
            "valid": settings.valid,
            "test": settings.test,
        },
        "classes": splits.label_names,
        "counts": {name: len(split) for name, split in splits.items()},
    }
    if held is not None:
        info["valid_held_out"] = held
    write_json_atomic(out / "data.json", info)
    classifier.save(out / "model.keras")
    if distribution is not None:
        classifier = load_run(out)  # predicts here alone, not through all
    metrics = {}
    for name, split in splits.items():
        if name != "train":
            probabilities = predict_outputs(classifier, split.texts)
            metrics[name] = classification_metrics(
                data[name][1],
                probabilities["probabilities"],
                splits.label_names,
            )
    metrics["steps"] = [asdict(step) for step in report]
    metrics["train_seconds"] = round(time.time() - started, 1)
    write_json_atomic(out / "metrics.json", metrics)
    write_json_atomic(out / "finetune.json", metrics["steps"])
    return metrics


def _tune(settings, splits, distribution):
    """Builds the classifier on the base's encoder and runs the steps.

    It stays whole: the base, the held-out validation data (without
    `settings.valid`), the new head, the encoded data and the steps
    (plain or distributed) are one chain, each needing the last.

    Returns:
        `(classifier, splits, encoded data, report, held)`: `held` is the
        hold-out record, or None.
    """
    from seqkit.data.pipelines import bucketed_dataset
    from seqkit.models import EnsembleClassifier, TextClassifier
    from seqkit.models.task import task_for
    from seqkit.runs import load_run
    from seqkit.training.finetune import (
        distributed_steps,
        finetune,
        keras_steps,
        step_epochs,
    )
    from seqkit.training.recipes.sentiment import encode

    base = load_run(settings.base)
    task = task_for(base)
    if task.name != "text-classification":
        raise SeqkitError(
            f"{settings.base} is a {task.name} run; fine-tuning starts from "
            "a text classifier (a sentiment or DeepMoji run)"
        )
    if isinstance(base, EnsembleClassifier):
        raise SeqkitError(
            f"{settings.base} holds an ensemble; fine-tuning starts from one "
            "model (train the base with --ensemble 1)"
        )
    vectorizer, backbone = base.vectorizer, base.backbone
    held = None
    if splits.valid is None:
        from seqkit.training.holdout import hold_out_valid

        splits, held = hold_out_valid(
            splits,
            settings.valid_fraction,
            settings.seed,
            vectorizer.tokenizer,
        )
    if settings.extend_vocab:
        vectorizer, backbone = extend_vocabulary(
            vectorizer, backbone, splits.train.texts, settings.extend_vocab
        )
    if settings.method == "new":
        backbone = type(backbone).from_config(backbone.get_config())
    classifier = TextClassifier(
        backbone,
        vectorizer,
        splits.label_names,
        head_dropout=settings.head_dropout,
        seed=settings.seed,
        name="finetuned_classifier",
    )
    index = {name: i for i, name in enumerate(splits.label_names)}
    data = {
        name: (
            encode(vectorizer, split.texts),
            np.array([index[y] for y in split.labels]),
        )
        for name, split in splits.items()
    }
    model = classifier.ids_model()
    names = [name for name, _ in classifier.layer_groups()]
    epochs = step_epochs(settings.method, names, settings.epochs)
    if epochs != settings.epochs:
        log.info(
            "%s: one step of up to %d epochs (chain-thaw's %d steps of %d)",
            settings.method,
            epochs,
            epochs // settings.epochs,
            settings.epochs,
        )
        settings = replace(settings, epochs=epochs)
    if distribution is None:
        steps = keras_steps(
            model,
            bucketed_dataset(
                *data["train"],
                settings.batch_size,
                shuffle=True,
                seed=settings.seed,
            ),
            bucketed_dataset(*data["valid"], 256),
            settings.learning_rate,
            settings.epochs,
            settings.patience,
        )
    else:
        steps = distributed_steps(
            model, distribution, (*data["train"], *data["valid"]), settings
        )
    report = finetune(model, classifier.layer_groups(), settings.method, *steps)
    return classifier, splits, data, report, held


def extend_vocabulary(vectorizer, backbone, texts, count):
    """Adds the `count` most frequent unseen training words.

    The new words get new embedding rows (random, scaled like the trained
    rows); every other weight is copied from `backbone`.

    Returns:
        `(vectorizer, backbone)`: new objects with the larger vocabulary.
    """
    from seqkit.preprocessing import TextVectorizer

    if backbone.static_channel:
        raise SeqkitError(
            "--extend-vocab: the base has a static embedding channel, which "
            "cannot grow; fine-tune without --extend-vocab"
        )
    config = vectorizer.get_config()
    words = list(config["vocabulary"])
    known = set(words)
    counts = Counter(
        token
        for tokens in vectorizer.tokenizer.tokenize(list(texts))
        for token in tokens
        if token not in known
    )
    added = [word for word, _ in counts.most_common(count)]
    log.info("vocabulary: %d new words from the training data", len(added))
    config["vocabulary"] = words + added
    new_vectorizer = TextVectorizer.from_config(config)
    matrix = backbone.get_layer("embedding").get_weights()[0]
    rng = np.random.default_rng(0)
    rows = rng.normal(0, matrix[2:].std(), (len(added), matrix.shape[1]))
    extended = np.concatenate([matrix, rows.astype(matrix.dtype)])
    backbone_config = dict(backbone.get_config())
    backbone_config["vocabulary_size"] = extended.shape[0]
    new_backbone = type(backbone)(embedding_matrix=extended, **backbone_config)
    for layer in backbone.layers:
        if layer.weights and layer.name != "embedding":
            new_backbone.get_layer(layer.name).set_weights(layer.get_weights())
    return new_vectorizer, new_backbone


def read_report(run):
    """A fine-tuned run's per-step report (`RUN/finetune.json`)."""
    with open(Path(run) / "finetune.json", encoding="utf-8") as handle:
        return json.load(handle)
