"""cuDNN for masked batches on Keras's torch backend, through packing.

Keras's torch LSTM and GRU kernels take no mask, yet text models always
have one (`mask_zero=True`). A right-padded batch is exactly what PyTorch's
packed sequences describe: each row's length. So seqkit packs the batch,
calls PyTorch's own `torch.lstm` / `torch.gru` (cuDNN on a GPU), and lays
the result out as Keras's generic loop would:

- forwards, each row's outputs at its real steps and zeros after them;
- with `go_backwards`, each row's real steps reversed in place (padding
  stays at the end), and the outputs in processing order of the whole
  reversed row: the padding steps, which come first there, are zeros.

The final states are each row's state after its last real step, as with
the loop. Only used by `fused.inner_loop`, for right-padded masks with at
least one real step per row (`masks.mask_suits_fused`).
"""

from keras import ops


def usable(layer, mask):
    """Whether this batch can run packed (the layer's rules already hold)."""
    import torch

    if torch.jit.is_tracing() or torch.compiler.is_compiling():
        return False  # as Keras's own kernel: traces must stay portable
    if not zeroes_masked(layer):
        return False
    from seqkit.layers.rnn.masks import mask_suits_fused

    return bool(mask_suits_fused(mask))


def zeroes_masked(layer):
    """Whether the layer's masked outputs are zeros, as the packed call's."""
    return not layer.return_sequences or layer.zero_output_for_mask


def _gates(matrix, units, order):
    """Keras gate blocks (last axis) in PyTorch's order, as `[gates, in]`."""
    blocks = [matrix[..., i * units : (i + 1) * units] for i in order]
    return ops.transpose(ops.concatenate(blocks, axis=-1))


def torch_weights(layer, dtype):
    """`[w_ih, w_hh, b_ih, b_hh]` for PyTorch from the cell's weights.

    LSTM gates are i, f, c, o in both; Keras's GRU z, r, h is PyTorch's
    r, z, n, and its `reset_after` bias rows are the input and recurrent
    biases, as PyTorch's `b_ih` and `b_hh`.
    """
    import torch

    cell = layer.cell
    units = cell.units
    kernel = ops.convert_to_tensor(cell.kernel)
    recurrent = ops.convert_to_tensor(cell.recurrent_kernel)
    bias = ops.convert_to_tensor(cell.bias)
    if kind(layer) == "lstm":
        order = (0, 1, 2, 3)
        b_ih, b_hh = bias, torch.zeros_like(bias)
    else:
        order = (1, 0, 2)
        b_ih, b_hh = bias[0], bias[1]
    weights = [
        _gates(kernel, units, order),
        _gates(recurrent, units, order),
        _gates(b_ih[None, :], units, order)[:, 0],
        _gates(b_hh[None, :], units, order)[:, 0],
    ]
    return [w.to(dtype).contiguous() for w in weights]


def kind(layer):
    """The cell, `lstm` or `gru`, told by its number of states."""
    size = layer.cell.state_size
    return (
        "lstm" if isinstance(size, (list, tuple)) and len(size) == 2 else "gru"
    )


def _reverse_rows(x, lengths):
    """Each row's first `length` steps reversed; the rest left in place."""
    import torch

    steps = torch.arange(x.shape[1], device=x.device)[None, :]
    index = torch.where(
        steps < lengths[:, None], lengths[:, None] - 1 - steps, steps
    )
    return torch.gather(x, 1, index[..., None].expand(-1, -1, x.shape[2]))


def _processing_order(y, lengths):
    """Outputs of reversed rows placed as the loop's reversed padded run."""
    import torch

    total = y.shape[1]
    steps = torch.arange(total, device=y.device)[None, :]
    source = steps - (total - lengths[:, None])
    real = source >= 0
    index = torch.where(real, source, torch.zeros_like(source))
    out = torch.gather(y, 1, index[..., None].expand(-1, -1, y.shape[2]))
    return torch.where(real[..., None], out, torch.zeros_like(out))


def run(layer, sequences, initial_state, mask, training):
    """The layer's loop over a right-padded masked batch, packed."""
    import torch
    from torch.nn.utils.rnn import (
        PackedSequence,
        pack_padded_sequence,
        pad_packed_sequence,
    )

    cell = layer.cell
    x = ops.convert_to_tensor(sequences)
    if training and cell.dropout:
        # One input dropout mask per row for every step, as Keras's fused
        # path applies it.
        x = x * ops.expand_dims(cell.get_dropout_mask(x[:, 0, :]), 1)
    mask = ops.convert_to_tensor(mask)
    lengths = mask.to(torch.int64).sum(dim=1)
    if layer.go_backwards:
        x = _reverse_rows(x, lengths)
    weights = torch_weights(layer, x.dtype)
    packed = pack_padded_sequence(
        x, lengths.cpu(), batch_first=True, enforce_sorted=False
    )
    states = [
        ops.convert_to_tensor(s)
        .to(x.dtype)[None]
        .index_select(1, packed.sorted_indices)
        for s in initial_state
    ]
    arguments = (packed.data, packed.batch_sizes)
    # `train` keeps what cuDNN's backward pass needs, as Keras's own call.
    settings = (weights, True, 1, 0.0, torch.is_grad_enabled(), False)
    if kind(layer) == "lstm":
        data, h, c = torch.lstm(*arguments, tuple(states), *settings)
        final = [h, c]
    else:
        data, h = torch.gru(*arguments, states[0], *settings)
        final = [h]
    final = [s[0].index_select(0, packed.unsorted_indices) for s in final]
    y, _ = pad_packed_sequence(
        PackedSequence(
            data,
            packed.batch_sizes,
            packed.sorted_indices,
            packed.unsorted_indices,
        ),
        batch_first=True,
        total_length=x.shape[1],
    )
    if layer.go_backwards:
        y = _processing_order(y, lengths.to(y.device))
    last = final[0]
    outputs = y if layer.return_sequences else last[:, None, :]
    return last, outputs, tuple(final)
