"""bench/panel.py --quick: its three data sets, baselines that scikit-learn
reproduces, seqkit's scores as its run reports them, one table row each.

Needs the offline TweetEval copy at ../shared (skips where it is absent).
"""

import csv
import json
import os
import subprocess
import sys

import pytest
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score
from sklearn.pipeline import make_union
from sklearn.svm import LinearSVC

from tests.data.shared import ROOT, tweeteval_copy

QUICK = ["rt-snippets", "vader-tweets", "tweeteval-irony"]
ROWS = {"train": 400, "valid": 100, "test": 100}


def _panel(*args, cache=None):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    if cache is not None:
        env["SEQKIT_DATA_DIR"] = str(cache)
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "panel.py"), *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done


@pytest.fixture(scope="module")
def quick(tmp_path_factory):
    """One --quick panel for all the tests of this file."""
    shared = tweeteval_copy().parent.parent
    folder = tmp_path_factory.mktemp("panel")
    out = folder / "panel.json"
    options = ["--out", out, "--runs", folder / "runs", "--shared", shared]
    _panel("--quick", *options, cache=folder / "cache")
    return out, json.loads(out.read_text(encoding="utf-8")), options


def _head(split):
    path = ROOT / "data" / "rt-snippets" / f"{split}.csv"
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))[: ROWS[split]]
    return [r["text"] for r in rows], [r["label"] for r in rows]


def test_three_data_sets_of_the_quick_sizes(quick):
    _, results, _ = quick
    assert list(results["datasets"]) == QUICK
    assert results["mode"] == "quick"
    for name, entry in results["datasets"].items():
        assert entry["n"] == ROWS, name
        assert entry["main"] == (
            "official" if "tweeteval" in name else "accuracy"
        )
    assert results["datasets"]["tweeteval-irony"]["classes"] == [
        "irony",
        "non_irony",
    ]


@pytest.mark.parametrize(
    "kind, model",
    [
        ("tfidf_lr", lambda c: LogisticRegression(C=c, max_iter=5000)),
        ("tfidf_svm", lambda c: LinearSVC(C=c, max_iter=20000)),
    ],
)
def test_baseline_scores_are_sklearns(quick, kind, model):
    _, results, _ = quick
    found = results["datasets"]["rt-snippets"][kind]
    # The chosen C is the first best of the valid scores.
    by_c = found["valid_by_C"]
    assert found["C"] == float(max(by_c, key=lambda c: (by_c[c], -float(c))))
    assert found["valid"]["accuracy"] == by_c[str(found["C"])]
    (train, y_train), (test, y_test) = _head("train"), _head("test")
    features = make_union(
        TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
        TfidfVectorizer(
            analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True
        ),
    )
    fitted = model(found["C"]).fit(features.fit_transform(train), y_train)
    predicted = fitted.predict(features.transform(test))
    assert found["test"]["accuracy"] == pytest.approx(
        accuracy_score(y_test, predicted), abs=1e-6
    )
    assert found["test"]["macro_f1"] == pytest.approx(
        f1_score(y_test, predicted, average="macro"), abs=1e-6
    )


def test_seqkit_scores_match_its_run(quick):
    _, results, _ = quick
    for name, entry in results["datasets"].items():
        seqkit = entry["seqkit"]
        assert "--preset tiny" in seqkit["command"], name
        assert seqkit["wall_seconds"] > 1, name
        # A process that imported TensorFlow: hundreds of MB at least.
        assert seqkit["peak_rss_mb"] > 200, name
        for key in ("accuracy", "macro_f1"):
            assert seqkit["test"][key] == pytest.approx(
                seqkit["metrics_json"]["test"][key], abs=1e-6
            ), (name, key)
        main = entry["main"]
        best = max(entry[k]["test"][main] for k in ("tfidf_lr", "tfidf_svm"))
        assert entry["margin_points"] == pytest.approx(
            100 * (seqkit["test"][main] - best), abs=0.01
        ), name
    irony = results["datasets"]["tweeteval-irony"]["seqkit"]["test"]
    assert 0 <= irony["official"] <= 1


def test_table_has_a_row_per_data_set_and_is_regenerated(quick):
    out, results, _ = quick
    table = out.with_suffix(".md")
    rows = [
        line
        for line in table.read_text(encoding="utf-8").splitlines()
        if line.startswith("| ") and not line.startswith("| data set")
    ]
    assert [row.split(" | ")[0] for row in rows] == [f"| {n}" for n in QUICK]
    commits = {results["datasets"][n]["commit"][:7] for n in QUICK}
    assert [row.split(" | ")[-1].rstrip(" |+") for row in rows] == [
        *commits
    ] * len(QUICK)
    written = table.read_text(encoding="utf-8")
    table.unlink()
    _panel("--table-only", "--out", out)
    assert table.read_text(encoding="utf-8") == written


def test_resume_skips_the_finished_data_sets(quick):
    out, results, options = quick
    done = _panel("--quick", "--resume", *options, "--only", "rt-snippets")
    assert "rt-snippets: in" in done.stderr and "skipped" in done.stderr
    again = json.loads(out.read_text(encoding="utf-8"))
    assert again["datasets"] == results["datasets"]


def test_redo_runs_the_named_set_again_and_keeps_the_others(quick):
    out, results, options = quick
    refused = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "panel.py"), "--redo"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert refused.returncode == 2 and "name them" in refused.stderr
    done = _panel("--quick", "--redo", *options, "--only", "vader-tweets")
    assert "skipped" not in done.stderr
    again = json.loads(out.read_text(encoding="utf-8"))["datasets"]
    assert set(again) == set(results["datasets"])
    for name in ("rt-snippets", "tweeteval-irony"):
        assert again[name] == results["datasets"][name]
    # Trained again: the same seeds give the same scores, in new time.
    redone, before = again["vader-tweets"], results["datasets"]["vader-tweets"]
    assert redone["seqkit"]["test"] == before["seqkit"]["test"]
    assert redone["seqkit"] != before["seqkit"]


def test_remix_mixes_a_finished_run_again_and_keeps_its_training(quick):
    out, _, options = quick
    before = json.loads(out.read_text(encoding="utf-8"))["datasets"]
    _panel("--quick", "--remix", "--only", "rt-snippets", *options)
    after = json.loads(out.read_text(encoding="utf-8"))["datasets"]
    old, new = before["rt-snippets"], after["rt-snippets"]
    # The members are loaded, not trained again: the mix, made by the same
    # code, predicts the same test labels.
    assert new["seqkit"]["test"] == old["seqkit"]["test"]
    assert new["seqkit"]["wall_seconds"] == old["seqkit"]["wall_seconds"]
    remix = new["seqkit"]["remix"]
    assert remix["members_trained_at"] == old["commit"]
    assert remix["command"].endswith("--resume")
    assert new["tfidf_lr"] == old["tfidf_lr"]
    assert "mixed at" in out.with_suffix(".md").read_text(encoding="utf-8")
    # The other rows are kept as they were.
    for name in ("vader-tweets", "tweeteval-irony"):
        assert after[name] == before[name]
