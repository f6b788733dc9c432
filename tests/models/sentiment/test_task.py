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
    assert {"default", "tiny", "deepmoji", "deepmoji-paper"} <= set(presets)
    assert presets["deepmoji"] == DEEPMOJI_PRESETS["deepmoji"]
    # The shipped size and the paper's differ only in their sizes.
    paper = presets["deepmoji-paper"]
    shipped = presets["deepmoji"]
    sizes = {"max_vocab", "embedding_dim", "units", "embeddings"}
    assert {k: v for k, v in paper.items() if k not in sizes} == {
        k: v for k, v in shipped.items() if k not in sizes
    }
    assert (paper["units"], paper["embedding_dim"]) == (512, 256)
    assert paper["embeddings"] is None
    assert (shipped["units"], shipped["embeddings"]) == (256, "glove-6b-50d")


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


class _FixedModel:
    """Answers the probabilities it was given, whatever the texts."""

    class_names = ["against", "favor", "none"]

    def __init__(self, probabilities):
        self.probabilities = probabilities

    def predict(self, texts, batch_size=None, verbose=0):
        assert len(texts) == len(self.probabilities)
        return self.probabilities


def test_evaluate_run_adds_the_metrics_asked_for(tmp_path):
    import numpy as np

    gold = ["against", "against", "against", "favor", "favor", "none"]
    said = ["against", "against", "favor", "favor", "none", "none"]
    names = _FixedModel.class_names
    probabilities = np.eye(3)[[names.index(s) for s in said]]
    data = tmp_path / "test.csv"
    rows = [f"text {i},{label}" for i, label in enumerate(gold)]
    data.write_text("text,label\n" + "\n".join(rows) + "\n")
    metrics = evaluate_run(
        tmp_path,
        data,
        model=_FixedModel(probabilities),
        metrics=("macro_recall", "f1:none", "f1:against,favor", "macro_f1"),
    )
    # By hand: against P 2/2 R 2/3 F1 0.8; favor P 1/2 R 1/2 F1 0.5;
    # none P 1/2 R 1/1 F1 2/3.
    assert metrics["accuracy"] == pytest.approx(4 / 6)
    assert metrics["macro_recall"] == pytest.approx((2 / 3 + 1 / 2 + 1) / 3)
    assert metrics["f1:none"] == pytest.approx(2 / 3)
    assert metrics["f1:against,favor"] == pytest.approx((0.8 + 0.5) / 2)
    assert metrics["macro_f1"] == pytest.approx((0.8 + 0.5 + 2 / 3) / 3)
    with pytest.raises(ValueError, match="no class neutral"):
        evaluate_run(
            tmp_path,
            data,
            model=_FixedModel(probabilities),
            metrics=("f1:neutral",),
        )
