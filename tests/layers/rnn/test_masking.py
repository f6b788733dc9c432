"""Masks: padding changes nothing, and an all-padding row stays finite."""

import keras
import numpy as np
import pytest
from keras import ops

import seqkit.layers as L
from tests.layers.rnn.cases import CASES, IDS

UNITS, FEATURES, VOCAB = 4, 3, 12
LENGTHS = [6, 3, 1, 0]  # the last row is padding only


def _padded_ids(rng, lengths, time):
    ids = np.zeros((len(lengths), time), "int32")
    for row, n in enumerate(lengths):
        ids[row, :n] = rng.integers(1, VOCAB, n)
    return ids


def _model(layer):
    ids = keras.Input((None,), dtype="int32")
    vectors = keras.layers.Embedding(VOCAB, FEATURES, mask_zero=True)(ids)
    return keras.Model(ids, layer(vectors))


def _wrap(case, bidirectional, **kwargs):
    layer_cls, _, case_kwargs, _ = CASES[case]
    layer = layer_cls(UNITS, **case_kwargs, **kwargs)
    if bidirectional:
        layer = keras.layers.Bidirectional(layer)
    return layer


@pytest.mark.parametrize("bidirectional", [False, True], ids=["uni", "bi"])
@pytest.mark.parametrize("case", IDS)
def test_padded_batch_equals_each_unpadded_sequence(case, bidirectional):
    rng = np.random.default_rng(4)
    ids = _padded_ids(rng, LENGTHS, time=max(LENGTHS))
    model = _model(_wrap(case, bidirectional, return_sequences=True))
    batch_out = ops.convert_to_numpy(model(ids))
    assert np.isfinite(batch_out).all()
    for row, n in enumerate(LENGTHS):
        if n == 0:
            continue
        alone = ops.convert_to_numpy(model(ids[row : row + 1, :n]))[0]
        np.testing.assert_allclose(batch_out[row, :n], alone, atol=1e-5)
        # Padding steps output zeros.
        np.testing.assert_array_equal(batch_out[row, n:], 0.0)


@pytest.mark.parametrize("bidirectional", [False, True], ids=["uni", "bi"])
@pytest.mark.parametrize("case", IDS)
def test_final_state_ignores_padding(case, bidirectional):
    rng = np.random.default_rng(5)
    ids = _padded_ids(rng, LENGTHS, time=max(LENGTHS))
    model = _model(_wrap(case, bidirectional))
    batch_out = ops.convert_to_numpy(model(ids))
    # Extra padding at the end changes nothing.
    longer = np.concatenate([ids, np.zeros((len(LENGTHS), 3), "int32")], 1)
    np.testing.assert_allclose(
        ops.convert_to_numpy(model(longer)), batch_out, atol=1e-6
    )
    for row, n in enumerate(LENGTHS[:-1]):
        alone = ops.convert_to_numpy(model(ids[row : row + 1, :n]))[0]
        np.testing.assert_allclose(batch_out[row], alone, atol=1e-5)


@pytest.mark.parametrize("case", IDS)
def test_all_padding_row_is_finite_in_training_too(case):
    ids = np.zeros((2, 5), "int32")
    ids[0, :2] = [3, 4]
    model = _model(
        _wrap(
            case,
            True,
            return_sequences=True,
            dropout=0.2,
            recurrent_dropout=0.2,
        )
    )
    # A plain sum over time: Keras's masked average itself divides by zero
    # on an all-padding row, which is not what this test is about.
    pooled = keras.layers.Lambda(lambda t: ops.sum(t, axis=1))(model.output)
    head = keras.Model(model.input, keras.layers.Dense(1)(pooled))
    head.compile(optimizer="sgd", loss="mse")
    loss = head.train_on_batch(ids, np.ones((2, 1), "float32"))
    assert np.isfinite(loss)
    out = ops.convert_to_numpy(model(ids, training=True))
    assert np.isfinite(out).all()
    np.testing.assert_array_equal(out[1], 0.0)
    for weight in head.trainable_weights:
        assert np.isfinite(ops.convert_to_numpy(weight)).all()


def test_go_backwards_reads_the_real_steps_from_the_end():
    rng = np.random.default_rng(6)
    ids = _padded_ids(rng, [4, 2], time=4)
    forward = L.GRU(UNITS, reset_after=False)
    model_f = _model(forward)
    backward = L.GRU(UNITS, reset_after=False, go_backwards=True)
    model_b = _model(backward)
    model_b.set_weights(model_f.get_weights())
    for row, n in enumerate([4, 2]):
        reversed_ids = ids[row : row + 1, :n][:, ::-1].copy()
        np.testing.assert_allclose(
            ops.convert_to_numpy(model_b(ids[row : row + 1])),
            ops.convert_to_numpy(model_f(reversed_ids)),
            atol=1e-5,
        )


@pytest.mark.parametrize("go_backwards", [False, True], ids=["fw", "bw"])
@pytest.mark.parametrize("layer_cls", [L.Elman, L.LSTM, L.GRU])
def test_unrolled_loop_equals_the_symbolic_loop_on_padded_rows(
    layer_cls, go_backwards
):
    # Keras's unrolled loop zeroed the masked outputs of a backward layer
    # at the input-order steps, wiping real outputs of the reversed
    # sequence; seqkit zeroes them itself with the reversed mask.
    rng = np.random.default_rng(7)
    x = rng.normal(size=(len(LENGTHS), 6, FEATURES)).astype("float32")
    mask = np.arange(6)[None, :] < np.array(LENGTHS)[:, None]
    kwargs = {"go_backwards": go_backwards, "return_sequences": True}
    loop = layer_cls(UNITS, **kwargs)
    loop.build((None, None, FEATURES))
    unrolled = layer_cls(UNITS, unroll=True, **kwargs)
    unrolled.build((None, None, FEATURES))
    unrolled.set_weights(loop.get_weights())
    expected = ops.convert_to_numpy(loop(x, mask=mask))
    got = ops.convert_to_numpy(unrolled(x, mask=mask))
    np.testing.assert_allclose(got, expected, atol=1e-6)
    # Masked steps are zeros, at the right places of the reversed output.
    order = mask[:, ::-1] if go_backwards else mask
    assert np.all(got[~order] == 0) and np.all(np.abs(got[order]) > 0)


def test_unrolled_bidirectional_stack_equals_the_loop():
    rng = np.random.default_rng(8)
    x = rng.normal(size=(len(LENGTHS), 6, FEATURES)).astype("float32")
    mask = np.arange(6)[None, :] < np.array(LENGTHS)[:, None]
    loop = L.RecurrentStack("lstm", UNITS, num_layers=2, bidirectional=True)
    loop.build((None, None, FEATURES))
    unrolled = L.RecurrentStack(
        "lstm", UNITS, num_layers=2, bidirectional=True, unroll=True
    )
    unrolled.build((None, None, FEATURES))
    unrolled.set_weights(loop.get_weights())
    np.testing.assert_allclose(
        ops.convert_to_numpy(unrolled(x, mask=mask)),
        ops.convert_to_numpy(loop(x, mask=mask)),
        atol=1e-6,
    )
