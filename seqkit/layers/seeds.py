"""Distinct, reproducible seeds for the random layers of one model."""

import zlib


def layer_seed(seed, name):
    """The seed of the random layer `name` in a model seeded with `seed`.

    Keras draws each layer's dropout masks from the layer's own
    `SeedGenerator`, and generators made from one integer give the same
    stream of numbers. Layers seeded alike and called once per batch would
    then draw equal masks: a spatial dropout over 50 channels and an RNN's
    input dropout over the same 50 features drop the same units on every
    batch (the kept ones scaled twice), and the forward and backward halves
    of a bidirectional layer share their masks. Each layer gets its own
    seed instead, a hash of the model's seed and the layer's name: the same
    on every run and machine.

    Args:
        seed: the model's int seed, or None (then None: Keras picks).
        name: the layer's name, unique within the model.

    Returns:
        A non-negative int below 2**31, or None.
    """
    if seed is None:
        return None
    return zlib.crc32(f"{int(seed)}/{name}".encode()) & 0x7FFFFFFF


def seeded_dropout(rate, seed, name):
    """`keras.layers.Dropout(rate)` named `name`, seeded by `layer_seed`."""
    import keras

    return keras.layers.Dropout(rate, seed=layer_seed(seed, name), name=name)
