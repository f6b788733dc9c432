"""Caption data in the user's own files: features or images, and captions.

Two forms:

- `read_feature_captions(features, captions)`: a NumPy file of features,
  `[n, dim]` (one vector per example) or `[n, regions, dim]` (a set of
  vectors to attend over), and a text file with one caption per line (line
  i belongs to row i).
- `read_image_captions(table)`: a CSV/TSV with a header, one row per
  example: the path of an image file (relative to the table's folder, or
  absolute) and its caption. Images are read with Pillow as grayscale or
  RGB, scaled to 0..1 and resized to one size.

Every problem is a `DataError` naming the file, line and field.
"""

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from seqkit.data.errors import DataError


@dataclass
class CaptionSplit:
    """Inputs and their captions.

    Attributes:
        inputs: float32 array, `[n, ...]` (images or features).
        captions: list of n strings.
        names: a name per example, for reports (image path or row).
    """

    inputs: np.ndarray
    captions: list
    names: list

    def __len__(self):
        return len(self.captions)

    def subset(self, ids):
        ids = list(ids)
        return CaptionSplit(
            self.inputs[ids],
            [self.captions[i] for i in ids],
            [self.names[i] for i in ids],
        )


def read_features(path):
    """A float32 feature array from a `.npy` file (rank 2 or 3)."""
    path = Path(path)
    if not path.is_file():
        raise DataError("file not found", path=path)
    try:
        values = np.load(path, allow_pickle=False)
    except (ValueError, OSError) as error:
        raise DataError(
            f"not a NumPy .npy array file ({error})", path=path
        ) from None
    if values.ndim not in (2, 3) or not np.issubdtype(values.dtype, np.number):
        raise DataError(
            "expected a numeric array of shape [examples, dim] or "
            f"[examples, regions, dim]; found {values.dtype} {values.shape}",
            path=path,
        )
    values = values.astype("float32")
    if not np.all(np.isfinite(values)):
        row = int(np.argwhere(~np.isfinite(values))[0][0])
        raise DataError(f"row {row} holds NaN or infinite values", path=path)
    return values


def read_caption_lines(path):
    """The captions of a text file, one per line; empty lines are errors."""
    path = Path(path)
    if not path.is_file():
        raise DataError("file not found", path=path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        line = text_line_of(path.read_bytes(), error.start)
        raise DataError(
            "undecodable bytes: expected UTF-8 text", path=path, line=line
        ) from None
    captions = text.splitlines()
    for number, caption in enumerate(captions, start=1):
        if not caption.strip():
            raise DataError(
                "empty caption: every line needs one", path=path, line=number
            )
    return [" ".join(c.split()) for c in captions]


def text_line_of(data, offset):
    """The 1-based line number of byte `offset` in `data`."""
    return data.count(b"\n", 0, offset) + 1


def read_feature_captions(features, captions):
    """Features and their captions (line i of `captions` is row i).

    Raises:
        DataError: a missing or unreadable file, an empty caption, or a
            different number of captions and feature rows.
    """
    values = read_features(features)
    texts = read_caption_lines(captions)
    if len(texts) != len(values):
        raise DataError(
            f"{len(texts)} captions for {len(values)} feature rows in "
            f"{features}: expected one caption per row",
            path=captions,
        )
    names = [f"{Path(features).name}[{i}]" for i in range(len(values))]
    return CaptionSplit(values, texts, names)


def read_image(path, size=None, channels=1, where=None):
    """One image file as float32 pixels in 0..1.

    Args:
        path: the image file (any format Pillow reads).
        size: `(height, width)` to resize to (None: as it is).
        channels: 1 (grayscale, `[h, w]`) or 3 (RGB, `[h, w, 3]`).
        where: `(table, line, field)` that named the file, for errors.

    Raises:
        DataError: Pillow cannot read the file (naming `where` if given).
    """
    from PIL import Image, UnidentifiedImageError

    mode = {1: "L", 3: "RGB"}.get(channels)
    if mode is None:
        raise ValueError(f"channels must be 1 or 3; received {channels!r}")
    try:
        with Image.open(path) as image:
            image = image.convert(mode)
            if size is not None and (image.height, image.width) != tuple(size):
                image = image.resize((size[1], size[0]))
            return np.asarray(image, dtype="float32") / 255.0
    except (OSError, UnidentifiedImageError) as error:
        table, line, field = where or (path, None, None)
        raise DataError(
            f"cannot read image {path} ({error})",
            path=table,
            line=line,
            field=field,
        ) from None


def read_image_captions(
    table,
    image_column="image",
    caption_column="caption",
    size=None,
    channels=1,
):
    """Images (and captions) listed in a CSV or TSV table with a header.

    Args:
        table: the table (`.tsv` is tab-separated, anything else CSV).
        image_column: the column of image paths, relative to the table's
            folder unless absolute.
        caption_column: the column of captions (None: a table of images
            only; the captions are then empty strings).
        size: `(height, width)` to resize to (default: the first image's).
        channels: 1 (grayscale) or 3 (RGB).

    Returns:
        A `CaptionSplit` with `inputs` `[n, height, width]` (grayscale) or
        `[n, height, width, 3]`, values in 0..1, and `names` the paths as
        written in the table.

    Raises:
        DataError: a missing file or column, an empty caption or path, or
            an image Pillow cannot read (file, line and field named).
    """
    table = Path(table)
    if not table.is_file():
        raise DataError("file not found", path=table)
    delimiter = "\t" if table.suffix.lower() == ".tsv" else ","
    with open(table, encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=delimiter))
    if not rows:
        raise DataError("empty file: expected a header row", path=table)
    header = rows[0]
    for column in (image_column, caption_column):
        if column is not None and column not in header:
            raise DataError(
                f"no column {column!r}; the header has {header}",
                path=table,
                line=1,
            )
    image_at = header.index(image_column)
    images, captions, names = [], [], []
    for line, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            raise DataError(
                f"{len(row)} fields; the header has {len(header)}",
                path=table,
                line=line,
            )
        caption = ""
        if caption_column is not None:
            caption = " ".join(row[header.index(caption_column)].split())
            if not caption:
                raise DataError(
                    "empty caption", path=table, line=line, field=caption_column
                )
        path = row[image_at].strip()
        if not path:
            raise DataError(
                "empty image path", path=table, line=line, field=image_column
            )
        file = Path(path) if Path(path).is_absolute() else table.parent / path
        pixels = read_image(file, size, channels, (table, line, image_column))
        if size is None:
            size = pixels.shape[:2]
        images.append(pixels)
        captions.append(caption)
        names.append(path)
    if not images:
        raise DataError("no rows below the header", path=table)
    return CaptionSplit(np.stack(images), captions, names)
