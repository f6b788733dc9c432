"""The text-classification task: found for text classifiers, predicts."""

import pytest

from seqkit.models import EnsembleClassifier
from seqkit.models.deepmoji import PRESETS as DEEPMOJI_PRESETS
from seqkit.models.predict import evaluate_run, predict_texts
from seqkit.models.sentiment import SentimentConfig, build_classifier
from seqkit.models.sentiment.task import TextClassificationTask
from seqkit.models.task import task_for
from seqkit.preprocessing import TextVectorizer

WORDS = ["the", "film", "good", "bad", "not", "plot"]


def _classifier(name="classifier"):
    config = SentimentConfig(
        units=2, embedding_dim=3, embeddings=None, pooling="attention"
    )
    vectorizer = TextVectorizer(WORDS, max_length=6)
    return build_classifier(config, vectorizer, ["neg", "pos"], name=name)


@pytest.fixture(scope="module")
def classifier():
    return _classifier()


def test_text_classifiers_have_the_text_task(classifier):
    ensemble = EnsembleClassifier([classifier, _classifier("other")])
    for model in (classifier, ensemble):
        task = task_for(model)
        assert isinstance(task, TextClassificationTask)
        assert task.name == "text-classification"
        assert task.serving == "text"


def test_presets_hold_sentiment_and_deepmoji(classifier):
    presets = task_for(classifier).presets
    assert {"default", "tiny", "deepmoji"} <= set(presets)
    assert presets["deepmoji"] == DEEPMOJI_PRESETS["deepmoji"]


def test_predict_gives_the_records_of_predict_texts(classifier, tmp_path):
    table = tmp_path / "texts.csv"
    table.write_text("review\nnot the plot\n", encoding="utf-8")
    records = task_for(classifier).predict(
        classifier,
        str(tmp_path),
        ["the good film", "bad"],
        str(table),
        text_column="review",
        top_k=1,
        attention=True,
    )
    texts = ["the good film", "bad", "not the plot"]
    assert records == predict_texts(classifier, texts, 1, True)
    assert task_for(classifier).predict(classifier, str(tmp_path), []) == []


def test_evaluate_gives_the_metrics_of_evaluate_run(classifier, tmp_path):
    data = tmp_path / "test.csv"
    data.write_text("text,label\ngood film,pos\nbad plot,neg\n")
    metrics = task_for(classifier).evaluate(classifier, str(tmp_path), data)
    assert metrics == evaluate_run(tmp_path, data, model=classifier)
    assert metrics["n"] == 2
