"""Activations that Keras 3 lacks but recurrent models of the field used."""

import keras
from keras import ops

HARD_SIGMOID_KERAS2 = "hard_sigmoid_keras2"


def hard_sigmoid_keras2(x):
    """Keras 2's hard sigmoid: `clip(0.2 * x + 0.5, 0, 1)`.

    Keras 3's `hard_sigmoid` is `relu6(x + 3) / 6` (slope 1/6), so models
    trained in the DeepMoji era (Keras 1-2, where LSTMs defaulted to this
    function as their recurrent activation) need this one to reproduce their
    outputs.

    Args:
        x: a tensor.

    Returns:
        A tensor of the same shape with values in [0, 1].
    """
    return ops.clip(0.2 * x + 0.5, 0.0, 1.0)


def get_activation(identifier):
    """Resolves an activation name, callable or None to a callable.

    Args:
        identifier: `"hard_sigmoid_keras2"`, any name Keras knows, a
            callable, or None (linear).

    Returns:
        The activation function.

    Raises:
        ValueError: if Keras does not know the name.
    """
    if identifier == HARD_SIGMOID_KERAS2:
        return hard_sigmoid_keras2
    return keras.activations.get(identifier)


def serialize_activation(fn):
    """The inverse of `get_activation`: a name that `get_activation` reads."""
    if fn is hard_sigmoid_keras2:
        return HARD_SIGMOID_KERAS2
    return keras.activations.serialize(fn)
