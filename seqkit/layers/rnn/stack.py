"""Stacked, optionally bidirectional, recurrent networks with skips."""

import keras

from seqkit.layers.rnn.elman import Elman
from seqkit.layers.rnn.gru import GRU
from seqkit.layers.rnn.lstm import LSTM
from seqkit.layers.seeds import layer_seed
from seqkit.registry import register

CELLS = {"elman": Elman, "lstm": LSTM, "gru": GRU}


class BidirectionalRNN(keras.layers.Layer):
    """A forward and a backward recurrent layer, outputs concatenated.

    What `keras.layers.Bidirectional` computes, built from two given
    layers. Keras's wrapper rebuilds its layer from a serialized copy of
    itself, and when that happens while a model loads, Keras's object
    sharing can hand back the forward layer as the backward one (the copies
    share the id of one Python object, and ids of freed objects are
    reused); a `RecurrentStack` saved in a large model then failed to load.
    This layer takes both layers ready-made.

    Masks: both layers read the mask; the backward layer reads the real
    steps from the end, and its returned sequence is flipped back so step
    t of both halves belongs to input step t.

    Args:
        forward_layer: a recurrent layer with `go_backwards=False`.
        backward_layer: the same kind of layer with `go_backwards=True`.
        **kwargs: base layer arguments (`name`, `dtype`).
    """

    def __init__(self, forward_layer, backward_layer, **kwargs):
        super().__init__(**kwargs)
        self.forward_layer = forward_layer
        self.backward_layer = backward_layer
        self.return_sequences = forward_layer.return_sequences
        self.supports_masking = True

    def build(self, input_shape):
        self.forward_layer.build(input_shape)
        self.backward_layer.build(input_shape)

    def call(self, inputs, mask=None, training=False):
        forward = self.forward_layer(inputs, mask=mask, training=training)
        backward = self.backward_layer(inputs, mask=mask, training=training)
        if self.return_sequences:
            backward = keras.ops.flip(backward, axis=1)
        return keras.ops.concatenate([forward, backward], axis=-1)

    def compute_output_shape(self, input_shape):
        shape = list(self.forward_layer.compute_output_shape(input_shape))
        shape[-1] *= 2
        return tuple(shape)

    def compute_mask(self, inputs, mask=None):
        return mask if self.return_sequences else None


def _check_arguments(cell, num_layers, skip_connections, return_sequences):
    """Raises ValueError for a `RecurrentStack` argument it cannot take."""
    if cell not in CELLS:
        raise ValueError(
            f"`cell` must be one of {sorted(CELLS)}; received cell={cell!r}"
        )
    if not isinstance(num_layers, int) or num_layers < 1:
        raise ValueError(
            "`num_layers` must be a positive integer; received "
            f"num_layers={num_layers!r}"
        )
    if skip_connections and not return_sequences:
        raise ValueError(
            "skip_connections=True needs return_sequences=True: the "
            "skips concatenate whole sequences"
        )


@register(
    example={
        "init": {
            "cell": "gru",
            "units": 3,
            "num_layers": 2,
            "bidirectional": True,
            "skip_connections": True,
        },
        "input_shape": (2, 5, 4),
    }
)
class RecurrentStack(keras.layers.Layer):
    """`num_layers` recurrent layers, each reading the previous one's output.

    Each layer is a seqkit `Elman`, `LSTM` or `GRU` returning sequences,
    paired with a backward twin (`BidirectionalRNN`: forward and backward
    outputs concatenated, as `keras.layers.Bidirectional` does) when
    `bidirectional`. With `skip_connections`, the output
    is DeepMoji's: the concatenation of every layer's output and the stack's
    input, `[h_n, ..., h_1, x]`, so later pooling sees every level; each
    layer still reads only its predecessor's output.

    Masks: the input mask flows through every layer (padding steps do not
    touch the states, and their outputs are zeros); with
    `return_sequences=True` the same mask is returned.

    Args:
        cell: `"elman"`, `"lstm"` or `"gru"`.
        units: positive int, units per direction of every layer.
        num_layers: positive int, number of stacked layers.
        bidirectional: run each layer in both directions.
        skip_connections: concatenate every layer's output and the input
            (needs `return_sequences=True`).
        return_sequences: return `[batch, time, features]`; when False,
            the last layer's final state (both directions concatenated).
        **kwargs: arguments of the recurrent layers (`dropout`,
            `recurrent_dropout`, `activation`, `reset_after`, `use_cudnn`,
            ...) and base layer arguments (`name`, `dtype`, `trainable`).

    Example:

    ```python
    import keras

    import seqkit.layers

    ids = keras.Input((None,), dtype="int32")
    h = keras.layers.Embedding(1000, 64, mask_zero=True)(ids)
    h = seqkit.layers.RecurrentStack("lstm", 128, num_layers=2,
                                     bidirectional=True,
                                     skip_connections=True)(h)
    ```
    """

    def __init__(
        self,
        cell,
        units,
        num_layers=1,
        bidirectional=False,
        skip_connections=False,
        return_sequences=True,
        **kwargs,
    ):
        base_keys = ("name", "dtype", "trainable", "autocast")
        base = {k: kwargs.pop(k) for k in base_keys if k in kwargs}
        super().__init__(**base)
        _check_arguments(cell, num_layers, skip_connections, return_sequences)
        self.cell = cell
        self.units = units
        self.num_layers = num_layers
        self.bidirectional = bidirectional
        self.skip_connections = skip_connections
        self.return_sequences = return_sequences
        self.layer_kwargs = dict(kwargs)
        self.supports_masking = True

        # Each layer and direction draws its dropout masks from a seed of
        # its own (see `layer_seed`): one shared seed would give every
        # layer of the stack the same masks.
        seed = kwargs.pop("seed", None)
        self.rnn_layers = []
        for index in range(num_layers):
            last = index == num_layers - 1

            def make(prefix, go_backwards=False, index=index, last=last):
                name = f"{prefix}{cell}_{index}"
                return CELLS[cell](
                    units,
                    return_sequences=return_sequences or not last,
                    go_backwards=go_backwards,
                    name=name,
                    dtype=base.get("dtype"),
                    seed=layer_seed(seed, name),
                    **kwargs,
                )

            if bidirectional:
                rnn = BidirectionalRNN(
                    make("forward_"),
                    make("backward_", go_backwards=True),
                    name=f"bi_{cell}_{index}",
                    dtype=base.get("dtype"),
                )
            else:
                rnn = make("")
            self.rnn_layers.append(rnn)

    def build(self, input_shape):
        shape = tuple(input_shape)
        for rnn in self.rnn_layers:
            rnn.build(shape)
            shape = tuple(rnn.compute_output_shape(shape))

    def call(self, inputs, mask=None, training=False):
        outputs = [inputs]
        hidden = inputs
        for rnn in self.rnn_layers:
            hidden = rnn(hidden, mask=mask, training=training)
            outputs.append(hidden)
        if self.skip_connections:
            return keras.ops.concatenate(outputs[::-1], axis=-1)
        return hidden

    def output_features(self, input_features):
        """Width of the output for an input of `input_features` features."""
        per_layer = self.units * (2 if self.bidirectional else 1)
        if self.skip_connections:
            return per_layer * self.num_layers + input_features
        return per_layer

    def compute_output_shape(self, input_shape):
        features = self.output_features(input_shape[-1])
        if self.return_sequences:
            return (*input_shape[:-1], features)
        return (input_shape[0], features)

    def compute_mask(self, inputs, mask=None):
        return mask if self.return_sequences else None

    def get_config(self):
        return {
            **super().get_config(),
            "cell": self.cell,
            "units": self.units,
            "num_layers": self.num_layers,
            "bidirectional": self.bidirectional,
            "skip_connections": self.skip_connections,
            "return_sequences": self.return_sequences,
            **self.layer_kwargs,
        }
