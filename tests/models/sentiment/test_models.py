"""The sentiment model builders: every cell and pooling, groups, masks."""

import keras
import numpy as np
import pytest
from keras import ops

from seqkit.models import RecurrentBackbone, TextClassifier
from seqkit.models.sentiment import SentimentConfig, build_classifier
from seqkit.preprocessing import TextVectorizer

WORDS = ["the", "film", "good", "bad", "not", "plot"]


@pytest.mark.parametrize("cell", ["elman", "lstm", "gru"])
@pytest.mark.parametrize(
    "pooling", ["last", "mean", "max", "attention", "attention+max+mean"]
)
@pytest.mark.parametrize("bidirectional", [False, True])
def test_every_cell_and_pooling_builds_and_predicts(
    cell, pooling, bidirectional
):
    config = SentimentConfig(
        cell=cell,
        pooling=pooling,
        units=3,
        embedding_dim=4,
        embeddings=None,
        bidirectional=bidirectional,
        layers=2,
        hidden_units=[5],
    )
    vectorizer = TextVectorizer(WORDS, max_length=6)
    model = build_classifier(config, vectorizer, ["neg", "neu", "pos"])
    texts = np.array(
        ["the film is good", "", "not the plot at all ."], dtype=object
    )
    outputs = model(texts)
    probabilities = ops.convert_to_numpy(outputs["probabilities"])
    assert probabilities.shape == (3, 3)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)
    assert np.isfinite(probabilities).all()  # the empty text too
    assert ("attention" in outputs) == ("attention" in pooling)
    groups = [name for name, _ in model.layer_groups()]
    prefix = ("bi_" if bidirectional else "") + cell
    expected = ["embedding", f"{prefix}_0", f"{prefix}_1"]
    if "attention" in pooling:
        expected.append("attention")
    assert groups == [*expected, "head"]


def test_padding_and_truncation_change_nothing():
    backbone = RecurrentBackbone(
        10,
        4,
        cell="lstm",
        units=3,
        num_layers=2,
        bidirectional=True,
        skip_connections=True,
        pooling="attention+mean",
    )
    ids = np.array([[3, 4, 5, 0, 0, 0]], "int32")
    padded = ops.convert_to_numpy(backbone(ids)["pooled"])
    unpadded = ops.convert_to_numpy(backbone(ids[:, :3])["pooled"])
    np.testing.assert_allclose(padded, unpadded, atol=1e-5)
    weights = ops.convert_to_numpy(backbone(ids)["attention"])
    np.testing.assert_array_equal(weights[0, 3:], 0.0)


def test_ids_model_shares_weights_with_text_model():
    config = SentimentConfig(units=3, embedding_dim=4, embeddings=None)
    vectorizer = TextVectorizer(WORDS)
    model = build_classifier(config, vectorizer, ["a", "b"])
    ids_model = model.ids_model()
    text = np.array(["the good film"], dtype=object)
    ids = ops.convert_to_numpy(vectorizer(text)).astype("int32")
    np.testing.assert_allclose(
        ops.convert_to_numpy(model(text)["probabilities"]),
        ops.convert_to_numpy(ids_model(ids)),
        atol=1e-6,
    )
    assert {id(w) for w in ids_model.weights} <= {id(w) for w in model.weights}


def test_pretrained_matrix_and_freezing():
    matrix = np.random.default_rng(0).normal(size=(8, 5)).astype("float32")
    config = SentimentConfig(units=3, embeddings=None, freeze_embeddings=True)
    model = build_classifier(
        config, TextVectorizer(WORDS), ["a", "b"], embedding_matrix=matrix
    )
    embedding = model.backbone.get_layer("embedding")
    np.testing.assert_array_equal(
        ops.convert_to_numpy(embedding.embeddings), matrix
    )
    assert not embedding.trainable


def test_bad_model_settings():
    with pytest.raises(ValueError, match="pooling"):
        RecurrentBackbone(10, 4, pooling="median")
    with pytest.raises(ValueError, match="skip"):
        RecurrentBackbone(10, 4, pooling="last", skip_connections=True)
    with pytest.raises(ValueError, match="2 classes"):
        TextClassifier(
            RecurrentBackbone(10, 4), TextVectorizer(WORDS), ["only"]
        )


def test_text_model_round_trips_through_keras_file(tmp_path):
    config = SentimentConfig(
        units=3, embedding_dim=4, embeddings=None, pooling="attention"
    )
    model = build_classifier(
        config, TextVectorizer(WORDS, max_length=4), ["neg", "pos"]
    )
    text = np.array(["the good film", "bad plot"], dtype=object)
    before = model.predict(text, verbose=0)
    model.save(tmp_path / "m.keras")
    loaded = keras.saving.load_model(tmp_path / "m.keras")
    after = loaded.predict(text, verbose=0)
    for key in ("probabilities", "attention"):
        np.testing.assert_allclose(after[key], before[key], atol=1e-6)
    assert loaded.class_names == ["neg", "pos"]
    assert loaded.vectorizer.max_length == 4


def test_static_channel_keeps_the_pretrained_vectors():
    matrix = np.random.default_rng(1).normal(size=(8, 5)).astype("float32")
    config = SentimentConfig(units=3, embeddings=None, static_channel=True)
    model = build_classifier(
        config, TextVectorizer(WORDS), ["a", "b"], embedding_matrix=matrix
    )
    backbone = model.backbone
    static = backbone.get_layer("static_embedding")
    assert not static.trainable and backbone.get_layer("embedding").trainable
    ids_model = model.ids_model()
    ids_model.compile(optimizer=keras.optimizers.SGD(1.0), loss="mse")
    ids_model.train_on_batch(np.array([[2, 3, 0]]), np.array([[1.0, 0.0]]))
    np.testing.assert_array_equal(
        ops.convert_to_numpy(static.embeddings), matrix
    )
    trained = ops.convert_to_numpy(backbone.get_layer("embedding").embeddings)
    assert not np.allclose(trained[2], matrix[2])
    groups = dict(model.layer_groups())
    assert static in groups["embedding"]
