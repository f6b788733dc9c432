"""Long short-term memory (Hochreiter and Schmidhuber; with forget gate)."""

import keras
from keras import ops

from seqkit.layers.rnn import fused
from seqkit.layers.rnn.base import GatedCell, RecurrentLayer
from seqkit.registry import register


@register(example={"init": {"units": 3}, "input_shape": (2, 5, 4)})
class LSTMCell(GatedCell):
    """One LSTM step, with input, forget and output gates and a cell `c`.

    With `z = x_i W + h_{i-1} U + b` split into four blocks in Keras's order
    i, f, c, o:

    ```
    i = sigma(z_i)   f = sigma(z_f)   o = sigma(z_o)   c~ = g(z_c)
    c_i = f * c_{i-1} + i * c~
    h_i = o * g(c_i)
    ```

    where sigma is `recurrent_activation` and g is `activation`. Weights are
    Keras's layout (`kernel` input x 4*units, `recurrent_kernel`
    units x 4*units, `bias` 4*units), so they move between this cell and
    `keras.layers.LSTMCell` unchanged. States are `[h, c]`.

    Args:
        units: positive int, size of `h` and `c`.
        activation: g, default `"tanh"`.
        recurrent_activation: sigma, default `"sigmoid"`;
            `"hard_sigmoid_keras2"` reproduces Keras-2-era models.
        use_bias: whether to add `b`.
        unit_forget_bias: initialise the forget-gate bias to 1 (Jozefowicz
            et al. 2015).
        **kwargs: the arguments shared by every seqkit cell (initializers,
            regularizers and constraints of `kernel`, `recurrent_kernel` and
            `bias`; `dropout`, `recurrent_dropout`, `seed`; see `ElmanCell`)
            and base layer arguments.

    Example:

    ```python
    import keras

    import seqkit.layers

    layer = keras.layers.RNN(seqkit.layers.LSTMCell(32))
    ```
    """

    gates = 4

    def __init__(
        self,
        units,
        activation="tanh",
        recurrent_activation="sigmoid",
        use_bias=True,
        unit_forget_bias=True,
        **kwargs,
    ):
        super().__init__(
            units,
            activation=activation,
            recurrent_activation=recurrent_activation,
            use_bias=use_bias,
            **kwargs,
        )
        self.unit_forget_bias = unit_forget_bias
        self.state_size = [units, units]

    def build(self, input_shape):
        super().build(input_shape)
        if self.use_bias and self.unit_forget_bias:
            u = self.units
            bias = ops.convert_to_tensor(self.bias)
            self.bias.assign(
                ops.concatenate(
                    [bias[:u], ops.ones((u,), bias.dtype), bias[2 * u :]]
                )
            )

    def step_from_projection(self, projection, states, training=False):
        h_prev, c_prev = states
        h = self.dropped_state(h_prev, training)
        z = projection + ops.matmul(h, self.recurrent_kernel)
        z_i, z_f, z_c, z_o = ops.split(z, 4, axis=-1)
        i = self.recurrent_activation(z_i)
        f = self.recurrent_activation(z_f)
        o = self.recurrent_activation(z_o)
        c = f * c_prev + i * self.activation(z_c)
        h = o * self.activation(c)
        return h, [h, c]

    def get_config(self):
        return {
            **super().get_config(),
            "unit_forget_bias": self.unit_forget_bias,
        }


@register(example={"init": {"units": 3}, "input_shape": (2, 5, 4)})
class LSTM(RecurrentLayer, keras.layers.LSTM):
    """An LSTM over a sequence (a thin layer over `LSTMCell`).

    A drop-in for `keras.layers.LSTM` with the same weights. With
    `use_cudnn="auto"` it runs Keras's fused cuDNN kernel whenever
    `seqkit.layers.cudnn_eligibility(layer)` allows (tanh, sigmoid, no
    recurrent dropout, no unroll, a bias, a visible GPU) and the batch's mask
    is right-padded with no empty row; otherwise the generic loop over
    `LSTMCell`. `use_cudnn=True` raises, naming the failed rules, where the
    fused kernel cannot run.

    Masks: a masked step leaves the state unchanged; with
    `return_sequences=True` its output is zeros.

    Args:
        units: positive int, size of the state.
        return_sequences: return every step's output, not just the last.
        return_state: also return the final states `h` and `c`.
        go_backwards: read the sequence from the end.
        stateful: carry the state from batch to batch.
        unroll: unroll the loop (short sequences only).
        zero_output_for_mask: masked steps of the returned sequence output
            zeros rather than the previous output; defaults to
            `return_sequences` (never set it with `return_sequences=False`:
            the last output of a padded row would be zeros).
        use_cudnn: `"auto"`, `True` or `False`.
        **kwargs: the `LSTMCell` arguments and base layer arguments.

    Example:

    ```python
    import numpy as np

    import seqkit.layers

    x = np.random.normal(size=(2, 3, 4)).astype("float32")  # [batch, time, 4]
    y = seqkit.layers.LSTM(8, return_sequences=True)(x)
    assert y.shape == (2, 3, 8)
    ```
    """

    cell_class = LSTMCell
    fused_layer_class = keras.layers.LSTM

    def inner_loop(self, sequences, initial_state, mask, training=False):
        return fused.inner_loop(self, sequences, initial_state, mask, training)
