"""What the Elman, LSTM and GRU cells and layers share.

A cell computes one time step; the layers are thin subclasses of Keras's own
recurrent layers with the seqkit cell inside, so `keras.layers.RNN` owns the
loop, masking, statefulness and `go_backwards`, and Keras's fused (cuDNN)
kernels are reached through the layers' inherited `inner_loop`.
"""

import inspect

import keras
from keras import ops

from seqkit.layers.activations import get_activation, serialize_activation


class RecurrentCell(keras.layers.Layer):
    """Base of the seqkit cells: arguments, weights and dropout masks.

    Subclasses set `gates` (how many blocks of `units` columns the kernels
    hold) and implement `step_from_projection(projection, states,
    training=False)`, the step's equations given the input's projection
    `x W^x + b`; `call(inputs, states, training=False)` projects the input
    and calls it.

    Dropout follows Gal and Ghahramani: one input mask and one recurrent mask
    per sequence, drawn once and shared by every step and every gate.
    """

    gates = 1

    def __init__(
        self,
        units,
        activation="tanh",
        use_bias=True,
        kernel_initializer="glorot_uniform",
        recurrent_initializer="orthogonal",
        bias_initializer="zeros",
        kernel_regularizer=None,
        recurrent_regularizer=None,
        bias_regularizer=None,
        kernel_constraint=None,
        recurrent_constraint=None,
        bias_constraint=None,
        dropout=0.0,
        recurrent_dropout=0.0,
        seed=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if not isinstance(units, int) or isinstance(units, bool) or units <= 0:
            raise ValueError(
                f"`units` must be a positive integer; received units={units!r}"
            )
        for name, rate in (
            ("dropout", dropout),
            ("recurrent_dropout", recurrent_dropout),
        ):
            if not 0.0 <= rate < 1.0:
                raise ValueError(
                    f"`{name}` must be in [0, 1); received {name}={rate!r}"
                )
        self.units = units
        self.activation = get_activation(activation)
        self.use_bias = use_bias
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.recurrent_initializer = keras.initializers.get(
            recurrent_initializer
        )
        self.bias_initializer = keras.initializers.get(bias_initializer)
        self.kernel_regularizer = keras.regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = keras.regularizers.get(
            recurrent_regularizer
        )
        self.bias_regularizer = keras.regularizers.get(bias_regularizer)
        self.kernel_constraint = keras.constraints.get(kernel_constraint)
        self.recurrent_constraint = keras.constraints.get(recurrent_constraint)
        self.bias_constraint = keras.constraints.get(bias_constraint)
        self.dropout = float(dropout)
        self.recurrent_dropout = float(recurrent_dropout)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed=seed)
        self.state_size = units
        self.output_size = units
        self._dropout_mask = None
        self._recurrent_dropout_mask = None

    # -- weights ---------------------------------------------------------

    def bias_shape(self):
        """Shape of the bias vector (the GRU's cuDNN variant overrides)."""
        return (self.gates * self.units,)

    def build(self, input_shape):
        input_dim = input_shape[-1]
        width = self.gates * self.units
        self.kernel = self.add_weight(
            shape=(input_dim, width),
            name="kernel",
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
        )
        self.recurrent_kernel = self.add_weight(
            shape=(self.units, width),
            name="recurrent_kernel",
            initializer=self.recurrent_initializer,
            regularizer=self.recurrent_regularizer,
            constraint=self.recurrent_constraint,
        )
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(
                shape=self.bias_shape(),
                name="bias",
                initializer=self.bias_initializer,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
            )

    # -- dropout ---------------------------------------------------------
    # The names match Keras's own cells: Keras's fused-kernel path calls
    # `cell.get_dropout_mask` directly.

    def _draw_mask(self, like, rate):
        return keras.random.dropout(
            ops.ones_like(like), rate=rate, seed=self.seed_generator
        )

    def get_dropout_mask(self, step_input):
        """The input dropout mask of the current sequence (drawn once)."""
        if self._dropout_mask is None and self.dropout > 0:
            self._dropout_mask = self._draw_mask(step_input, self.dropout)
        return self._dropout_mask

    def get_recurrent_dropout_mask(self, state):
        """The recurrent dropout mask of the current sequence."""
        if self._recurrent_dropout_mask is None and self.recurrent_dropout > 0:
            self._recurrent_dropout_mask = self._draw_mask(
                state, self.recurrent_dropout
            )
        return self._recurrent_dropout_mask

    def reset_dropout_mask(self):
        """Forgets the input mask, so the next sequence draws its own."""
        self._dropout_mask = None

    def reset_recurrent_dropout_mask(self):
        """Forgets the recurrent mask."""
        self._recurrent_dropout_mask = None

    def dropped_state(self, state, training):
        """A step's recurrent input with this sequence's recurrent mask."""
        if training and self._recurrent_dropout_mask is not None:
            state = state * self._recurrent_dropout_mask
        return state

    # -- the step --------------------------------------------------------

    def call(self, inputs, states, training=False):
        """One step: `step_from_projection` of the input's projection.

        Input dropout (this sequence's mask) applies to `inputs` before
        they are projected.
        """
        if training and self._dropout_mask is not None:
            inputs = inputs * self._dropout_mask
        return self.step_from_projection(
            self.input_projection(inputs), states, training=training
        )

    def input_projection(self, inputs):
        """`x W^x + b`: the input's share of every gate, in Keras's columns.

        A row depends on its input row only, so the projections of every
        word vector of a vocabulary can be computed once and a step given
        rows of that table (`step_from_projection`). A GRU with
        `reset_after=True` adds its input bias row in the step instead, so
        its projection is `x W^x`.

        Args:
            inputs: `[batch, features]` step inputs (after input dropout).

        Returns:
            `[batch, gates * units]`.
        """
        projected = ops.matmul(inputs, self.kernel)
        if self.use_bias and len(self.bias_shape()) == 1:
            projected = projected + self.bias
        return projected

    def step_from_projection(self, projection, states, training=False):
        """One step from its input's `input_projection`: the equations.

        `call(x, states)` is `step_from_projection(input_projection(x),
        states)`; the cells write their equations here, once. Input dropout
        cannot reach a projection: apply it to `x` before projecting (as
        `call` does). Recurrent dropout applies here, in training.

        Args:
            projection: `[batch, gates * units]`, `input_projection` of the
                step's inputs.
            states: the previous states (`state_size` of them).
            training: whether to apply the recurrent dropout mask.

        Returns:
            `(output, new_states)`, as `call` returns them.
        """
        raise NotImplementedError(
            f"{type(self).__name__} must implement step_from_projection"
        )

    # -- config ----------------------------------------------------------

    def get_config(self):
        ser = keras.saving.serialize_keras_object
        config = {
            "units": self.units,
            "activation": serialize_activation(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": ser(self.kernel_initializer),
            "recurrent_initializer": ser(self.recurrent_initializer),
            "bias_initializer": ser(self.bias_initializer),
            "kernel_regularizer": ser(self.kernel_regularizer),
            "recurrent_regularizer": ser(self.recurrent_regularizer),
            "bias_regularizer": ser(self.bias_regularizer),
            "kernel_constraint": ser(self.kernel_constraint),
            "recurrent_constraint": ser(self.recurrent_constraint),
            "bias_constraint": ser(self.bias_constraint),
            "dropout": self.dropout,
            "recurrent_dropout": self.recurrent_dropout,
            "seed": self.seed,
        }
        return {**super().get_config(), **config}


class GatedCell(RecurrentCell):
    """A cell with a recurrent (gate) activation besides its activation."""

    def __init__(
        self,
        units,
        activation="tanh",
        recurrent_activation="sigmoid",
        **kwargs,
    ):
        super().__init__(units, activation=activation, **kwargs)
        self.recurrent_activation = get_activation(recurrent_activation)

    def get_config(self):
        return {
            **super().get_config(),
            "recurrent_activation": serialize_activation(
                self.recurrent_activation
            ),
        }


# Arguments of `keras.layers.RNN` that a seqkit layer takes besides the
# cell's own.
_LAYER_ARGS = (
    "return_sequences",
    "return_state",
    "go_backwards",
    "stateful",
    "unroll",
    "zero_output_for_mask",
)


def _cell_parameters(cell_class):
    names = set()
    for klass in cell_class.__mro__:
        if klass is keras.layers.Layer:
            break
        params = inspect.signature(klass.__init__).parameters
        names.update(n for n in params if n not in ("self", "kwargs"))
    return names


class RecurrentLayer:
    """Mixin for the thin seqkit layers over Keras's recurrent layers.

    The layer is built from `units` and the cell's own arguments (which it
    forwards to `cell_class`), the `keras.layers.RNN` arguments, and
    `use_cudnn`. Its config is flat (the cell's arguments at the top level),
    so `cls(**layer.get_config())` rebuilds it.

    Masks: the mask of the input (or `mask=`) is honoured by the Keras loop:
    a masked step leaves the state unchanged, and with
    `return_sequences=True` its output is zeros.
    """

    cell_class = None

    def __init__(
        self,
        units,
        return_sequences=False,
        return_state=False,
        go_backwards=False,
        stateful=False,
        unroll=False,
        zero_output_for_mask=None,
        use_cudnn="auto",
        **kwargs,
    ):
        if use_cudnn not in ("auto", True, False):
            raise ValueError(
                "`use_cudnn` must be 'auto', True or False; received "
                f"use_cudnn={use_cudnn!r}"
            )
        if zero_output_for_mask is None:
            # Zeroing masked outputs would also zero the last output of a
            # padded row, so it only applies to returned sequences.
            zero_output_for_mask = return_sequences
        names = _cell_parameters(self.cell_class)
        cell_kwargs = {k: kwargs.pop(k) for k in list(kwargs) if k in names}
        cell = self.cell_class(
            units,
            dtype=kwargs.get("dtype"),
            trainable=kwargs.get("trainable", True),
            name="cell",
            **cell_kwargs,
        )
        # Keras's LSTM/GRU/SimpleRNN constructors build their own cell, so
        # the seqkit layers go straight to `keras.layers.RNN.__init__`.
        keras.layers.RNN.__init__(
            self,
            cell,
            return_sequences=return_sequences,
            return_state=return_state,
            go_backwards=go_backwards,
            stateful=stateful,
            unroll=unroll,
            zero_output_for_mask=zero_output_for_mask,
            **kwargs,
        )
        self.input_spec = keras.layers.InputSpec(ndim=3)
        self.use_cudnn = use_cudnn

    def call(self, sequences, initial_state=None, mask=None, training=False):
        if training:
            # Draw this batch's dropout masks before the loop, as Keras does
            # for its own cells, so every step shares them.
            self.cell.get_dropout_mask(sequences[:, 0, :])
            self.cell.get_recurrent_dropout_mask(
                ops.zeros((ops.shape(sequences)[0], self.cell.units))
            )
        try:
            return keras.layers.RNN.call(
                self,
                sequences,
                initial_state=initial_state,
                mask=mask,
                training=training,
            )
        finally:
            self.cell.reset_dropout_mask()
            self.cell.reset_recurrent_dropout_mask()

    def get_config(self):
        config = keras.layers.RNN.get_config(self)
        cell_config = config.pop("cell")["config"]
        for key in ("name", "trainable", "dtype"):
            cell_config.pop(key, None)
        return {**config, **cell_config, "use_cudnn": self.use_cudnn}

    @classmethod
    def from_config(cls, config):
        return cls(**config)
