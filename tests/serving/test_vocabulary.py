"""The pooled loops' token ids: the vectorizer's, padded to max_length."""

import numpy as np
import pytest

from seqkit.serving.fast.vocabulary import VocabularyIds


@pytest.mark.parametrize(
    "tokenizer,keep",
    [
        ("word", "start"),
        ("tweet", "start"),
        ("word", "start+end"),
        ("word", "end"),
    ],
)
def test_vocabulary_ids_are_the_vectorizers_padded(tokenizer, keep):
    # The pooled-loop export looks ids up itself (no captured constants,
    # one padding op): they must be the vectorizer's, padded or cut to
    # max_length.
    import tensorflow as tf

    from seqkit.preprocessing import TextVectorizer

    words = ["the", "film", "is", "n't", "good", "!", "@user", "<number>"]
    vectorizer = TextVectorizer(
        words, max_length=6, tokenizer=tokenizer, keep=keep
    )
    texts = [
        "The film isn't good !",
        "",
        "   \t ",
        "unknown words only here",
        "the the the the the the the the film",  # longer than max_length
        "film is good the the the the is n't good !",  # its ends differ
        "@user 3.5 stars… the FILM",
        "good",
    ]
    ids = VocabularyIds(vectorizer)(tf.constant(texts))
    expected = vectorizer(tf.constant(texts)).numpy()
    expected = np.pad(expected, [[0, 0], [0, 6 - expected.shape[1]]])
    assert ids.shape == (len(texts), 6)
    np.testing.assert_array_equal(ids.numpy(), expected)
    assert (ids.numpy() == 1).any() and (ids.numpy() > 1).any()
