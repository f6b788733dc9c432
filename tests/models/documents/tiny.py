"""A tiny document classifier for the tests: 5 words, 3 units, 2 classes."""

from seqkit.models import (
    DocumentClassifier,
    HierarchicalEncoder,
    RecurrentBackbone,
)
from seqkit.preprocessing import DocumentVectorizer, TextVectorizer


def tiny_classifier(**kwargs):
    """A `DocumentClassifier`; `kwargs` are its Keras arguments (`name`)."""
    vectorizer = TextVectorizer(["good", "bad", "film", "a", "."], max_length=6)
    documents = DocumentVectorizer(vectorizer, max_sentences=4)
    words = RecurrentBackbone(
        vectorizer.vocabulary_size(),
        4,
        cell="gru",
        units=3,
        pooling="attention",
    )
    return DocumentClassifier(
        HierarchicalEncoder(words, units=3), documents, ["neg", "pos"], **kwargs
    )
