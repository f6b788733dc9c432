"""Real handwritten digits composed into captioned canvases.

The caption decoder is trained and measured on real digit images (the
5,000 MNIST digits of `mnist-5k`, 500 per class) placed side by side on a
28-pixel-high canvas and captioned with their digit words, e.g.
`"seven two nine"`: real images with exact ground truth.

The digit images are split once, per class, into `train` (360 per class),
`valid` (40) and `test` (100); the split is committed as explicit row ids
in `data/mnist-5k/split.json` (`make_digit_split` with seed
`SPLIT_SEED`), so canvases of one split use only that split's images and
no test image is ever seen in training.

The fixed evaluation sets are

    digit_canvases("valid", VALID_CANVASES, seed=VALID_SEED)  # 500, seed 1
    digit_canvases("test", TEST_CANVASES, seed=TEST_SEED)  # 1,000, seed 2

with the default composition options. Training canvases are composed
fresh each epoch from the `train` images with the seed `(seed, epoch)`:

    digit_canvases("train", count, seed=(seed, epoch))

Only NumPy is needed; nothing here imports TensorFlow or Keras.
"""

import dataclasses
import gzip
import json
import logging
from pathlib import Path

import numpy as np

from seqkit.data import registry
from seqkit.data.errors import DataError
from seqkit.data.prepare import COMMITTED_DATA

logger = logging.getLogger(__name__)

DIGIT_WORDS = (
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
)
DIGIT_SIZE = 28
PIXELS = DIGIT_SIZE * DIGIT_SIZE
SPLITS = ("train", "valid", "test")
# The largest value of each of the 785 fields: 784 pixels, then the label.
_HIGHEST = np.array([255] * PIXELS + [9])
SPLIT_SEED = 2026
TEST_FRACTION = 0.2
VALID_FRACTION = 0.1
SPLIT_METHOD = (
    "per class: the row ids of the class in a random order "
    "(numpy.random.default_rng(seed).permutation, classes in order 0..9); "
    "the first round(0.2 n) test, the next round(0.1 (n - test)) valid, "
    "the rest train; each list sorted"
)
VALID_CANVASES = 500
VALID_SEED = 1
TEST_CANVASES = 1000
TEST_SEED = 2
# The bundled copy, present in a source checkout (see data/README.md).
BUNDLED_FOLDER = COMMITTED_DATA / "mnist-5k"
BUNDLED_FILE = BUNDLED_FOLDER / "mnist_5k.csv.gz"
SPLIT_FILE = BUNDLED_FOLDER / "split.json"


@dataclasses.dataclass(frozen=True, eq=False)
class Canvases:
    """Digit canvases and their captions.

    Attributes:
        images: float32 array `[count, 28, width]`, values in 0..1 (the
            pixel value / 255).
        captions: one string per canvas, the digit words joined by single
            spaces, e.g. `"seven two nine"`.
        digits: one list of ints (0..9) per canvas, left to right.
        sources: one list per canvas of the images used, left to right:
            indices into the arrays given to `compose_canvases`, or row ids
            of mnist-5k for `digit_canvases`.
    """

    images: np.ndarray
    captions: list
    digits: list
    sources: list

    def __len__(self):
        return len(self.captions)


def read_mnist_5k(path=None):
    """Reads the mnist-5k digits: 784 pixel values then the label per row.

    The file is comma-separated without a header, one image per line: 784
    integer pixel values 0..255 (row by row) and the label 0..9. It may be
    gzip-compressed (recognised by its content, not its name).

    Args:
        path: the file; by default the bundled copy
            `data/mnist-5k/mnist_5k.csv.gz`, or `fetch("mnist-5k")` where
            that is missing (an installed package).

    Returns:
        `(images, labels)`: uint8 `[n, 28, 28]` and int64 `[n]`.

    Raises:
        DataError: a line without 785 integer fields, a pixel outside
            0..255, a label outside 0..9, or no rows; the message names
            the file and line.

    Example:

    >>> from seqkit.data.digits import read_mnist_5k
    >>> images, labels = read_mnist_5k()
    >>> images.shape, labels.shape
    ((5000, 28, 28), (5000,))
    """
    if path is None:
        path = BUNDLED_FILE
        if not path.is_file():
            path = registry.fetch("mnist-5k")
    lines = _read_lines(path)
    values = _parse_values(path, lines)
    _check_range(path, values)
    images = values[:, :PIXELS].astype(np.uint8)
    images = images.reshape(-1, DIGIT_SIZE, DIGIT_SIZE)
    return images, values[:, PIXELS].copy()


def _read_lines(path):
    with open(path, "rb") as file:
        data = file.read()
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as error:
            raise DataError(
                f"not a readable gzip file ({error})", path=path
            ) from None
    try:
        lines = data.decode("ascii").splitlines()
    except UnicodeDecodeError as error:
        raise DataError(
            f"expected ASCII digits and commas ({error})", path=path
        ) from None
    if not lines:
        raise DataError("no rows: expected 785 integers per line", path=path)
    return lines


def _parse_values(path, lines):
    """The values as int64 `[rows, 785]`; errors name the first bad line."""
    for number, line in enumerate(lines, start=1):
        if line.count(",") != PIXELS:
            raise DataError(
                f"expected {PIXELS + 1} fields (784 pixels, label), found "
                f"{line.count(',') + 1}",
                path=path,
                line=number,
            )
    try:
        values = np.array(",".join(lines).split(","), dtype=np.int64)
    except (ValueError, OverflowError):
        _raise_bad_field(path, lines)
    return values.reshape(len(lines), PIXELS + 1)


def _raise_bad_field(path, lines):
    """Parses each line alone, only on failure, to say where it failed."""
    for number, line in enumerate(lines, start=1):
        for column, field in enumerate(line.split(","), start=1):
            try:
                value = int(field)
            except ValueError:
                raise DataError(
                    f"expected an integer, found {field!r}",
                    path=path,
                    line=number,
                    field=_field_name(column),
                ) from None
            if not 0 <= value <= _HIGHEST[column - 1]:
                raise _range_error(path, number, column, value)
    raise DataError("expected integers", path=path)


def _check_range(path, values):
    bad = np.argwhere((values < 0) | (values > _HIGHEST))
    if len(bad):
        row, column = bad[0]
        value = values[row, column]
        raise _range_error(path, int(row) + 1, int(column) + 1, value)


def _range_error(path, line, column, value):
    name = _field_name(column)
    return DataError(
        f"{name.split()[0]} {value} out of range; expected "
        f"0..{_HIGHEST[column - 1]}",
        path=path,
        line=line,
        field=name,
    )


def _field_name(column):
    """The name of 1-based column `column`: `pixel N` (1..784) or label."""
    return "label" if column == PIXELS + 1 else f"pixel {column}"


def make_digit_split(labels, seed=SPLIT_SEED):
    """A stratified split of the digit images into train, valid and test.

    Within each class (in the order 0..9) the row ids of that class are
    shuffled by `numpy.random.default_rng(seed)`: the first
    `round(0.2 n)` are test, the next `round(0.1 (n - test))` valid and
    the rest train. For mnist-5k (500 per class) that is 100 test, 40
    valid and 360 train per class: 1,000 / 400 / 3,600.

    The committed `split.json` was written by this function with seed
    2026; `digit_split` reads that file, so the split does not depend on
    NumPy's random streams staying the same across versions.

    Args:
        labels: the label of each row (ints).
        seed: the seed of the generator.

    Returns:
        A dict `{"method", "seed", "train", "valid", "test"}` with each
        split a sorted list of row ids (0-based rows of the file).
    """
    labels = np.asarray(labels)
    rng = np.random.default_rng(seed)
    parts = {name: [] for name in SPLITS}
    for label in np.unique(labels):
        ids = rng.permutation(np.flatnonzero(labels == label))
        test = round(TEST_FRACTION * len(ids))
        valid = round(VALID_FRACTION * (len(ids) - test))
        parts["test"].extend(ids[:test].tolist())
        parts["valid"].extend(ids[test : test + valid].tolist())
        parts["train"].extend(ids[test + valid :].tolist())
    record = {"method": SPLIT_METHOD, "seed": seed}
    record.update({name: sorted(parts[name]) for name in SPLITS})
    return record


def write_digit_split(path, labels, seed=SPLIT_SEED):
    """Writes `make_digit_split(labels, seed)` as JSON, one key a line.

    Regenerate the committed split with
    `write_digit_split(SPLIT_FILE, read_mnist_5k()[1])`.
    """
    record = make_digit_split(labels, seed)
    lines = [f"{json.dumps(key)}: {json.dumps(record[key])}" for key in record]
    text = "{\n  " + ",\n  ".join(lines) + "\n}\n"
    Path(path).write_text(text, encoding="utf-8")
    return Path(path)


def digit_split(path=None):
    """The fixed split of the mnist-5k rows, read from `split.json`.

    Args:
        path: the JSON file; by default the committed
            `data/mnist-5k/split.json`. Where that is missing (an
            installed package) the split is recomputed with
            `make_digit_split(labels, SPLIT_SEED)` and a warning is
            logged, as NumPy may not reproduce it exactly.

    Returns:
        A dict `{"train": ids, "valid": ids, "test": ids}`, each an int64
        array of row ids.

    Raises:
        DataError: the file is not valid JSON or lacks a split.

    Example:

    >>> from seqkit.data.digits import digit_split
    >>> {name: len(ids) for name, ids in digit_split().items()}
    {'train': 3600, 'valid': 400, 'test': 1000}
    """
    if path is None and not SPLIT_FILE.is_file():
        logger.warning(
            "%s is missing: recomputing the digit split with seed %d",
            SPLIT_FILE,
            SPLIT_SEED,
        )
        record = make_digit_split(read_mnist_5k()[1], SPLIT_SEED)
    else:
        path = SPLIT_FILE if path is None else path
        try:
            record = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise DataError(
                f"cannot read the split ({error})", path=path
            ) from None
        for name in SPLITS:
            if not isinstance(record.get(name), list):
                raise DataError(
                    "expected a list of row ids", path=path, field=name
                )
    return {name: np.asarray(record[name], dtype=np.int64) for name in SPLITS}


def compose_canvases(
    images,
    labels,
    count,
    seed,
    min_digits=1,
    max_digits=4,
    width=128,
    gap=(-2, 4),
    jitter=2,
):
    """Composes digit images side by side into captioned canvases.

    Each canvas holds a number of digits drawn uniformly from
    `[min_digits, max_digits]`, each image drawn uniformly (with
    replacement) from `images`. They are placed left to right: a left
    margin, then each 28-pixel-wide digit box, with a gap between
    neighbouring boxes drawn uniformly from the integers
    `[gap[0], gap[1]]` (a negative gap makes the boxes overlap; where they
    do, the brighter pixel is kept). The margin is drawn uniformly from
    the integers `[0, width - used]`, `used` being the width of that
    canvas's boxes and gaps, so every row fits. Each digit is shifted
    vertically within its box by an integer drawn from
    `[-jitter, jitter]`; rows shifted in are 0, nothing wraps around.

    Args:
        images: uint8 (or 0..255) array `[n, 28, 28]`.
        labels: the digit 0..9 of each image, `[n]`.
        count: how many canvases.
        seed: anything `numpy.random.default_rng` takes, e.g. an int or
            a tuple `(seed, epoch)`; the same seed gives the same canvases.
        min_digits: the fewest digits on a canvas, at least 1.
        max_digits: the most digits on a canvas.
        width: the canvas width in pixels. It must hold the widest row,
            `28 * max_digits + gap[1] * (max_digits - 1)`: 124 for the
            defaults, which leaves a margin of 0..4 pixels even then.
        gap: the smallest and largest gap in pixels, each above -28.
        jitter: the largest vertical shift in pixels, 0..27.

    Returns:
        A `Canvases` of `count` canvases.

    Raises:
        ValueError: an argument out of range (the message names it), or
            `width` too small for the widest row.

    Example:

    >>> from seqkit.data.digits import compose_canvases, read_mnist_5k
    >>> images, labels = read_mnist_5k()
    >>> canvases = compose_canvases(images, labels, count=8, seed=0)
    >>> canvases.images.shape
    (8, 28, 128)
    """
    images, labels = _check_compose_args(
        images, labels, count, min_digits, max_digits, width, gap, jitter
    )
    rng = np.random.default_rng(seed)
    counts = rng.integers(min_digits, max_digits + 1, size=count)
    picks = rng.integers(0, len(images), size=(count, max_digits))
    gaps = rng.integers(gap[0], gap[1] + 1, size=(count, max_digits))
    shifts = rng.integers(-jitter, jitter + 1, size=(count, max_digits))
    gaps[:, 0] = 0
    # Box k starts after k boxes and the gaps before it: offsets[:, k].
    offsets = np.cumsum(gaps, axis=1) + DIGIT_SIZE * np.arange(max_digits)
    used = offsets[np.arange(count), counts - 1] + DIGIT_SIZE
    offsets += rng.integers(0, width - used + 1)[:, None]
    # Rows shifted past the top or bottom land in `jitter` rows of padding
    # on either side, cut off at the end: nothing wraps around.
    canvas = np.zeros((count, DIGIT_SIZE + 2 * jitter, width), np.uint8)
    span = np.arange(DIGIT_SIZE)
    for slot in range(max_digits):
        # One box per canvas in a slot, so no index repeats within a slot.
        chosen = np.flatnonzero(counts > slot)
        rows = (jitter + shifts[chosen, slot])[:, None] + span
        columns = offsets[chosen, slot][:, None] + span
        where = (chosen[:, None, None], rows[:, :, None], columns[:, None])
        canvas[where] = np.maximum(canvas[where], images[picks[chosen, slot]])
    canvas = canvas[:, jitter : jitter + DIGIT_SIZE]
    digits = labels[picks]
    return Canvases(
        images=canvas.astype(np.float32) / np.float32(255),
        captions=[
            " ".join(DIGIT_WORDS[d] for d in digits[i, :n])
            for i, n in enumerate(counts)
        ],
        digits=[digits[i, :n].tolist() for i, n in enumerate(counts)],
        sources=[picks[i, :n].tolist() for i, n in enumerate(counts)],
    )


def _check_compose_args(
    images, labels, count, min_digits, max_digits, width, gap, jitter
):
    images = np.asarray(images)
    labels = np.asarray(labels, dtype=np.int64)
    if images.ndim != 3 or images.shape[1:] != (DIGIT_SIZE, DIGIT_SIZE):
        raise ValueError(
            f"`images` must have shape [n, 28, 28], received {images.shape}"
        )
    if len(images) == 0 or labels.shape != (len(images),):
        raise ValueError(
            "`labels` must hold one label per image (and at least one "
            f"image), received {labels.shape} for {len(images)} images"
        )
    if images.min() < 0 or images.max() > 255:
        raise ValueError("`images` must hold pixel values 0..255")
    if labels.min() < 0 or labels.max() >= len(DIGIT_WORDS):
        raise ValueError("`labels` must hold digits 0..9")
    if count < 0:
        raise ValueError(f"`count` must be >= 0, received {count}")
    if not 1 <= min_digits <= max_digits:
        raise ValueError(
            "`min_digits` and `max_digits` must satisfy 1 <= min_digits <= "
            f"max_digits, received {min_digits} and {max_digits}"
        )
    if not -DIGIT_SIZE < gap[0] <= gap[1]:
        raise ValueError(
            f"`gap` must be (low, high) with -28 < low <= high, received {gap}"
        )
    if not 0 <= jitter < DIGIT_SIZE:
        raise ValueError(f"`jitter` must be in 0..27, received {jitter}")
    widest = DIGIT_SIZE * max_digits + gap[1] * (max_digits - 1)
    if width < widest:
        raise ValueError(
            f"`width` {width} cannot hold {max_digits} digits with gaps up "
            f"to {gap[1]}: it must be at least {widest}"
        )
    return np.asarray(images, dtype=np.uint8), labels


def digit_canvases(split, count, seed, path=None, **options):
    """Canvases composed only from one split's images of mnist-5k.

    Args:
        split: `"train"`, `"valid"` or `"test"` (see `digit_split`).
        count: how many canvases.
        seed: the seed (see `compose_canvases`). The fixed evaluation sets
            use `VALID_SEED` and `TEST_SEED`; training uses
            `(seed, epoch)`.
        path: the mnist-5k file (see `read_mnist_5k`).
        **options: passed on to `compose_canvases` (`min_digits`,
            `max_digits`, `width`, `gap`, `jitter`).

    Returns:
        A `Canvases` whose `sources` are row ids of mnist-5k, all in the
        split.

    Raises:
        ValueError: an unknown split, or a bad composition option.

    Example:

    >>> from seqkit.data.digits import TEST_CANVASES, TEST_SEED
    >>> from seqkit.data.digits import digit_canvases
    >>> test = digit_canvases("test", TEST_CANVASES, seed=TEST_SEED)
    >>> len(test)
    1000
    """
    if split not in SPLITS:
        raise ValueError(
            f"`split` must be one of {', '.join(SPLITS)}, received {split!r}"
        )
    images, labels = read_mnist_5k(path)
    ids = digit_split()[split]
    canvases = compose_canvases(
        images[ids], labels[ids], count, seed, **options
    )
    sources = [ids[chosen].tolist() for chosen in canvases.sources]
    return dataclasses.replace(canvases, sources=sources)
