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

from seqkit.models.settings import Settings
from seqkit.runs import run_settings, write_json_atomic
from seqkit.training.recipes.sentiment import prepare_run_folder

log = logging.getLogger(__name__)

DECODERS = ("beam", "greedy")


@dataclasses.dataclass
class CaptionConfig(Settings):
    """Every setting of a caption run; written to `RUN/config.json`.

    Data: the digit canvases unless `features` + `captions` (a `.npy` file
    and one caption per line) or `train` (a CSV/TSV of `image_column`
    paths and `caption_column` captions) is given; `valid`/`test` (or
    `valid_features`/`valid_captions`, ...) are split off the training
    rows at random (seed `split_seed`, 80/10/10) when not given.
    """

    features: str = None
    captions: str = None
    valid_features: str = None
    valid_captions: str = None
    test_features: str = None
    test_captions: str = None
    train: str = None
    valid: str = None
    test: str = None
    image_column: str = "image"
    caption_column: str = "caption"
    image_size: list = None
    channels: int = 1
    split_seed: int = 1337
    min_digits: int = 1
    max_digits: int = 4
    canvases_per_epoch: int = 12000
    cell: str = "lstm"
    units: int = 256
    embedding_dim: int = 64
    feature_dim: int = 128
    filters: list = dataclasses.field(default_factory=lambda: [32, 64, 96])
    attention: bool = True
    attention_units: int = 128
    dropout: float = 0.2
    scheduled_sampling: float = 0.0
    epochs: int = 20
    batch_size: int = 64
    learning_rate: float = 0.002
    patience: int = 4
    decode: str = "beam"
    beam_width: int = 4
    length_penalty: float = 1.0
    seed: int = 1337

    def validate(self, source="config"):
        self.check_positive(
            [
                "units",
                "embedding_dim",
                "feature_dim",
                "attention_units",
                "epochs",
                "batch_size",
                "patience",
                "beam_width",
                "canvases_per_epoch",
                "min_digits",
                "max_digits",
            ],
            source,
        )
        self.check_rates(["dropout", "scheduled_sampling"], source)
        self.check_choice("cell", ("lstm", "gru", "elman"), source)
        self.check_choice("decode", DECODERS, source)
        self.check_choice("channels", (1, 3), source)
        if self.min_digits > self.max_digits:
            raise ValueError(
                f"{source}: min_digits ({self.min_digits}) exceeds "
                f"max_digits ({self.max_digits})"
            )
        if not self.learning_rate > 0:
            raise ValueError(f"{source}: learning_rate must be positive")
        if (self.features is None) != (self.captions is None):
            raise ValueError(
                f"{source}: features and captions go together (--features "
                "X.npy --captions captions.txt)"
            )
        if self.features is not None and self.train is not None:
            raise ValueError(
                f"{source}: give either --features/--captions or --train "
                "(a table of images), not both"
            )
        for name in ("valid", "test"):
            pair = (
                getattr(self, f"{name}_features"),
                getattr(self, f"{name}_captions"),
            )
            if (pair[0] is None) != (pair[1] is None):
                raise ValueError(
                    f"{source}: {name}_features and {name}_captions go together"
                )
            if pair[0] is not None and self.features is None:
                raise ValueError(
                    f"{source}: {name}_features needs --features too"
                )
        if self.image_size is not None and (
            len(self.image_size) != 2 or min(self.image_size) < 1
        ):
            raise ValueError(
                f"{source}: image_size is [height, width]; received "
                f"{self.image_size!r}"
            )

    @property
    def data_kind(self):
        """`"digits"`, `"features"` or `"images"`."""
        if self.features is not None:
            return "features"
        if self.train is not None:
            return "images"
        return "digits"


# Settings for the command line's tests: a tiny model, a few canvases.
PRESETS = {
    "default": {},
    "tiny": {
        "canvases_per_epoch": 128,
        "units": 16,
        "embedding_dim": 8,
        "feature_dim": 8,
        "filters": [4, 8],
        "attention_units": 8,
        "epochs": 2,
        "batch_size": 32,
        "beam_width": 2,
    },
}


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
    from seqkit.data import captions as readers

    kind = config.data_kind
    if kind == "digits":
        return _digit_data(config)
    if kind == "features":
        train = readers.read_feature_captions(config.features, config.captions)
        given = {
            name: readers.read_feature_captions(
                getattr(config, f"{name}_features"),
                getattr(config, f"{name}_captions"),
            )
            for name in ("valid", "test")
            if getattr(config, f"{name}_features") is not None
        }
        files = {"train": [config.features, config.captions]}
    else:

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
        files = {"train": config.train, "image_size": size}
    splits = {"train": train, **given}
    info = {"files": files}
    missing = [name for name in ("valid", "test") if name not in given]
    if missing:
        ids = readers.split_ids(len(train), config.split_seed)
        for name in missing:
            splits[name] = train.subset(ids[name])
        splits["train"] = train.subset(ids["train"])
        info["split"] = {
            "method": "random 80/10/10 of the training rows",
            "seed": config.split_seed,
            **{name: ids[name] for name in ["train", *missing]},
        }
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
        kind,
        splits["train"],
        splits["valid"],
        splits["test"],
        vocabulary_captions=train_captions,
        max_words=max(len(c.split()) for c in train_captions),
        info=info,
    )


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
    from seqkit.training.loop import fit_resumably

    out = Path(out)
    prepare_run_folder(out, config, resume)
    keras.utils.set_random_seed(config.seed)
    started = time.time()
    data = read_caption_data(config)
    for name, count in data.info["counts"].items():
        log.info("%s: %s examples", name, count)
    vocabulary = caption_vocabulary(data.vocabulary_captions)
    log.info("vocabulary: %d words", len(vocabulary))
    length = data.max_words + 2
    input_kind = "features" if data.kind == "features" else "image"
    model = build_caption_model(config, vocabulary, input_kind)
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
    state, history = fit_resumably(
        model,
        batches,
        valid,
        out,
        config.epochs,
        config.patience,
        resume,
        verbose,
        on_epoch_begin=batches.start_epoch,
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
        shown = min(6, len(data.test))
        captions = [
            r.caption
            for r in caption_inputs(
                model, data.test.inputs[:shown], max_tokens=max_tokens
            )
        ]
        render_attention(
            model,
            data.test.inputs[:shown],
            captions,
            out / "attention.png",
            data.test.names[:shown],
        )
    return metrics


def evaluate_captions(model, split, config, max_tokens):
    """BLEU and exact match of beam search and greedy on one split."""
    from seqkit.models.metrics import caption_metrics

    results = {"n": len(split)}
    for method in ("beam", "greedy"):
        generated = caption_inputs(
            model,
            split.inputs,
            method=method,
            width=config.beam_width,
            length_penalty=config.length_penalty,
            max_tokens=max_tokens,
        )
        scores = caption_metrics(split.captions, [g.caption for g in generated])
        scores["decode"] = (
            f"beam search, width {config.beam_width}, length penalty "
            f"{config.length_penalty}"
            if method == "beam"
            else "greedy"
        )
        if method == config.decode:
            results.update(scores)
        else:
            results[method] = scores
    return results


@dataclasses.dataclass
class Caption:
    """A generated caption.

    Attributes:
        caption: the words.
        score: the sum of their log-probabilities, the end token's
            included.
        finished: whether the decoder ended it (False: it ran out of
            tokens).
        beams: for beam search, `[(caption, score, normalized score)]`,
            best first.
    """

    caption: str
    score: float
    finished: bool
    beams: list = None

    def to_dict(self):
        result = {
            "caption": self.caption,
            "score": round(self.score, 4),
            "finished": self.finished,
        }
        if self.beams is not None:
            result["beams"] = [
                {"caption": c, "score": round(s, 4), "normalized": round(n, 4)}
                for c, s, n in self.beams
            ]
        return result


def step_function(model):
    """The `seqkit.samplers` step function of a `CaptionModel`, on NumPy
    arrays (the state is the model's `initial_state`, as arrays)."""
    import keras
    from keras import ops

    def step(tokens, state):
        log_probs, state = model.step(np.asarray(tokens, dtype="int32"), state)
        return ops.convert_to_numpy(log_probs), keras.tree.map_structure(
            ops.convert_to_numpy, state
        )

    return step


def caption_inputs(
    model,
    inputs,
    method="greedy",
    width=4,
    length_penalty=1.0,
    max_tokens=30,
    temperature=1.0,
    top_k=None,
    seed=None,
    batch_size=250,
):
    """Captions images or features with `seqkit.samplers`.

    Args:
        model: a `CaptionModel`.
        inputs: an array of inputs (the model's input kind and size).
        method: `"greedy"`, `"beam"` or `"sample"`.
        width: the beam width.
        length_penalty: beam scores are divided by length ** this.
        max_tokens: the most tokens generated, the end token included.
        temperature: sampling temperature.
        top_k: sample among the `top_k` most probable words.
        seed: the sampling seed.
        batch_size: inputs decoded at once.

    Returns:
        A list of `Caption`, one per input.
    """
    import keras
    from keras import ops

    from seqkit import samplers
    from seqkit.models.caption import START_ID, decode_ids
    from seqkit.models.caption.model import END_ID

    if method not in ("greedy", "beam", "sample"):
        raise ValueError(
            f"method must be greedy, beam or sample; received {method!r}"
        )
    step = step_function(model)
    rng = np.random.default_rng(seed)
    results = []
    for first in range(0, len(inputs), batch_size):
        chunk = np.asarray(inputs[first : first + batch_size], "float32")
        state = keras.tree.map_structure(
            ops.convert_to_numpy, model.initial_state(chunk)
        )
        starts = np.full(len(chunk), START_ID)
        common = (step, state, starts, max_tokens)
        if method == "beam":
            for beams in samplers.beam_search(
                *common,
                end_id=END_ID,
                width=width,
                length_penalty=length_penalty,
            ):
                listed = [
                    (
                        decode_ids(model.vocabulary, h.tokens),
                        h.score,
                        h.normalized(length_penalty),
                    )
                    for h in beams
                ]
                best = beams[0]
                results.append(
                    Caption(listed[0][0], best.score, best.finished, listed)
                )
            continue
        if method == "greedy":
            found = samplers.greedy(*common, end_id=END_ID)
        else:
            found = samplers.sample(
                *common,
                end_id=END_ID,
                temperature=temperature,
                top_k=top_k,
                seed=rng,
            )
        results.extend(
            Caption(decode_ids(model.vocabulary, h.tokens), h.score, h.finished)
            for h in found
        )
    return results


def attention_weights(model, inputs, captions):
    """What each word of `captions` attended to, given `inputs`.

    Returns:
        A list of arrays `[words + 1, regions]`: one row per generated
        word and one for the end token, as the decoder weighed the regions
        when it produced them.
    """
    from keras import ops

    from seqkit.models.caption import encode_captions

    ids = encode_captions(model.vocabulary, captions, allow_empty=True)
    _, weights = model.teacher_forced(
        np.asarray(inputs, "float32"), ids[:, :-1]
    )
    if weights is None:
        raise ValueError("this model has no attention (attention=false)")
    weights = ops.convert_to_numpy(weights)
    return [
        weights[row, : len(caption.split()) + 1]
        for row, caption in enumerate(captions)
    ]


def render_attention(model, inputs, captions, path, names=None):
    """Draws each input with, under it, one strip per generated word that
    shades the image columns the word attended to; writes a PNG.

    Args:
        model: a `CaptionModel` with attention, on images.
        inputs: images `[n, height, width]` (or with channels).
        captions: the captions to explain (e.g. the generated ones).
        path: the PNG file to write.
        names: a title per input.

    Returns:
        The path written.
    """
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    weights = attention_weights(model, inputs, captions)
    rows = [len(w) for w in weights]
    figure, axes = pyplot.subplots(
        len(inputs),
        1,
        figsize=(6, sum(1.2 + 0.25 * r for r in rows)),
        squeeze=False,
        gridspec_kw={"height_ratios": [2 + 0.4 * r for r in rows]},
    )
    for index, (image, weight) in enumerate(zip(inputs, weights)):
        axis = axes[index, 0]
        image = np.asarray(image)
        height, width = image.shape[:2]
        words = [*captions[index].split(), "[END]"]
        strip = np.repeat(weight, int(math.ceil(width / weight.shape[1])), 1)
        strip = strip[:, :width] / max(float(weight.max()), 1e-9)
        picture = np.concatenate(
            [
                image if image.ndim == 2 else image.mean(-1),
                np.zeros((2, width)),
                np.repeat(strip, max(height // 4, 4), axis=0),
            ]
        )
        axis.imshow(picture, cmap="magma", aspect="auto")
        band = max(height // 4, 4)
        axis.set_yticks(
            [height + 2 + band * (k + 0.5) for k in range(len(words))]
        )
        axis.set_yticklabels(words, fontsize=7)
        axis.set_xticks([])
        title = f"{names[index]}: " if names else ""
        axis.set_title(f"{title}{captions[index]}", fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    pyplot.close(figure)
    return Path(path)


IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff")


def read_inputs(model, paths, image_column="image"):
    """The inputs named by `paths`, shaped for `model`.

    Each path is a `.npy` array of inputs (`[n, ...]`, or one input), an
    image file, or a CSV/TSV table with an `image_column` of image paths.

    Returns:
        `(inputs, names)`: a float32 array `[n, *model.input_size]` and a
        name per input.

    Raises:
        DataError: a file is missing or unreadable, or its inputs do not
            have the model's input size.
    """
    from seqkit.data.captions import (
        read_features,
        read_image,
        read_image_captions,
    )
    from seqkit.data.errors import DataError

    size = tuple(model.input_size)
    channels = size[2] if len(size) == 3 else 1
    arrays, names = [], []
    for path in paths:
        path = Path(path)
        suffix = path.suffix.lower()
        if suffix == ".npy":
            values = read_features(path) if path.is_file() else None
            if values is None:
                raise DataError("file not found", path=path)
            if values.shape == size:
                values = values[None]
            names.extend(f"{path.name}[{i}]" for i in range(len(values)))
        elif suffix in IMAGE_SUFFIXES:
            if not path.is_file():
                raise DataError("file not found", path=path)
            values = read_image(path, size[:2], channels)[None]
            names.append(str(path))
        else:
            found = read_image_captions(
                path, image_column, None, size[:2], channels
            )
            values, listed = found.inputs, found.names
            names.extend(listed)
        if tuple(values.shape[1:]) != size:
            raise DataError(
                f"inputs of shape {list(values.shape[1:])}; the model takes "
                f"{list(size)}",
                path=path,
            )
        arrays.append(values.astype("float32"))
    return np.concatenate(arrays), names


def evaluate_table(run, model, table, image_column, caption_column):
    """BLEU and exact match of a caption run on a table of images.

    Args:
        run: the run folder (its decoding settings are used).
        model: the run's `CaptionModel`.
        table: a CSV/TSV with image paths and true captions.
        image_column: the column of image paths.
        caption_column: the column of captions.

    Returns:
        The `evaluate_captions` dict: beam search and greedy scores.
    """
    from seqkit.data.captions import read_image_captions

    config, data = run_settings(run)
    size = list(model.input_size[:2])
    channels = model.input_size[2] if len(model.input_size) == 3 else 1
    split = read_image_captions(
        table, image_column, caption_column, size=size, channels=channels
    )
    settings = CaptionConfig.from_dict(config, source=f"{run}/config.json")
    return evaluate_captions(model, split, settings, data["max_words"] + 1)
