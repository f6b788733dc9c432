"""The Elman network (the "simple RNN")."""

import keras
from keras import ops

from seqkit.layers.rnn import fused
from seqkit.layers.rnn.base import RecurrentCell, RecurrentLayer
from seqkit.registry import register


@register(example={"init": {"units": 3}, "input_shape": (2, 5, 4)})
class ElmanCell(RecurrentCell):
    """One step of an Elman network: `s_i = g(s_{i-1} U + x_i W + b)`.

    Weights are Keras's `SimpleRNNCell` layout: `kernel` (W, input x units),
    `recurrent_kernel` (U, units x units) and `bias` (b, units), so weights
    move between this cell and `keras.layers.SimpleRNNCell` unchanged. The
    output is the new state.

    Every seqkit cell writes its equations once, in
    `step_from_projection(projection, states)`, which takes the step's
    `x_i W + b` (`input_projection(x_i)`, one row per input row); `call`
    projects `x_i` and calls it.

    Args:
        units: positive int, size of the state.
        activation: g, default `"tanh"` (`"relu"` is the other usual one).
        use_bias: whether to add `b`.
        kernel_initializer: initializer of W.
        recurrent_initializer: initializer of U.
        bias_initializer: initializer of b.
        kernel_regularizer: regularizer of W.
        recurrent_regularizer: regularizer of U.
        bias_regularizer: regularizer of b.
        kernel_constraint: constraint on W.
        recurrent_constraint: constraint on U.
        bias_constraint: constraint on b.
        dropout: rate of dropout on `x_i` (one mask per sequence).
        recurrent_dropout: rate of dropout on `s_{i-1}` (one mask per
            sequence).
        seed: int, seed of the dropout masks.
        **kwargs: base `keras.layers.Layer` arguments.

    Example:

    ```python
    import keras
    import numpy as np

    import seqkit.layers

    layer = keras.layers.RNN(seqkit.layers.ElmanCell(16))
    states = layer(np.zeros((2, 3, 8), "float32"))  # [batch, time, features]
    assert states.shape == (2, 16)
    ```
    """

    gates = 1

    def step_from_projection(self, projection, states, training=False):
        prev = states[0] if isinstance(states, (list, tuple)) else states
        s = self.dropped_state(prev, training)
        state = self.activation(
            projection + ops.matmul(s, self.recurrent_kernel)
        )
        return state, [state]


@register(example={"init": {"units": 3}, "input_shape": (2, 5, 4)})
class Elman(RecurrentLayer, keras.layers.SimpleRNN):
    """An Elman network over a sequence (a thin layer over `ElmanCell`).

    A drop-in for `keras.layers.SimpleRNN` (same weights). Keras has no fused
    kernel for it, so it always runs the generic loop; `use_cudnn=True` is
    refused.

    Masks: a masked step leaves the state unchanged; with
    `return_sequences=True` its output is zeros.

    Args:
        units: positive int, size of the state.
        return_sequences: return every step's output, not just the last.
        return_state: also return the final state.
        go_backwards: read the sequence from the end.
        stateful: carry the state from batch to batch.
        unroll: unroll the loop (short sequences only).
        zero_output_for_mask: masked steps of the returned sequence output
            zeros rather than the previous output; defaults to
            `return_sequences` (never set it with `return_sequences=False`:
            the last output of a padded row would be zeros).
        use_cudnn: `"auto"` or `False` (`True` is refused: there is no fused
            Elman kernel in Keras).
        **kwargs: the `ElmanCell` arguments (activation, initializers,
            dropout, ...) and base layer arguments.

    Example:

    ```python
    import keras

    import seqkit.layers

    x = keras.Input((None,), dtype="int32")
    h = keras.layers.Embedding(1000, 32, mask_zero=True)(x)
    h = seqkit.layers.Elman(64, activation="relu")(h)
    ```
    """

    cell_class = ElmanCell
    fused_layer_class = None

    def __init__(self, units, use_cudnn="auto", **kwargs):
        if use_cudnn is True:
            raise ValueError(
                "use_cudnn=True: Keras has no fused kernel for Elman "
                "networks; use use_cudnn='auto' or False"
            )
        super().__init__(units, use_cudnn=use_cudnn, **kwargs)

    def inner_loop(self, sequences, initial_state, mask, training=False):
        return fused.inner_loop(self, sequences, initial_state, mask, training)
