"""Masked attention: DeepMoji's attention pooling and additive attention."""

import keras
from keras import ops

from seqkit.layers.pooling import lowest_value, time_mask
from seqkit.registry import register


def masked_softmax(scores, valid):
    """A softmax over the last axis that gives padding exactly zero weight.

    The maximum of the unmasked scores is subtracted first, so large scores
    cannot overflow. A row with no unmasked step gets all-zero weights, not
    NaN.

    Args:
        scores: a float tensor `[..., time]`.
        valid: a boolean tensor of the same shape, True on real steps.

    Returns:
        A tensor like `scores`: on each row the weights of the real steps sum
        to 1 and every padding weight is 0 (all zeros on a row of padding).
    """
    low = lowest_value(scores.dtype)
    top = ops.max(ops.where(valid, scores, low), axis=-1, keepdims=True)
    any_valid = ops.any(valid, axis=-1, keepdims=True)
    # The shift changes no weight, so no gradient needs to flow through it.
    top = ops.stop_gradient(ops.where(any_valid, top, ops.zeros_like(top)))
    shifted = ops.where(valid, scores - top, ops.zeros_like(scores))
    exps = ops.where(valid, ops.exp(shifted), ops.zeros_like(scores))
    total = ops.sum(exps, axis=-1, keepdims=True)
    return exps / ops.where(total > 0, total, ops.ones_like(total))


def _weighted_sum(values, weights, valid):
    # Padding is zeroed with `where` so non-finite padding cannot leak in as
    # `0 * inf`.
    kept = ops.where(valid[:, :, None], values, ops.zeros_like(values))
    return ops.sum(kept * weights[:, :, None], axis=1)


@register(
    example={"init": {"return_attention": True}, "input_shape": (2, 5, 3)}
)
class AttentionPooling(keras.layers.Layer):
    """DeepMoji's attention-weighted average of a sequence.

    A learned vector `w` scores every step, `e_t = x_t . w`; a softmax over
    the real steps turns the scores into weights `a_t`, and the output is
    `sum_t a_t x_t`. This is the `AttentionWeightedAverage` layer of
    DeepMoji (Felbo et al., 2017), which reads the concatenated embedding
    and LSTM outputs of every step; the weight is `kernel`, of shape
    `[features, 1]` as there.

    Masks: the mask of the input (or `mask=`) marks the real steps. Padding
    gets a weight of exactly 0 and the weights of the real steps sum to 1; a
    row of only padding gets all-zero weights and a zero output, never NaN.
    Without a mask every step counts. The outputs carry no mask.

    Args:
        return_attention: also return the weights.
        kernel_initializer: initializer of `w` (DeepMoji's is `"uniform"`).
        kernel_regularizer: regularizer of `w`.
        kernel_constraint: constraint on `w`.
        **kwargs: base `keras.layers.Layer` arguments (`name`, `dtype`...).

    Returns:
        The pooled `[batch, features]` tensor; with `return_attention=True`
        the list `[pooled, weights]`, the weights of shape `[batch, time]`.

    Example:

    ```python
    import keras
    import numpy as np

    import seqkit.layers

    x = keras.Input((None,), dtype="int32")
    h = keras.layers.Embedding(1000, 32, mask_zero=True)(x)
    h = seqkit.layers.LSTM(64, return_sequences=True)(h)
    pooled, weights = seqkit.layers.AttentionPooling(
        return_attention=True
    )(h)
    model = keras.Model(x, [pooled, weights])
    pooled, weights = model(np.array([[4, 7, 9], [5, 2, 0]]))  # 0: padding
    assert pooled.shape == (2, 64) and float(weights[1, 2]) == 0.0
    ```
    """

    def __init__(
        self,
        return_attention=False,
        kernel_initializer="uniform",
        kernel_regularizer=None,
        kernel_constraint=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.return_attention = return_attention
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.kernel_regularizer = keras.regularizers.get(kernel_regularizer)
        self.kernel_constraint = keras.constraints.get(kernel_constraint)
        self.supports_masking = True
        self.input_spec = keras.layers.InputSpec(ndim=3)

    def build(self, input_shape):
        self.kernel = self.add_weight(
            shape=(input_shape[-1], 1),
            name="kernel",
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
        )

    def call(self, inputs, mask=None):
        valid = time_mask(mask, inputs)
        scores = ops.squeeze(ops.matmul(inputs, self.kernel), axis=-1)
        weights = masked_softmax(scores, valid)
        pooled = _weighted_sum(inputs, weights, valid)
        if self.return_attention:
            return [pooled, weights]
        return pooled

    def compute_mask(self, inputs, mask=None):
        return [None, None] if self.return_attention else None

    def compute_output_shape(self, input_shape):
        pooled = (input_shape[0], input_shape[2])
        if self.return_attention:
            return [pooled, (input_shape[0], input_shape[1])]
        return pooled

    def get_config(self):
        ser = keras.saving.serialize_keras_object
        config = {
            "return_attention": self.return_attention,
            "kernel_initializer": ser(self.kernel_initializer),
            "kernel_regularizer": ser(self.kernel_regularizer),
            "kernel_constraint": ser(self.kernel_constraint),
        }
        return {**super().get_config(), **config}


@register(example={"init": {"units": 4}, "input_shape": [(2, 3), (2, 5, 2)]})
class AdditiveAttention(keras.layers.Layer):
    """Additive (Bahdanau) attention of one query vector over a sequence.

    Each step `k_t` of `values` is scored against the query `q` with
    `e_t = v^T tanh(W_q q + W_k k_t + b)`; a softmax over the real steps
    gives the weights `a_t`, and the context is `sum_t a_t k_t`. This is the
    attention of Bahdanau et al. (2015) and of Show, Attend and Tell (Xu et
    al., 2015), where the query is the decoder state and the values the
    encoder outputs or image regions. Weights: `query_kernel` (W_q,
    `[query_dim, units]`), `key_kernel` (W_k, `[values_dim, units]`), `bias`
    (b, `[units]`) and `score_kernel` (v, `[units, 1]`).

    Unlike `keras.layers.AdditiveAttention` (a sequence of queries, scores
    `sum(tanh(q + k))` without the projections), this takes one query per
    example and learns its projections.

    Masks: the layer is called on `[query, values]`. The mask of `values`
    marks its real steps: in a functional model it arrives on its own
    (Keras passes `mask=[query_mask, values_mask]` to layers called on a
    list), and eagerly it can be given as `mask=[None, values_mask]` or as
    `mask=values_mask`. A query mask is ignored. Padding gets a weight of
    exactly 0; a row of only padding gets all-zero weights and a zero
    context, never NaN. The outputs carry no mask.

    Args:
        units: positive int, size of the hidden scoring layer.
        use_bias: whether to add `b`.
        kernel_initializer: initializer of W_q, W_k and v.
        bias_initializer: initializer of b.
        kernel_regularizer: regularizer of W_q, W_k and v.
        bias_regularizer: regularizer of b.
        kernel_constraint: constraint on W_q, W_k and v.
        bias_constraint: constraint on b.
        **kwargs: base `keras.layers.Layer` arguments (`name`, `dtype`...).

    Returns:
        The list `[context, weights]`: `context` of shape `[batch,
        values_dim]` and `weights` of shape `[batch, time]`.

    Raises:
        ValueError: if `units` is not a positive integer, or the inputs are
            not `[query (rank 2), values (rank 3)]`.

    Example:

    ```python
    import keras

    import seqkit.layers

    state = keras.Input((64,))
    encoded = keras.Input((None, 32))
    context, weights = seqkit.layers.AdditiveAttention(16)(
        [state, encoded]
    )
    ```
    """

    def __init__(
        self,
        units,
        use_bias=True,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        kernel_regularizer=None,
        bias_regularizer=None,
        kernel_constraint=None,
        bias_constraint=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if not isinstance(units, int) or isinstance(units, bool) or units <= 0:
            raise ValueError(
                f"`units` must be a positive integer; received units={units!r}"
            )
        self.units = units
        self.use_bias = use_bias
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.bias_initializer = keras.initializers.get(bias_initializer)
        self.kernel_regularizer = keras.regularizers.get(kernel_regularizer)
        self.bias_regularizer = keras.regularizers.get(bias_regularizer)
        self.kernel_constraint = keras.constraints.get(kernel_constraint)
        self.bias_constraint = keras.constraints.get(bias_constraint)
        self.supports_masking = True

    def build(self, input_shape):
        query_shape, values_shape = _check_input_shapes(input_shape)
        self.query_kernel = self._kernel("query_kernel", query_shape[-1])
        self.key_kernel = self._kernel("key_kernel", values_shape[-1])
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(
                shape=(self.units,),
                name="bias",
                initializer=self.bias_initializer,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
            )
        self.score_kernel = self.add_weight(
            shape=(self.units, 1),
            name="score_kernel",
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
        )

    def _kernel(self, name, input_dim):
        return self.add_weight(
            shape=(input_dim, self.units),
            name=name,
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
        )

    def call(self, inputs, mask=None):
        query, values = inputs
        if isinstance(mask, (list, tuple)):
            mask = mask[1]
        valid = time_mask(mask, values)
        hidden = ops.matmul(values, self.key_kernel)
        hidden = hidden + ops.matmul(query, self.query_kernel)[:, None, :]
        if self.use_bias:
            hidden = hidden + self.bias
        scores = ops.matmul(ops.tanh(hidden), self.score_kernel)
        weights = masked_softmax(ops.squeeze(scores, axis=-1), valid)
        return [_weighted_sum(values, weights, valid), weights]

    def compute_mask(self, inputs, mask=None):
        return [None, None]

    def compute_output_shape(self, input_shape):
        query_shape, values_shape = _check_input_shapes(input_shape)
        batch = query_shape[0]
        return [(batch, values_shape[2]), (batch, values_shape[1])]

    def get_config(self):
        ser = keras.saving.serialize_keras_object
        config = {
            "units": self.units,
            "use_bias": self.use_bias,
            "kernel_initializer": ser(self.kernel_initializer),
            "bias_initializer": ser(self.bias_initializer),
            "kernel_regularizer": ser(self.kernel_regularizer),
            "bias_regularizer": ser(self.bias_regularizer),
            "kernel_constraint": ser(self.kernel_constraint),
            "bias_constraint": ser(self.bias_constraint),
        }
        return {**super().get_config(), **config}


def _check_input_shapes(input_shape):
    ranks = None
    if isinstance(input_shape, (list, tuple)) and len(input_shape) == 2:
        if all(isinstance(s, (list, tuple)) for s in input_shape):
            ranks = [len(s) for s in input_shape]
    if ranks != [2, 3]:
        raise ValueError(
            "AdditiveAttention expects `[query, values]` with query of shape "
            "[batch, query_dim] and values of shape [batch, time, "
            f"values_dim]; received input shapes {input_shape!r}"
        )
    return tuple(input_shape[0]), tuple(input_shape[1])
