"""Tests of `AttentionPooling` and `AdditiveAttention` against NumPy."""

import keras
import numpy as np
import pytest

from seqkit.layers import AdditiveAttention, AttentionPooling
from seqkit.testing import run_layer_test
from tests.layers.masks import RIGHT_PADDED, WITH_HOLES

MASKS = [RIGHT_PADDED, WITH_HOLES]


def numpy(tensor):
    return keras.ops.convert_to_numpy(tensor)


def reference_attention(scores, values, mask):
    """Softmax of `scores` over each row's real steps, and the weighted sum.

    Returns `(context, weights)`; a row of only padding gets zeros.
    """
    weights = np.zeros(scores.shape, dtype=np.float64)
    for row in range(scores.shape[0]):
        steps = np.flatnonzero(mask[row])
        if steps.size == 0:
            continue
        real = scores[row, steps].astype(np.float64)
        exps = np.exp(real - real.max())
        weights[row, steps] = exps / exps.sum()
    context = np.einsum("bt,btd->bd", weights, values.astype(np.float64))
    return context, weights


def sequences(mask, features=3, seed=0, scale=1.0):
    rng = np.random.default_rng(seed)
    x = scale * rng.standard_normal((*mask.shape, features))
    return x.astype("float32")


def check_weights(weights, mask):
    sums = np.where(mask, weights, 0.0).sum(axis=1)
    has_steps = mask.any(axis=1)
    np.testing.assert_allclose(sums[has_steps], 1.0, rtol=1e-5, atol=1e-5)
    assert np.all(weights[~mask] == 0.0), "padding must get exactly 0"
    assert np.all(weights[~has_steps] == 0.0)


# -- AttentionPooling ------------------------------------------------------


def pooling_reference(layer, x, mask):
    w = numpy(layer.kernel)[:, 0].astype(np.float64)
    return reference_attention(x.astype(np.float64) @ w, x, mask)


@pytest.mark.parametrize("return_attention", [False, True])
def test_pooling_basics(return_attention):
    run_layer_test(
        AttentionPooling,
        {"return_attention": return_attention},
        input_shape=(2, 5, 3),
        expected_output_shape=(2, 3),
    )


@pytest.mark.parametrize("mask", MASKS)
def test_pooling_matches_numpy(mask):
    x = sequences(mask)
    layer = AttentionPooling(
        return_attention=True, kernel_initializer="glorot_uniform"
    )
    pooled, weights = layer(x, mask=mask)
    context, expected_weights = pooling_reference(layer, x, mask)
    np.testing.assert_allclose(numpy(weights), expected_weights, atol=1e-5)
    np.testing.assert_allclose(numpy(pooled), context, atol=1e-5)
    check_weights(numpy(weights), mask)
    assert np.all(numpy(pooled)[2] == 0.0)


def test_pooling_without_mask_uses_every_step():
    x = sequences(RIGHT_PADDED)
    layer = AttentionPooling(kernel_initializer="glorot_uniform")
    pooled = layer(x)
    context, _ = pooling_reference(layer, x, np.ones_like(RIGHT_PADDED))
    np.testing.assert_allclose(numpy(pooled), context, atol=1e-5)


def test_pooling_is_stable_with_large_scores():
    x = sequences(RIGHT_PADDED, scale=1e3)
    layer = AttentionPooling(
        return_attention=True, kernel_initializer="glorot_uniform"
    )
    pooled, weights = layer(x, mask=RIGHT_PADDED)
    context, expected_weights = pooling_reference(layer, x, RIGHT_PADDED)
    assert np.isfinite(numpy(pooled)).all()
    np.testing.assert_allclose(numpy(weights), expected_weights, atol=1e-5)
    np.testing.assert_allclose(numpy(pooled), context, rtol=1e-5, atol=1e-3)


def test_pooling_padding_invariance():
    x = sequences(RIGHT_PADDED)
    layer = AttentionPooling(
        return_attention=True, kernel_initializer="glorot_uniform"
    )
    longer_x = np.concatenate([x, sequences(RIGHT_PADDED[:, :3], seed=3)], 1)
    longer_mask = np.pad(RIGHT_PADDED, ((0, 0), (0, 3)))
    pooled, weights = layer(x, mask=RIGHT_PADDED)
    longer_pooled, longer_weights = layer(longer_x, mask=longer_mask)
    np.testing.assert_allclose(numpy(longer_pooled), numpy(pooled), atol=1e-6)
    np.testing.assert_allclose(
        numpy(longer_weights)[:, :5], numpy(weights), atol=1e-6
    )
    assert np.all(numpy(longer_weights)[:, 5:] == 0.0)


def test_pooling_mask_propagates_in_a_functional_model():
    ids = np.array([[3, 1, 4, 0, 0], [0, 0, 0, 0, 0], [5, 9, 2, 6, 5]])
    inputs = keras.Input((None,), dtype="int32")
    embedding = keras.layers.Embedding(10, 3, mask_zero=True)
    layer = AttentionPooling(
        return_attention=True, kernel_initializer="glorot_uniform"
    )
    model = keras.Model(inputs, layer(embedding(inputs)))
    pooled, weights = model.predict(ids, verbose=0)
    vectors = numpy(embedding.embeddings)[ids]
    context, expected_weights = pooling_reference(layer, vectors, ids != 0)
    np.testing.assert_allclose(weights, expected_weights, atol=1e-5)
    np.testing.assert_allclose(pooled, context, atol=1e-5)


def test_pooling_all_padding_row_trains_without_nan():
    x = sequences(RIGHT_PADDED)
    x_in = keras.Input((None, 3))
    mask_in = keras.Input((None,), dtype="bool")
    layer = AttentionPooling()
    model = keras.Model([x_in, mask_in], layer(x_in, mask=mask_in))
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    loss = model.train_on_batch([x, RIGHT_PADDED], np.ones((4, 3)))
    assert np.isfinite(loss)
    assert np.isfinite(numpy(layer.kernel)).all()


# -- AdditiveAttention -----------------------------------------------------


def additive_layer(query_dim, values_dim, units=4, use_bias=True, seed=0):
    """A built layer with known random weights, and those weights."""
    rng = np.random.default_rng(seed)
    params = {
        "query_kernel": rng.standard_normal((query_dim, units)),
        "key_kernel": rng.standard_normal((values_dim, units)),
        "bias": rng.standard_normal(units) if use_bias else None,
        "score_kernel": rng.standard_normal((units, 1)),
    }
    layer = AdditiveAttention(units, use_bias=use_bias)
    layer.build([(None, query_dim), (None, None, values_dim)])
    layer.set_weights(
        [p.astype("float32") for p in params.values() if p is not None]
    )
    return layer, params


def additive_reference(params, query, values, mask):
    hidden = values.astype(np.float64) @ params["key_kernel"]
    hidden = (
        hidden + (query.astype(np.float64) @ params["query_kernel"])[:, None, :]
    )
    if params["bias"] is not None:
        hidden = hidden + params["bias"]
    scores = (np.tanh(hidden) @ params["score_kernel"])[..., 0]
    return reference_attention(scores, values, mask)


def test_additive_basics():
    run_layer_test(
        AdditiveAttention,
        {"units": 4},
        input_shape=[(2, 3), (2, 5, 2)],
        expected_output_shape=(2, 2),
    )


def test_additive_basics_without_bias():
    run_layer_test(
        AdditiveAttention,
        {"units": 2, "use_bias": False},
        input_shape=[(2, 3), (2, 4, 5)],
        expected_output_shape=(2, 5),
    )


@pytest.mark.parametrize("use_bias", [True, False])
@pytest.mark.parametrize("mask", MASKS)
def test_additive_matches_numpy(mask, use_bias):
    layer, params = additive_layer(2, 3, use_bias=use_bias)
    query = sequences(RIGHT_PADDED[:, :1], features=2, seed=5)[:, 0]
    values = sequences(mask)
    context, weights = layer([query, values], mask=[None, mask])
    expected_context, expected_weights = additive_reference(
        params, query, values, mask
    )
    np.testing.assert_allclose(numpy(weights), expected_weights, atol=1e-5)
    np.testing.assert_allclose(numpy(context), expected_context, atol=1e-5)
    check_weights(numpy(weights), mask)
    assert np.all(numpy(context)[2] == 0.0)


def test_additive_mask_forms_agree():
    layer, params = additive_layer(2, 3)
    query = np.ones((4, 2), dtype="float32")
    values = sequences(RIGHT_PADDED)
    as_list = layer([query, values], mask=[None, RIGHT_PADDED])
    alone = layer([query, values], mask=RIGHT_PADDED)
    for a, b in zip(as_list, alone, strict=True):
        np.testing.assert_allclose(numpy(a), numpy(b), atol=1e-7)
    unmasked_context, _ = layer([query, values])
    expected, _ = additive_reference(
        params, query, values, np.ones_like(RIGHT_PADDED)
    )
    np.testing.assert_allclose(numpy(unmasked_context), expected, atol=1e-5)


def test_additive_padding_invariance():
    layer, _ = additive_layer(2, 3)
    query = np.ones((4, 2), dtype="float32")
    values = sequences(RIGHT_PADDED)
    longer = np.concatenate([values, sequences(RIGHT_PADDED, seed=7)], 1)
    longer_mask = np.pad(RIGHT_PADDED, ((0, 0), (0, 5)))
    context, weights = layer([query, values], mask=[None, RIGHT_PADDED])
    longer_context, longer_weights = layer(
        [query, longer], mask=[None, longer_mask]
    )
    np.testing.assert_allclose(numpy(longer_context), numpy(context), atol=1e-6)
    np.testing.assert_allclose(
        numpy(longer_weights)[:, :5], numpy(weights), atol=1e-6
    )
    assert np.all(numpy(longer_weights)[:, 5:] == 0.0)


def test_additive_mask_propagates_in_a_functional_model():
    ids = np.array([[3, 1, 4, 0, 0], [0, 0, 0, 0, 0], [5, 9, 2, 6, 5]])
    query = np.random.default_rng(2).standard_normal((3, 2)).astype("float32")
    query_in = keras.Input((2,))
    ids_in = keras.Input((None,), dtype="int32")
    embedding = keras.layers.Embedding(10, 3, mask_zero=True)
    layer, params = additive_layer(2, 3)
    outputs = layer([query_in, embedding(ids_in)])
    model = keras.Model([query_in, ids_in], outputs)
    context, weights = model.predict([query, ids], verbose=0)
    vectors = numpy(embedding.embeddings)[ids]
    expected_context, expected_weights = additive_reference(
        params, query, vectors, ids != 0
    )
    np.testing.assert_allclose(weights, expected_weights, atol=1e-5)
    np.testing.assert_allclose(context, expected_context, atol=1e-5)


def test_additive_all_padding_row_trains_without_nan():
    query_in = keras.Input((2,))
    values_in = keras.Input((None, 3))
    mask_in = keras.Input((None,), dtype="bool")
    layer = AdditiveAttention(4)
    context, _ = layer([query_in, values_in], mask=[None, mask_in])
    model = keras.Model([query_in, values_in, mask_in], context)
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    inputs = [np.ones((4, 2)), sequences(RIGHT_PADDED), RIGHT_PADDED]
    loss = model.train_on_batch(inputs, np.ones((4, 3)))
    assert np.isfinite(loss)
    assert all(np.isfinite(numpy(w)).all() for w in layer.weights)


def test_additive_rejects_bad_arguments():
    with pytest.raises(ValueError, match=r"units.*0"):
        AdditiveAttention(0)
    with pytest.raises(ValueError, match="query"):
        AdditiveAttention(2)(np.ones((2, 5, 3), dtype="float32"))
