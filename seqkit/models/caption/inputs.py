"""Reading the inputs a caption model predicts on: images, .npy, tables."""

from pathlib import Path

import numpy as np

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
