"""Training the caption decoder: `seqkit train caption`.

The default task composes real handwritten digits (mnist-5k) into canvases
of 1 to 4 digits side by side, captioned with their digit words ("seven
two nine"). The digit images are split once (`data/mnist-5k/split.json`:
train, valid and test images are disjoint), and the training canvases are
composed afresh every epoch from the training images, with the seed
`(seed, epoch, batch)`; the valid and test canvases are fixed sets (see
`seqkit.data.digits`). The user's own data: features in a `.npy` file with
a caption file, or a table of image paths and captions.

Training is teacher forcing with a masked cross-entropy, early stopping on
the validation loss (best weights kept), a resumable checkpoint every
epoch. At the end the valid and test inputs are captioned by beam search
and greedily, and `RUN/metrics.json` holds BLEU-1..4 and exact match of
both; `RUN/attention.png` shows what the first test inputs attended to.
"""

import dataclasses
import logging
import math
import time
from pathlib import Path

import numpy as np

from seqkit.data.errors import DataError
from seqkit.data.splits import HOLD_OUT_METHOD
from seqkit.models.caption.decoding import caption_inputs
from seqkit.models.caption.evaluation import evaluate_captions
from seqkit.models.caption.pictures import render_attention
from seqkit.runs import prepare_run_folder, write_json_atomic

log = logging.getLogger(__name__)


@dataclasses.dataclass
class CaptionData:
    """The splits of a caption run.

    Attributes:
        kind: `"digits"`, `"features"` or `"images"`.
        train: a `CaptionSplit` (None for digits: canvases are composed
            each epoch from `digit_pool`).
        valid: a `CaptionSplit`.
        test: a `CaptionSplit`.
        digit_pool: `(images, labels)` of the training digits (digits).
        vocabulary_captions: captions to build the vocabulary from.
        max_words: the longest caption the decoder is trained on.
        info: what was read (files, counts, split), for `RUN/data.json`.
    """

    kind: str
    train: object
    valid: object
    test: object
    digit_pool: tuple = None
    vocabulary_captions: list = None
    max_words: int = 0
    info: dict = dataclasses.field(default_factory=dict)


def read_caption_data(config):
    """Reads (or composes) the splits the config names."""
    if config.data_kind == "digits":
        return _digit_data(config)
    if config.data_kind == "features":
        train, given, files = _read_features(config)
    else:
        train, given, files = _read_images(config)
    splits, drawn = _complete_splits(
        train, given, config.split_seed, config.valid_fraction
    )
    info = {"files": files}
    if drawn is not None:
        info["split"] = drawn
    for name in ("valid", "test"):
        shape = splits[name].inputs.shape[1:]
        if shape != splits["train"].inputs.shape[1:]:
            raise ValueError(
                f"{name} inputs have shape {list(shape)}; the training "
                f"inputs {list(splits['train'].inputs.shape[1:])}"
            )
    info["counts"] = {name: len(split) for name, split in splits.items()}
    train_captions = splits["train"].captions
    return CaptionData(
        config.data_kind,
        splits["train"],
        splits["valid"],
        splits["test"],
        vocabulary_captions=train_captions,
        max_words=max(len(c.split()) for c in train_captions),
        info=info,
    )


def _read_features(config):
    """`(train, given valid/test, files)` of `.npy` features and captions."""
    from seqkit.data import captions as readers

    train = readers.read_feature_captions(config.features, config.captions)
    given = {
        name: readers.read_feature_captions(
            getattr(config, f"{name}_features"),
            getattr(config, f"{name}_captions"),
        )
        for name in ("valid", "test")
        if getattr(config, f"{name}_features") is not None
    }
    return train, given, {"train": [config.features, config.captions]}


def _read_images(config):
    """`(train, given valid/test, files)` of tables of images and captions
    (valid and test resized to the training images' size)."""
    from seqkit.data import captions as readers

    def read(table, size):
        return readers.read_image_captions(
            table,
            config.image_column,
            config.caption_column,
            size=size,
            channels=config.channels,
        )

    train = read(config.train, config.image_size)
    size = list(train.inputs.shape[1:3])
    given = {
        name: read(getattr(config, name), size)
        for name in ("valid", "test")
        if getattr(config, name) is not None
    }
    return train, given, {"train": config.train, "image_size": size}


# The share of the rows held out for testing when no test data is given.
TEST_FRACTION = 0.1


def _complete_splits(train, given, split_seed, valid_fraction):
    """The train, valid and test splits, those not given held out of the
    training rows: first `TEST_FRACTION` for testing, then
    `valid_fraction` of the rest for validation (`seqkit.data.splits.
    hold_out`, seeded by `split_seed`; rows with the same input bytes,
    the same image or feature row, stay on one side).

    Returns:
        `(splits, split)`: `split` describes the hold-out for
        `RUN/data.json` (None when valid and test were both given).
    """
    import hashlib

    from seqkit.data.splits import hold_out

    splits = {"train": train, **given}
    missing = [name for name in ("test", "valid") if name not in given]
    if not missing:
        return splits, None
    keys = [hashlib.sha1(row.tobytes()).hexdigest() for row in train.inputs]
    ids = {"train": list(range(len(train)))}
    fractions = {"test": TEST_FRACTION, "valid": valid_fraction}
    for name in missing:
        rows = ids["train"]
        kept, held = hold_out(
            [keys[i] for i in rows], None, fractions[name], split_seed
        )
        if not held:
            raise DataError(
                f"{len(train)} examples are too few to hold out "
                f"{fractions[name]:g} of them for {name}; give --{name} "
                "data"
            )
        ids[name] = [rows[i] for i in held]
        ids["train"] = [rows[i] for i in kept]
    for name in missing:
        splits[name] = train.subset(ids[name])
    splits["train"] = train.subset(ids["train"])
    log.info(
        "held out of the training rows: %s (seed %d; rows with the same "
        "input kept together)",
        ", ".join(f"{len(ids[name])} for {name}" for name in missing),
        split_seed,
    )
    split = {
        "method": "test rows held out first, then validation rows of the "
        f"rest; {HOLD_OUT_METHOD}",
        "key": "sha1 of the input's bytes (the same image or feature row)",
        "seed": split_seed,
        "fractions": {name: fractions[name] for name in missing},
        **{name: ids[name] for name in ["train", *missing]},
    }
    return splits, split


def _digit_data(config):
    from seqkit.data import digits
    from seqkit.data.captions import CaptionSplit

    images, labels = digits.read_mnist_5k()
    ids = digits.digit_split()
    options = {
        "min_digits": config.min_digits,
        "max_digits": config.max_digits,
    }
    fixed = {}
    for name, count, seed in (
        ("valid", digits.VALID_CANVASES, digits.VALID_SEED),
        ("test", digits.TEST_CANVASES, digits.TEST_SEED),
    ):
        canvases = digits.compose_canvases(
            images[ids[name]], labels[ids[name]], count, seed, **options
        )
        fixed[name] = CaptionSplit(
            canvases.images,
            canvases.captions,
            [f"{name}[{i}]" for i in range(count)],
        )
    train_ids = np.asarray(ids["train"])
    info = {
        "files": "data/mnist-5k (bundled)",
        "digit_images": {name: len(ids[name]) for name in ids},
        "canvases": {
            "train": f"{config.canvases_per_epoch} per epoch, composed "
            f"afresh with seed (seed, epoch, batch) = ({config.seed}, ...)",
            "valid": f"{digits.VALID_CANVASES} (seed {digits.VALID_SEED})",
            "test": f"{digits.TEST_CANVASES} (seed {digits.TEST_SEED})",
        },
        "counts": {
            "train": config.canvases_per_epoch,
            "valid": digits.VALID_CANVASES,
            "test": digits.TEST_CANVASES,
        },
    }
    return CaptionData(
        "digits",
        None,
        fixed["valid"],
        fixed["test"],
        digit_pool=(images[train_ids], labels[train_ids]),
        vocabulary_captions=list(digits.DIGIT_WORDS),
        max_words=config.max_digits,
        info=info,
    )


def teacher_forcing(vocabulary, inputs, captions, length):
    """`((inputs, input ids), target ids, target weights)` for `fit`."""
    from seqkit.models.caption import encode_captions

    ids = encode_captions(vocabulary, captions, length)
    targets = ids[:, 1:]
    return (inputs, ids[:, :-1]), targets, (targets != 0).astype("float32")


def _batches(data, config, vocabulary, length):
    """The training batches: a `keras.utils.PyDataset`."""
    import keras

    from seqkit.data import digits

    class Batches(keras.utils.PyDataset):
        def __init__(self):
            super().__init__()
            self.order = None
            # Keras reads a few batches before training to learn their
            # shapes; the callback below then sets each epoch's number.
            self.start_epoch(0)

        def __len__(self):
            count = (
                config.canvases_per_epoch
                if data.kind == "digits"
                else len(data.train)
            )
            return math.ceil(count / config.batch_size)

        def start_epoch(self, epoch):
            self.epoch = epoch
            if data.kind != "digits":
                rng = np.random.default_rng([config.seed, epoch])
                self.order = rng.permutation(len(data.train))

        def __getitem__(self, index):
            size = config.batch_size
            if data.kind == "digits":
                images, labels = data.digit_pool
                last = min(size, config.canvases_per_epoch - index * size)
                canvases = digits.compose_canvases(
                    images,
                    labels,
                    last,
                    [config.seed, self.epoch, index],
                    min_digits=config.min_digits,
                    max_digits=config.max_digits,
                )
                return teacher_forcing(
                    vocabulary, canvases.images, canvases.captions, length
                )
            rows = self.order[index * size : (index + 1) * size]
            return teacher_forcing(
                vocabulary,
                data.train.inputs[rows],
                [data.train.captions[i] for i in rows],
                length,
            )

    return Batches()


def build_caption_model(config, vocabulary, input_kind):
    """The `CaptionModel` of a config."""
    from seqkit.models.caption import CaptionModel

    return CaptionModel(
        vocabulary,
        input_kind=input_kind,
        filters=config.filters,
        feature_dim=config.feature_dim,
        cell=config.cell,
        units=config.units,
        embedding_dim=config.embedding_dim,
        attention=config.attention,
        attention_units=config.attention_units,
        dropout=config.dropout,
        scheduled_sampling=config.scheduled_sampling,
        seed=config.seed,
        name="caption_model",
    )


def _fit_caption_model(model, data, config, vocabulary, out, resume, verbose):
    """Compiles and trains the model by teacher forcing (best weights
    kept); returns `fit`'s `(state, history)`."""
    import keras

    from seqkit.training.fit import fit

    length = data.max_words + 2
    model.compile(
        optimizer=keras.optimizers.Adam(config.learning_rate, clipnorm=5.0),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        weighted_metrics=["sparse_categorical_accuracy"],
    )
    batches = _batches(data, config, vocabulary, length)
    valid = teacher_forcing(
        vocabulary, data.valid.inputs, data.valid.captions, length
    )
    model([valid[0][0][:1], valid[0][1][:1]])  # builds the weights
    return fit(
        model,
        batches,
        valid,
        epochs=config.epochs,
        patience=config.patience,
        checkpoints=out / "checkpoints",
        resume=resume,
        verbose=verbose,
        logs=out / "logs",
        on_epoch_begin=batches.start_epoch,
    )


def _write_attention(model, test, path, max_tokens):
    """Draws what the first (up to 6) test inputs attended to."""
    shown = min(6, len(test))
    captions = [
        r.caption
        for r in caption_inputs(
            model, test.inputs[:shown], max_tokens=max_tokens
        )
    ]
    render_attention(
        model, test.inputs[:shown], captions, path, test.names[:shown]
    )


def train_caption_model(config, out, resume=False, verbose=1):
    """Trains a caption decoder and writes the run folder `out`.

    Args:
        config: a `CaptionConfig`.
        out: the run folder (created; must be empty unless `resume`).
        resume: continue an interrupted run from its last checkpoint.
        verbose: Keras progress display (0 silent, 1 bar, 2 a line an
            epoch).

    Returns:
        The metrics dict also written to `out/metrics.json`.

    Raises:
        ValueError: bad data or settings, a non-empty `out` without
            `resume`, or `resume` of a finished or absent run.
    """
    import keras

    from seqkit.models.caption import caption_vocabulary

    out = Path(out)
    prepare_run_folder(out, config, resume)
    keras.utils.set_random_seed(config.seed)
    started = time.time()
    data = read_caption_data(config)
    for name, count in data.info["counts"].items():
        log.info("%s: %s examples", name, count)
    vocabulary = caption_vocabulary(data.vocabulary_captions)
    log.info("vocabulary: %d words", len(vocabulary))
    input_kind = "features" if data.kind == "features" else "image"
    model = build_caption_model(config, vocabulary, input_kind)
    state, history = _fit_caption_model(
        model, data, config, vocabulary, out, resume, verbose
    )
    model.save(out / "model.keras")
    train_seconds = round(time.time() - started, 1)
    max_tokens = data.max_words + 1
    metrics = {}
    for name in ("valid", "test"):
        split = getattr(data, name)
        metrics[name] = evaluate_captions(model, split, config, max_tokens)
    metrics["train_seconds"] = train_seconds
    metrics["best_epoch"] = state["best_epoch"]
    write_json_atomic(out / "metrics.json", metrics)
    write_json_atomic(out / "history.json", history)
    write_json_atomic(
        out / "data.json",
        {
            **data.info,
            "vocabulary_size": len(vocabulary),
            "max_words": data.max_words,
        },
    )
    if config.attention:
        _write_attention(model, data.test, out / "attention.png", max_tokens)
    return metrics
