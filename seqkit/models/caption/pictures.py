"""Pictures of a caption model's attention over its input."""

import math
from pathlib import Path

import numpy as np


def attention_weights(model, inputs, captions):
    """What each word of `captions` attended to, given `inputs`.

    Returns:
        A list of arrays `[words + 1, regions]`: one row per generated
        word and one for the end token, as the decoder weighed the regions
        when it produced them.
    """
    from keras import ops

    from seqkit.models.caption.model import encode_captions

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
