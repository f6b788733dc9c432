"""Pooling over the time axis that honours the Keras mask."""

import keras
import numpy as np
from keras import ops

from seqkit.registry import register

POOLING_MODES = ("mean", "max", "last")


def time_mask(mask, inputs):
    """A boolean `[batch, time]` mask for `inputs` (all True when None).

    Args:
        mask: None, or a `[batch, time]` tensor (bool, int or float; nonzero
            means a real step).
        inputs: the `[batch, time, ...]` tensor the mask belongs to.

    Returns:
        A boolean tensor of shape `[batch, time]`.
    """
    if mask is None:
        return ops.ones(ops.shape(inputs)[:2], dtype="bool")
    if keras.backend.standardize_dtype(mask.dtype) == "bool":
        return mask
    return ops.not_equal(mask, 0)


# NumPy's `finfo` does not know bfloat16.
_LOWEST = {"float16": -65504.0, "bfloat16": -3.3895313892515355e38}


def lowest_value(dtype):
    """The most negative finite number of a float dtype.

    Used instead of `-inf` to push masked steps out of a max or a softmax:
    `-inf` turns into NaN as soon as it meets another `-inf` (`-inf - -inf`)
    or a zero weight, and a row of only padding would meet both.
    """
    dtype = keras.backend.standardize_dtype(dtype)
    if dtype in _LOWEST:
        return _LOWEST[dtype]
    return float(np.finfo(np.dtype(dtype)).min)


@register(example={"init": {"mode": "mean"}, "input_shape": (2, 5, 3)})
class SequencePooling(keras.layers.Layer):
    """Pools `[batch, time, features]` over time into `[batch, features]`.

    `mode="mean"` averages the real (unmasked) steps, `"max"` takes their
    elementwise maximum and `"last"` the features at the last real step: the
    last position where the mask is True, so right-padded and arbitrary
    masks both work. This is how a recurrent encoder's sequence output is
    usually summarised (the last step being the final state when the
    network reads left to right).

    Masks: the mask of the input (or `mask=`) marks the real steps; padding
    never enters the result. A row of only padding gives zeros, never NaN or
    `-inf`. Without a mask every step counts. The output carries no mask.

    Args:
        mode: `"mean"`, `"max"` or `"last"`.
        **kwargs: base `keras.layers.Layer` arguments (`name`, `dtype`...).

    Returns:
        A tensor of shape `[batch, features]`.

    Raises:
        ValueError: if `mode` is not one of the three.

    Example:

    ```python
    import keras
    import numpy as np

    import seqkit.layers

    h = np.array([[[1.0], [3.0], [2.0]], [[4.0], [0.0], [0.0]]])
    mask = np.array([[True, True, True], [True, False, False]])
    pooled = seqkit.layers.SequencePooling("mean")(h, mask=mask)
    assert np.allclose(keras.ops.convert_to_numpy(pooled), [[2.0], [4.0]])
    ```
    """

    def __init__(self, mode="mean", **kwargs):
        super().__init__(**kwargs)
        if mode not in POOLING_MODES:
            raise ValueError(
                f"`mode` must be one of {POOLING_MODES}; received mode={mode!r}"
            )
        self.mode = mode
        self.supports_masking = True
        self.input_spec = keras.layers.InputSpec(ndim=3)

    def build(self, input_shape):
        self.built = True

    def call(self, inputs, mask=None):
        if mask is None:
            return self._unmasked(inputs)
        valid = time_mask(mask, inputs)
        if self.mode == "mean":
            return self._mean(inputs, valid)
        if self.mode == "max":
            return self._max(inputs, valid)
        return self._last(inputs, valid)

    def _unmasked(self, inputs):
        if self.mode == "mean":
            return ops.mean(inputs, axis=1)
        if self.mode == "max":
            return ops.max(inputs, axis=1)
        return inputs[:, -1, :]

    def _mean(self, inputs, valid):
        # `where`, not a product, so that non-finite values sitting in
        # padding cannot leak into the sum.
        kept = ops.where(valid[:, :, None], inputs, ops.zeros_like(inputs))
        count = ops.sum(ops.cast(valid, inputs.dtype), axis=1, keepdims=True)
        return ops.sum(kept, axis=1) / ops.maximum(count, 1.0)

    def _max(self, inputs, valid):
        low = ops.full_like(inputs, lowest_value(inputs.dtype))
        pooled = ops.max(ops.where(valid[:, :, None], inputs, low), axis=1)
        any_valid = ops.any(valid, axis=1)[:, None]
        return ops.where(any_valid, pooled, ops.zeros_like(pooled))

    def _last(self, inputs, valid):
        steps = ops.arange(ops.shape(inputs)[1], dtype="int32")[None, :]
        # -1 for a row of only padding: it then matches no step below.
        last = ops.max(ops.where(valid, steps, -1), axis=1, keepdims=True)
        chosen = ops.equal(steps, last)[:, :, None]
        picked = ops.where(chosen, inputs, ops.zeros_like(inputs))
        return ops.sum(picked, axis=1)

    def compute_mask(self, inputs, mask=None):
        return None

    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[2])

    def get_config(self):
        return {**super().get_config(), "mode": self.mode}
