"""Tests of `seqkit.layers.PretrainedEmbedding`."""

import os

import keras
import numpy as np
import pytest

from seqkit.layers import PretrainedEmbedding, SequencePooling
from seqkit.testing import run_layer_test

VOCAB, DIM = 12, 3
# A ragged batch with an all-padding row; every word occurs several times.
IDS = np.array(
    [
        [1, 2, 3, 4, 5, 6],
        [7, 8, 9, 10, 11, 0],
        [0, 0, 0, 0, 0, 0],
        [1, 3, 5, 7, 9, 11],
        [2, 4, 6, 8, 10, 0],
    ],
    dtype="int32",
)


def pretrained(seed=0):
    # Entries away from zero, so a dropped (zeroed) vector is unambiguous.
    rng = np.random.default_rng(seed)
    signs = rng.choice([-1.0, 1.0], size=(VOCAB, DIM))
    return (signs * rng.uniform(0.5, 1.5, (VOCAB, DIM))).astype("float32")


def numpy(tensor):
    return keras.ops.convert_to_numpy(tensor)


@pytest.mark.parametrize(
    "init",
    [
        {},
        {"trainable": False},
        {"mask_zero": False},
        {"embedding_dropout": 0.3, "seed": 4},
    ],
)
def test_layer_basics(init):
    run_layer_test(
        PretrainedEmbedding,
        {"input_dim": VOCAB, "output_dim": DIM, **init},
        input_shape=(2, 5),
        input_dtype="int32",
        input_range=(0, VOCAB),
        expected_output_shape=(2, 5, DIM),
    )


def test_pretrained_matrix_is_used():
    matrix = pretrained()
    layer = PretrainedEmbedding(VOCAB, DIM, matrix=matrix)
    np.testing.assert_allclose(numpy(layer(IDS)), matrix[IDS], atol=1e-7)
    np.testing.assert_allclose(numpy(layer.embeddings), matrix, atol=1e-7)


def test_without_matrix_uses_the_initializer():
    layer = PretrainedEmbedding(VOCAB, DIM, embeddings_initializer="ones")
    np.testing.assert_allclose(numpy(layer(IDS)), np.ones((*IDS.shape, DIM)))


def test_shape_mismatch_names_both_shapes():
    with pytest.raises(ValueError, match=r"\(5, 3\).*\(12, 3\)"):
        PretrainedEmbedding(VOCAB, DIM, matrix=np.zeros((5, 3)))


@pytest.mark.parametrize(
    "kwargs, name",
    [
        ({"input_dim": 0, "output_dim": DIM}, "input_dim"),
        ({"input_dim": VOCAB, "output_dim": 2.5}, "output_dim"),
        (
            {"input_dim": VOCAB, "output_dim": DIM, "embedding_dropout": 1.0},
            "embedding_dropout",
        ),
    ],
)
def test_bad_arguments_name_the_argument(kwargs, name):
    with pytest.raises(ValueError, match=name):
        PretrainedEmbedding(**kwargs)


def test_mask_is_ids_not_zero():
    layer = PretrainedEmbedding(VOCAB, DIM)
    np.testing.assert_array_equal(numpy(layer.compute_mask(IDS)), IDS != 0)
    unmasked = PretrainedEmbedding(VOCAB, DIM, mask_zero=False)
    assert unmasked.compute_mask(IDS) is None


def test_mask_reaches_the_next_layer():
    matrix = pretrained()
    inputs = keras.Input((None,), dtype="int32")
    embedded = PretrainedEmbedding(VOCAB, DIM, matrix=matrix)(inputs)
    model = keras.Model(inputs, SequencePooling("mean")(embedded))
    expected = np.zeros((IDS.shape[0], DIM))
    for row, ids in enumerate(IDS):
        if (ids != 0).any():
            expected[row] = matrix[ids[ids != 0]].mean(axis=0)
    np.testing.assert_allclose(
        model.predict(IDS, verbose=0), expected, atol=1e-5
    )


def train_one_step(layer):
    """Fits one SGD step of embedding -> mean -> dense; returns the dense."""
    inputs = keras.Input((None,), dtype="int32")
    dense = keras.layers.Dense(1)
    model = keras.Model(inputs, dense(SequencePooling("mean")(layer(inputs))))
    model.compile(optimizer=keras.optimizers.SGD(0.5), loss="mse")
    before = numpy(dense.kernel).copy()
    loss = model.train_on_batch(IDS, np.full((IDS.shape[0], 1), 5.0))
    assert np.isfinite(loss)
    assert not np.allclose(numpy(dense.kernel), before)


def test_frozen_matrix_stays_unchanged():
    matrix = pretrained()
    layer = PretrainedEmbedding(VOCAB, DIM, matrix=matrix, trainable=False)
    train_one_step(layer)
    assert not layer.trainable_weights
    np.testing.assert_array_equal(numpy(layer.embeddings), matrix)


def test_trainable_matrix_changes():
    matrix = pretrained()
    layer = PretrainedEmbedding(VOCAB, DIM, matrix=matrix)
    train_one_step(layer)
    changed = ~np.isclose(numpy(layer.embeddings), matrix).all(axis=1)
    # Every word in the batch moves; the padding row 0 gets no gradient.
    assert changed[1:].all()
    assert not changed[0]


def test_dropout_drops_whole_word_types():
    rate = 0.5
    matrix = pretrained()
    layer = PretrainedEmbedding(
        VOCAB, DIM, matrix=matrix, embedding_dropout=rate, seed=3
    )
    inputs = keras.Input((None,), dtype="int32")
    model = keras.Model(inputs, layer(inputs))
    dropped_any = kept_any = False
    for call in (layer, layer, model):
        out = numpy(call(IDS, training=True))
        for word in range(1, VOCAB):
            rows = out[IDS == word]
            if np.all(rows == 0.0):
                dropped_any = True
                continue
            kept_any = True
            # Kept: every occurrence is the rescaled pretrained vector.
            np.testing.assert_allclose(
                rows,
                np.tile(matrix[word] / (1 - rate), (len(rows), 1)),
                rtol=1e-6,
            )
    assert dropped_any and kept_any


def test_dropout_is_identity_at_inference():
    matrix = pretrained()
    layer = PretrainedEmbedding(
        VOCAB, DIM, matrix=matrix, embedding_dropout=0.5, seed=3
    )
    np.testing.assert_array_equal(numpy(layer(IDS)), matrix[IDS])
    np.testing.assert_array_equal(
        numpy(layer(IDS, training=False)), matrix[IDS]
    )
    inputs = keras.Input((None,), dtype="int32")
    model = keras.Model(inputs, layer(inputs))
    np.testing.assert_allclose(
        model.predict(IDS, verbose=0), matrix[IDS], atol=1e-7
    )


def test_config_leaves_the_matrix_out_and_saving_keeps_it(tmp_path):
    matrix = pretrained()
    layer = PretrainedEmbedding(VOCAB, DIM, matrix=matrix, trainable=False)
    config = layer.get_config()
    assert config["matrix"] is None
    assert config["trainable"] is False
    rebuilt = PretrainedEmbedding(**config)
    assert rebuilt.get_config() == config
    assert not rebuilt.trainable

    inputs = keras.Input((None,), dtype="int32")
    model = keras.Model(inputs, layer(inputs))
    path = os.path.join(tmp_path, "model.keras")
    model.save(path)
    restored = keras.saving.load_model(path)
    np.testing.assert_array_equal(restored.predict(IDS, verbose=0), matrix[IDS])
    assert not restored.trainable_weights


def test_weights_move_to_keras_embedding():
    matrix = pretrained()
    layer = PretrainedEmbedding(VOCAB, DIM, matrix=matrix)
    layer.build()
    reference = keras.layers.Embedding(VOCAB, DIM)
    reference.build()
    reference.set_weights(layer.get_weights())
    np.testing.assert_array_equal(numpy(reference(IDS)), matrix[IDS])
