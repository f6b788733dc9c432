"""Gated recurrent unit (Cho et al. 2014)."""

import keras
from keras import ops

from seqkit.layers.rnn import fused
from seqkit.layers.rnn.base import GatedCell, RecurrentLayer
from seqkit.registry import register


@register(
    example={
        "init": {"units": 3, "reset_after": False},
        "input_shape": (2, 5, 4),
    }
)
class GRUCell(GatedCell):
    """One GRU step with update gate z and reset gate r.

    Blocks in Keras's order z, r, h. With `x W + b` and `s U` split so:

    ```
    z = sigma(x W_z + s U_z + b_z)      r = sigma(x W_r + s U_r + b_r)
    reset_after=False (classic, Cho et al.):
        s~ = g(x W_h + b_h + (r * s) U_h)
    reset_after=True (cuDNN's):
        s~ = g(x W_h + b_h + r * (s U_h + b'_h))
    s_new = z * s + (1 - z) * s~
    ```

    The update gate follows Keras's convention: z keeps the old state. The
    textbook form (Chung et al. 2014, Goldberg 2017) writes
    `(1 - z) * s + z * s~`, i.e. z and 1 - z swapped; the two are the same
    model with the gate negated. Weights are Keras's layout; with
    `reset_after=True` the bias is `(2, 3 * units)`: input and recurrent
    biases.

    Args:
        units: positive int, size of the state.
        activation: g, default `"tanh"`.
        recurrent_activation: sigma, default `"sigmoid"`;
            `"hard_sigmoid_keras2"` reproduces Keras-2-era models.
        use_bias: whether to add the biases.
        reset_after: apply the reset gate after the recurrent matrix (the
            cuDNN variant, Keras's default) or before it (classic).
        **kwargs: the arguments shared by every seqkit cell (see `ElmanCell`)
            and base layer arguments.

    Example:

    ```python
    import keras

    import seqkit.layers

    layer = keras.layers.RNN(seqkit.layers.GRUCell(32, reset_after=False))
    ```
    """

    gates = 3

    def __init__(
        self,
        units,
        activation="tanh",
        recurrent_activation="sigmoid",
        use_bias=True,
        reset_after=True,
        **kwargs,
    ):
        super().__init__(
            units,
            activation=activation,
            recurrent_activation=recurrent_activation,
            use_bias=use_bias,
            **kwargs,
        )
        self.reset_after = reset_after

    def bias_shape(self):
        if self.reset_after:
            return (2, 3 * self.units)
        return (3 * self.units,)

    def step_from_projection(self, projection, states, training=False):
        s_prev = states[0] if isinstance(states, (list, tuple)) else states
        s = self.dropped_state(s_prev, training)
        u = self.units
        x_proj = projection
        if self.reset_after:
            s_proj = ops.matmul(s, self.recurrent_kernel)
            if self.use_bias:
                x_proj = x_proj + self.bias[0]
                s_proj = s_proj + self.bias[1]
        else:
            s_proj = ops.matmul(s, self.recurrent_kernel[:, : 2 * u])
        z = self.recurrent_activation(x_proj[:, :u] + s_proj[:, :u])
        r = self.recurrent_activation(
            x_proj[:, u : 2 * u] + s_proj[:, u : 2 * u]
        )
        if self.reset_after:
            recurrent = r * s_proj[:, 2 * u :]
        else:
            recurrent = ops.matmul(r * s, self.recurrent_kernel[:, 2 * u :])
        proposal = self.activation(x_proj[:, 2 * u :] + recurrent)
        state = z * s_prev + (1.0 - z) * proposal
        return state, [state]

    def get_config(self):
        return {**super().get_config(), "reset_after": self.reset_after}


@register(example={"init": {"units": 3}, "input_shape": (2, 5, 4)})
class GRU(RecurrentLayer, keras.layers.GRU):
    """A GRU over a sequence (a thin layer over `GRUCell`).

    A drop-in for `keras.layers.GRU` with the same weights. With
    `use_cudnn="auto"` it runs Keras's fused cuDNN kernel whenever
    `seqkit.layers.cudnn_eligibility(layer)` allows (tanh, sigmoid, no
    recurrent dropout, no unroll, a bias, `reset_after=True`, a visible GPU)
    and the batch's mask is right-padded with no empty row; otherwise the
    generic loop over `GRUCell`.

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
        use_cudnn: `"auto"`, `True` or `False`.
        **kwargs: the `GRUCell` arguments (`reset_after`, ...) and base layer
            arguments.

    Example:

    ```python
    import keras

    import seqkit.layers

    x = keras.Input((None, 32))
    y = seqkit.layers.GRU(64, reset_after=False)(x)
    ```
    """

    cell_class = GRUCell
    fused_layer_class = keras.layers.GRU

    def inner_loop(self, sequences, initial_state, mask, training=False):
        return fused.inner_loop(self, sequences, initial_state, mask, training)
