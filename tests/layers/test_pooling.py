"""Tests of `seqkit.layers.SequencePooling` against NumPy references."""

import keras
import numpy as np
import pytest

from seqkit.layers import SequencePooling
from seqkit.testing import run_layer_test
from tests.layers.masks import RIGHT_PADDED, WITH_HOLES

MODES = ("mean", "max", "last")


def reference_pooling(x, mask, mode):
    """Pools each row over its real steps, zeros for a row of padding."""
    out = np.zeros((x.shape[0], x.shape[2]), dtype=np.float64)
    for row in range(x.shape[0]):
        steps = np.flatnonzero(mask[row])
        if steps.size == 0:
            continue
        real = x[row, steps].astype(np.float64)
        if mode == "mean":
            out[row] = real.mean(axis=0)
        elif mode == "max":
            out[row] = real.max(axis=0)
        else:
            out[row] = real[-1]
    return out


def sequences(mask, features=3, seed=0):
    """Random steps; padding holds large values that must never show."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((*mask.shape, features)).astype("float32")
    x[~mask] = 1e4
    return x


def numpy(tensor):
    return keras.ops.convert_to_numpy(tensor)


@pytest.mark.parametrize("mode", MODES)
def test_layer_basics(mode):
    output = run_layer_test(
        SequencePooling,
        {"mode": mode},
        input_shape=(2, 5, 3),
        expected_output_shape=(2, 3),
    )
    assert np.isfinite(output).all()


@pytest.mark.parametrize("mask", [RIGHT_PADDED, WITH_HOLES])
@pytest.mark.parametrize("mode", MODES)
def test_masked_matches_numpy(mode, mask):
    x = sequences(mask)
    out = numpy(SequencePooling(mode)(x, mask=mask))
    np.testing.assert_allclose(
        out, reference_pooling(x, mask, mode), rtol=1e-5, atol=1e-5
    )
    assert np.all(out[2] == 0.0), "a row of only padding must give zeros"


@pytest.mark.parametrize("mode", MODES)
def test_unmasked_pools_every_step(mode):
    x = sequences(np.ones((3, 4), dtype=bool))
    full = np.ones((3, 4), dtype=bool)
    out = numpy(SequencePooling(mode)(x))
    np.testing.assert_allclose(
        out, reference_pooling(x, full, mode), rtol=1e-5, atol=1e-5
    )


@pytest.mark.parametrize("mode", MODES)
def test_integer_mask_is_accepted(mode):
    x = sequences(RIGHT_PADDED)
    as_bool = numpy(SequencePooling(mode)(x, mask=RIGHT_PADDED))
    as_int = numpy(SequencePooling(mode)(x, mask=RIGHT_PADDED.astype("int32")))
    np.testing.assert_allclose(as_int, as_bool, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("mode", MODES)
def test_padding_invariance(mode):
    x = sequences(RIGHT_PADDED)
    rng = np.random.default_rng(1)
    extra = rng.standard_normal((x.shape[0], 3, x.shape[2]))
    longer_x = np.concatenate([x, 50.0 * extra.astype("float32")], axis=1)
    longer_mask = np.concatenate(
        [RIGHT_PADDED, np.zeros((x.shape[0], 3), dtype=bool)], axis=1
    )
    layer = SequencePooling(mode)
    np.testing.assert_allclose(
        numpy(layer(longer_x, mask=longer_mask)),
        numpy(layer(x, mask=RIGHT_PADDED)),
        rtol=1e-6,
        atol=1e-6,
    )


@pytest.mark.parametrize("mode", MODES)
def test_mask_propagates_in_a_functional_model(mode):
    ids = np.array([[3, 1, 4, 0, 0], [0, 0, 0, 0, 0], [5, 9, 2, 6, 5]])
    inputs = keras.Input((None,), dtype="int32")
    embedding = keras.layers.Embedding(10, 3, mask_zero=True)
    pooled = SequencePooling(mode)(embedding(inputs))
    model = keras.Model(inputs, pooled)
    vectors = numpy(embedding.embeddings)[ids]
    np.testing.assert_allclose(
        model.predict(ids, verbose=0),
        reference_pooling(vectors, ids != 0, mode),
        rtol=1e-5,
        atol=1e-5,
    )


@pytest.mark.parametrize("mode", MODES)
def test_all_padding_row_trains_without_nan(mode):
    x = sequences(RIGHT_PADDED)
    x_in = keras.Input((None, 3))
    mask_in = keras.Input((None,), dtype="bool")
    dense = keras.layers.Dense(2)
    pooled = SequencePooling(mode)(dense(x_in), mask=mask_in)
    model = keras.Model([x_in, mask_in], pooled)
    model.compile(optimizer=keras.optimizers.SGD(0.01), loss="mse")
    loss = model.train_on_batch([x / 1e4, RIGHT_PADDED], np.ones((4, 2)))
    assert np.isfinite(loss)
    assert all(np.isfinite(numpy(w)).all() for w in dense.weights)


def test_output_carries_no_mask():
    layer = SequencePooling("max")
    x = sequences(RIGHT_PADDED)
    assert layer.compute_mask(x, RIGHT_PADDED) is None


def test_bad_mode_names_argument_and_value():
    with pytest.raises(ValueError, match=r"mode.*'median'"):
        SequencePooling(mode="median")
