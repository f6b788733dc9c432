"""Choosing between Keras's fused (cuDNN) kernel and the generic loop.

Keras has a fused LSTM and GRU kernel on its tensorflow, torch and jax
backends. The tensorflow one takes a mask (as sequence lengths, so only
right padding); the torch and jax ones take none. On torch seqkit packs a
right-padded masked batch itself and calls PyTorch's kernel
(`torch_packed`); on jax a masked batch runs the generic loop.

This is the one place in `seqkit.layers` that asks the backend's own
library something (is a GPU visible?); everything else uses the public
Keras API.
"""

import contextlib
import contextvars

import keras
from keras import ops

from seqkit.layers.rnn import torch_packed
from seqkit.layers.rnn.masks import mask_suits_fused

_PORTABLE = contextvars.ContextVar("seqkit_portable_graph", default=False)


@contextlib.contextmanager
def portable_graph():
    """Within this context, recurrent layers trace only the generic loop.

    A graph traced with a GPU visible would otherwise hold cuDNN-only ops
    (`CudnnRNNV3`) that fail on a CPU-only server; `seqkit export` traces
    inside this context so the SavedModel runs anywhere.

    Example:

    ```python
    import keras
    import tensorflow as tf

    import seqkit.layers

    model = keras.Sequential([keras.Input((None, 4)), seqkit.layers.LSTM(8)])
    serve = tf.function(model, input_signature=[tf.TensorSpec([None, None, 4])])
    with seqkit.layers.portable_graph():
        concrete = serve.get_concrete_function()  # no cuDNN op, GPU or not
    ```
    """
    token = _PORTABLE.set(True)
    try:
        yield
    finally:
        _PORTABLE.reset(token)


def _device_reasons():
    if _PORTABLE.get():
        return ["a portable graph is being traced (export)"]
    if not gpu_visible():
        return ["no GPU is visible"]
    return []


# The backends with a fused kernel, and whether masked batches reach it
# (on torch through seqkit's packing).
FUSED_BACKENDS = {"tensorflow": True, "torch": True, "jax": False}


def keras_backend():
    """The name of the Keras backend (one place, for tests to replace)."""
    return keras.config.backend()


def gpu_visible():
    """Whether the Keras backend sees a GPU that can run cuDNN."""
    backend = keras_backend()
    if backend == "tensorflow":
        import tensorflow as tf

        return bool(tf.config.list_logical_devices("GPU"))
    if backend == "torch":
        import torch

        return torch.cuda.is_available() and torch.backends.cudnn.is_available()
    if backend == "jax":
        import jax

        return jax.default_backend() == "gpu"
    return False


def kernel_takes_mask():
    """Whether the fused kernel of the current backend takes a mask."""
    return FUSED_BACKENDS.get(keras_backend(), False)


def _name(fn):
    return getattr(fn, "__name__", repr(fn))


def config_reasons(layer):
    """The rules of the fused kernel that the layer's settings break."""
    cell = layer.cell
    reasons = []
    if layer.fused_layer_class is None:
        reasons.append(
            f"Keras has no fused kernel for {type(layer).__name__} layers"
        )
    if layer.use_cudnn is False:
        reasons.append("use_cudnn=False")
    if keras_backend() not in FUSED_BACKENDS:
        reasons.append(
            f"the Keras backend is {keras_backend()!r}; Keras has a "
            "fused kernel on " + ", ".join(FUSED_BACKENDS) + " only"
        )
    if cell.activation is not keras.activations.tanh:
        reasons.append(
            f"activation is {_name(cell.activation)!r}; the fused kernel "
            "needs 'tanh'"
        )
    recurrent = getattr(cell, "recurrent_activation", None)
    if recurrent is not None and recurrent is not keras.activations.sigmoid:
        reasons.append(
            f"recurrent_activation is {_name(recurrent)!r}; the fused kernel "
            "needs 'sigmoid'"
        )
    if cell.recurrent_dropout:
        reasons.append(
            f"recurrent_dropout is {cell.recurrent_dropout}; the fused "
            "kernel needs 0"
        )
    if layer.unroll:
        reasons.append("unroll=True; the fused kernel needs unroll=False")
    if not cell.use_bias:
        reasons.append("use_bias=False; the fused kernel needs a bias")
    if getattr(cell, "reset_after", True) is False:
        reasons.append(
            "reset_after=False; the fused GRU kernel needs reset_after=True"
        )
    return reasons


def _mask_reason(mask, layer):
    import numpy as np

    mask = np.asarray(mask, dtype=bool)
    if not kernel_takes_mask():
        return [
            f"a mask is given, and the fused kernel of the "
            f"{keras_backend()} backend takes none"
        ]
    lengths = mask.sum(axis=1)
    expected = np.arange(mask.shape[1])[None, :] < lengths[:, None]
    reasons = []
    if keras_backend() == "torch" and not torch_packed.zeroes_masked(layer):
        reasons.append(
            "zero_output_for_mask=False with a mask; on the torch backend "
            "the packed kernel gives zeros at masked steps"
        )
    if not (mask == expected).all():
        rows = np.flatnonzero((mask != expected).any(axis=1)).tolist()
        reasons.append(
            f"mask is not right-padded (rows {rows[:10]}); the fused kernel "
            "can only skip trailing padding"
        )
    if (lengths == 0).any():
        rows = np.flatnonzero(lengths == 0).tolist()
        reasons.append(
            f"mask has rows of only padding (rows {rows[:10]}); the fused "
            "kernel needs at least one step per row"
        )
    return reasons


def cudnn_eligibility(layer, mask=None):
    """Whether a seqkit recurrent layer can run on the fused cuDNN kernel.

    Args:
        layer: a `seqkit.layers.Elman`, `LSTM` or `GRU`.
        mask: optionally, a boolean `[batch, time]` mask (array-like) to check
            too; a layer that is eligible otherwise falls back to the generic
            loop, batch by batch, for masks that fail.

    Returns:
        `(eligible, reasons)`: `reasons` names every rule that fails (empty
        when eligible).

    Example:

    ```python
    import seqkit.layers

    layer = seqkit.layers.LSTM(8, unroll=True)
    eligible, reasons = seqkit.layers.cudnn_eligibility(layer)
    assert not eligible
    assert reasons[0] == "unroll=True; the fused kernel needs unroll=False"
    # and, on a machine without a GPU, "no GPU is visible"
    ```
    """
    if not hasattr(layer, "fused_layer_class"):
        raise ValueError(
            "cudnn_eligibility() takes a seqkit.layers.Elman, LSTM or GRU "
            f"layer; received {type(layer).__name__}"
        )
    reasons = config_reasons(layer) + _device_reasons()
    if mask is not None:
        reasons.extend(_mask_reason(mask, layer))
    return not reasons, reasons


def inner_loop(layer, sequences, initial_state, mask, training):
    """Runs the layer's loop on the fused kernel or the generic Keras loop.

    Settings that break a rule send the layer to the generic loop (or raise,
    with `use_cudnn=True`). With a GPU and suitable settings, the fused
    kernel runs: on tensorflow and torch guarded by a check of each
    batch's mask (right padding, no empty row), on jax only for input
    without a mask.
    """
    reasons = config_reasons(layer) or _device_reasons()
    if reasons:
        if layer.use_cudnn is True:
            raise ValueError(
                "use_cudnn=True, but the fused kernel cannot run: "
                + "; ".join(reasons)
                + ". Pass use_cudnn='auto' to fall back to the generic loop."
            )
        return generic_loop(layer, sequences, initial_state, mask, training)

    def fused():
        return fused_loop(layer, sequences, initial_state, mask, training)

    if mask is None:
        if layer.go_backwards:
            return fused_reversed(layer, sequences, initial_state, training)
        return fused()
    if keras_backend() == "torch":
        if layer.use_cudnn is True and not torch_packed.zeroes_masked(layer):
            raise ValueError(
                "use_cudnn=True, but with a mask on the torch backend the "
                "fused kernel gives zeros at masked steps and this layer "
                "has zero_output_for_mask=False. Pass use_cudnn='auto' to "
                "run masked batches on the generic loop."
            )
        if torch_packed.usable(layer, mask):
            return torch_packed.run(
                layer, sequences, initial_state, mask, training
            )
        return generic_loop(layer, sequences, initial_state, mask, training)
    if not kernel_takes_mask():
        if layer.use_cudnn is True:
            raise ValueError(
                "use_cudnn=True, but the fused kernel of the "
                f"{keras_backend()} backend takes no mask and this "
                "layer was given one. Pass use_cudnn='auto' to run masked "
                "batches on the generic loop."
            )
        return generic_loop(layer, sequences, initial_state, mask, training)

    def generic():
        last, outputs, states = generic_loop(
            layer, sequences, initial_state, mask, training
        )
        return last, outputs, tuple(states)

    return ops.cond(mask_suits_fused(mask), fused, generic)


def fused_reversed(layer, sequences, initial_state, training):
    """The fused kernel over the reversed input, running forwards.

    Keras's contract for `go_backwards` is outputs in processing order
    (reversed), which `Bidirectional` flips back. Keras's jax LSTM kernel
    returns them in input order instead (Keras 3.15; its GRU and the
    other backends keep the contract), so seqkit never hands a backend
    kernel `go_backwards`: with no mask, running forwards over the
    reversed input is the same computation, with the outputs in
    processing order on every backend.
    """
    layer.go_backwards = False
    try:
        return fused_loop(
            layer, ops.flip(sequences, axis=1), initial_state, None, training
        )
    finally:
        layer.go_backwards = True


def fused_loop(layer, sequences, initial_state, mask, training):
    """Keras's fused loop, its states as a tuple.

    The generic loop returns a tuple and Keras's fused one a list; a
    `cond` between them needs one structure from both branches.
    """
    last, outputs, states = layer.fused_layer_class.inner_loop(
        layer, sequences, initial_state, mask=mask, training=training
    )
    return last, outputs, tuple(states)


def generic_loop(layer, sequences, initial_state, mask, training):
    """Keras's generic loop, with masked outputs of unrolled backward runs
    zeroed at the right steps.

    Keras's unrolled TensorFlow loop zeroes the masked steps of the
    returned sequence with the mask in input order, while a
    `go_backwards` sequence comes out in processing (reversed) order: the
    zeros then land on the wrong steps and real outputs are lost. For that
    case the loop runs without the zeroing, and the zeros are applied here
    with the reversed mask; every other case is Keras's loop unchanged.
    """
    broken = (
        layer.unroll
        and layer.go_backwards
        and layer.zero_output_for_mask
        and layer.return_sequences
        and mask is not None
    )
    if not broken:
        return keras.layers.RNN.inner_loop(
            layer, sequences, initial_state, mask=mask, training=training
        )
    layer.zero_output_for_mask = False
    try:
        last, outputs, states = keras.layers.RNN.inner_loop(
            layer, sequences, initial_state, mask=mask, training=training
        )
    finally:
        layer.zero_output_for_mask = True
    keep = ops.flip(ops.cast(mask, "bool"), axis=1)
    outputs = ops.where(keep[..., None], outputs, ops.zeros_like(outputs))
    last = ops.where(keep[:, -1:], last, ops.zeros_like(last))
    return last, outputs, states
