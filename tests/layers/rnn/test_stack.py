"""RecurrentStack: shapes, skips, masks, and what it is made of."""

import keras
import numpy as np
import pytest
from keras import ops

import seqkit.layers as L

X = np.random.default_rng(0).normal(size=(2, 5, 4)).astype("float32")


@pytest.mark.parametrize("cell", ["elman", "lstm", "gru"])
@pytest.mark.parametrize(
    "bidirectional, skips, layers, features",
    [
        (False, False, 1, 3),
        (True, False, 2, 6),
        (False, True, 2, 3 + 3 + 4),
        (True, True, 3, 6 * 3 + 4),
    ],
)
def test_output_shapes(cell, bidirectional, skips, layers, features):
    stack = L.RecurrentStack(
        cell,
        3,
        num_layers=layers,
        bidirectional=bidirectional,
        skip_connections=skips,
    )
    out = stack(X)
    assert tuple(out.shape) == (2, 5, features)
    assert stack.compute_output_shape(X.shape) == (2, 5, features)
    assert len(stack.rnn_layers) == layers


def test_skip_output_is_deepmoji_concatenation():
    stack = L.RecurrentStack(
        "lstm", 3, num_layers=2, bidirectional=True, skip_connections=True
    )
    out = ops.convert_to_numpy(stack(X))
    first = ops.convert_to_numpy(stack.rnn_layers[0](X))
    second = ops.convert_to_numpy(stack.rnn_layers[1](first))
    np.testing.assert_allclose(
        out, np.concatenate([second, first, X], -1), atol=1e-6
    )


def test_last_state_output():
    stack = L.RecurrentStack(
        "gru", 3, num_layers=2, bidirectional=True, return_sequences=False
    )
    assert tuple(stack(X).shape) == (2, 6)


def test_mask_flows_through_and_padding_changes_nothing():
    ids = keras.Input((None,), dtype="int32")
    vectors = keras.layers.Embedding(10, 4, mask_zero=True)(ids)
    stack = L.RecurrentStack(
        "gru", 3, num_layers=2, bidirectional=True, skip_connections=True
    )
    hidden = stack(vectors)
    assert stack.compute_mask(None, mask="m") == "m"
    model = keras.Model(ids, hidden)
    batch = np.array([[1, 2, 3, 0, 0], [0, 0, 0, 0, 0]], "int32")
    out = ops.convert_to_numpy(model(batch))
    alone = ops.convert_to_numpy(model(batch[:1, :3]))
    np.testing.assert_allclose(out[0, :3], alone[0], atol=1e-5)
    np.testing.assert_array_equal(out[0, 3:, :12], 0.0)  # the RNN part
    assert np.isfinite(out).all()


def test_layer_kwargs_reach_every_layer():
    stack = L.RecurrentStack(
        "gru",
        3,
        num_layers=2,
        bidirectional=True,
        reset_after=False,
        dropout=0.25,
    )
    for wrapper in stack.rnn_layers:
        for rnn in (wrapper.forward_layer, wrapper.backward_layer):
            assert rnn.cell.reset_after is False
            assert rnn.cell.dropout == 0.25


def test_bad_arguments():
    with pytest.raises(ValueError, match="cell"):
        L.RecurrentStack("transformer", 3)
    with pytest.raises(ValueError, match="num_layers"):
        L.RecurrentStack("lstm", 3, num_layers=0)
    with pytest.raises(ValueError, match="return_sequences"):
        L.RecurrentStack(
            "lstm", 3, skip_connections=True, return_sequences=False
        )
