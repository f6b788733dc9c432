"""The hierarchical encoder and document classifier: masking at both
levels, attention, layer groups."""

import keras
import numpy as np
import pytest
from keras import ops

from seqkit.models import HierarchicalEncoder, RecurrentBackbone
from tests.models.documents.tiny import tiny_classifier


def _encoder(pooling="attention", cell="gru"):
    keras.utils.set_random_seed(1)
    words = RecurrentBackbone(12, 5, cell=cell, units=4, pooling=pooling)
    return HierarchicalEncoder(words, cell=cell, units=3)


DOCUMENT = np.array(
    [
        [[3, 4, 5, 0], [6, 7, 0, 0], [8, 9, 10, 11]],
        [[2, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]],
    ],
    dtype="int32",
)


def _numpy(outputs):
    return {k: ops.convert_to_numpy(v) for k, v in outputs.items()}


@pytest.mark.parametrize("cell", ["gru", "lstm"])
def test_padding_sentences_and_words_change_nothing(cell):
    encoder = _encoder(cell=cell)
    plain = _numpy(encoder(DOCUMENT))
    # More padding words in every sentence, and more padding sentences.
    padded = np.zeros((2, 5, 7), dtype="int32")
    padded[:, :3, :4] = DOCUMENT
    more = _numpy(encoder(padded))
    np.testing.assert_allclose(more["pooled"], plain["pooled"], atol=1e-6)
    np.testing.assert_allclose(
        more["sentence_attention"][:, :3],
        plain["sentence_attention"],
        atol=1e-6,
    )
    assert np.all(more["sentence_attention"][:, 3:] == 0)
    np.testing.assert_allclose(
        more["word_attention"][:, :3, :4], plain["word_attention"], atol=1e-6
    )
    assert np.all(more["word_attention"][:, :, 4:] == 0)
    # The second document alone (one sentence of one word) is the same.
    alone = _numpy(encoder(DOCUMENT[1:, :1, :1]))
    np.testing.assert_allclose(alone["pooled"], plain["pooled"][1:], atol=1e-6)


def test_attention_weights_are_distributions_over_real_items():
    outputs = _numpy(_encoder()(DOCUMENT))
    sentences = outputs["sentence_attention"]
    np.testing.assert_allclose(sentences.sum(-1), 1.0, rtol=1e-5)
    assert sentences[1, 1:].max() == 0 and sentences[1, 0] == pytest.approx(1.0)
    words = outputs["word_attention"]
    np.testing.assert_allclose(words[0].sum(-1), 1.0, rtol=1e-5)
    assert words[0, 0, 3] == 0 and words[0, 1, 2:].max() == 0
    # A padding sentence's words get all-zero weights, never NaN.
    assert np.all(words[1, 1:] == 0)
    assert np.isfinite(outputs["pooled"]).all()


def test_a_document_is_the_sentence_vectors_read_in_order():
    encoder = _encoder()
    plain = _numpy(encoder(DOCUMENT[:1]))["pooled"]
    swapped = DOCUMENT[:1, [2, 1, 0]]
    other = _numpy(encoder(swapped))["pooled"]
    assert np.abs(plain - other).max() > 1e-5


def test_without_word_attention_only_sentence_weights():
    outputs = _encoder(pooling="max")(DOCUMENT)
    assert "word_attention" not in outputs
    assert tuple(outputs["sentence_attention"].shape) == (2, 3)


def test_the_classifier_reads_raw_documents_like_its_ids_model():
    classifier = tiny_classifier()
    texts = np.array(["A good film. A bad film.", "Bad."], dtype=object)
    outputs = classifier(texts)
    ids = classifier.documents(texts)
    np.testing.assert_allclose(
        ops.convert_to_numpy(outputs["probabilities"]),
        ops.convert_to_numpy(classifier.ids_model()(ids)),
        rtol=1e-5,
    )
    assert tuple(outputs["word_attention"].shape) == (2, 2, 4)


def test_layer_groups_cover_every_weight():
    classifier = tiny_classifier()
    names = [name for name, _ in classifier.layer_groups()]
    assert names == [
        "word_embedding",
        "word_bi_gru_0",
        "word_attention",
        "sentence",
        "head",
    ]
    grouped = {
        id(w)
        for _, layers in classifier.layer_groups()
        for layer in layers
        for w in layer.weights
    }
    assert grouped == {id(w) for w in classifier.trainable_weights}


def test_the_word_encoder_must_be_a_backbone():
    with pytest.raises(TypeError, match="RecurrentBackbone"):
        HierarchicalEncoder(keras.layers.Dense(3))
