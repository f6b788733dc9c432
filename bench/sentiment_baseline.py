"""TF-IDF + logistic regression on a sentiment split: the baseline to beat.

Usage:
    python bench/sentiment_baseline.py [--run RUN] [--data-dir data/rt-snippets]

Fits scikit-learn's TfidfVectorizer (word 1-2 grams, sublinear tf) and
LogisticRegression on train, picks C on valid, and reports valid and test
accuracy and macro-F1. With `--run`, the seqkit run's metrics on the same
split are printed beside it, so the two are compared in one report.
"""

import argparse
import csv
import json
import time
from pathlib import Path

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score


def read(path):
    with open(path, encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return [r["text"] for r in rows], [r["label"] for r in rows]


def score(labels, predicted):
    return {
        "accuracy": round(accuracy_score(labels, predicted), 4),
        "macro_f1": round(f1_score(labels, predicted, average="macro"), 4),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default="data/rt-snippets")
    parser.add_argument("--run", help="a seqkit run folder to compare")
    args = parser.parse_args()
    data = Path(args.data_dir)
    train, valid, test = (
        read(data / f"{s}.csv") for s in ("train", "valid", "test")
    )
    started = time.time()
    vectorizer = TfidfVectorizer(
        ngram_range=(1, 2), sublinear_tf=True, min_df=1, lowercase=True
    )
    x_train = vectorizer.fit_transform(train[0])
    best = None
    for c in (0.5, 1, 2, 4, 8, 16):
        model = LogisticRegression(C=c, max_iter=2000)
        model.fit(x_train, train[1])
        valid_score = score(
            valid[1], model.predict(vectorizer.transform(valid[0]))
        )
        if best is None or valid_score["accuracy"] > best[1]["accuracy"]:
            best = (c, valid_score, model)
    c, valid_score, model = best
    report = {
        "baseline": "tfidf(1-2 grams)+logistic regression",
        "C": c,
        "valid": valid_score,
        "test": score(test[1], model.predict(vectorizer.transform(test[0]))),
        "seconds": round(time.time() - started, 1),
    }
    if args.run:
        metrics = json.loads((Path(args.run) / "metrics.json").read_text())
        report["seqkit"] = {
            split: {
                k: round(metrics[split][k], 4) for k in ("accuracy", "macro_f1")
            }
            for split in ("valid", "test")
        }
        report["seqkit"]["train_seconds"] = metrics.get("train_seconds")
        report["test_accuracy_gain"] = round(
            report["seqkit"]["test"]["accuracy"] - report["test"]["accuracy"], 4
        )
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
