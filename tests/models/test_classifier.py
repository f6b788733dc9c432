"""The classifiers: which text classifiers a model averages."""

from seqkit.models import EnsembleClassifier, RecurrentBackbone, TextClassifier
from seqkit.models.classifier import text_classifiers
from seqkit.preprocessing import TextVectorizer
from tests.models.documents.tiny import tiny_classifier


def _text_classifier(name):
    return TextClassifier(
        RecurrentBackbone(6, 3, units=2),
        TextVectorizer(["good", "bad", "film"]),
        ["neg", "pos"],
        name=name,
    )


def test_text_classifiers_of_a_model_an_ensemble_and_others():
    one, two = _text_classifier("one"), _text_classifier("two")
    assert text_classifiers(one) == [one]
    assert text_classifiers(EnsembleClassifier([one, two])) == [one, two]
    documents = tiny_classifier(name="documents")
    assert text_classifiers(documents) is None
    ensemble = EnsembleClassifier([documents, tiny_classifier(name="other")])
    assert text_classifiers(ensemble) is None
    assert text_classifiers(one.backbone) is None
