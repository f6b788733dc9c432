"""bench/tweeteval.py: the summary over seeds and stance topics, the table
beside the published rows, and a --quick run whose scores scikit-learn
reproduces from `seqkit predict`.

The quick run needs the offline TweetEval copy at ../shared (skips where
it is absent).
"""

import csv
import json
import os
import subprocess
import sys

import pytest
from sklearn.metrics import f1_score

from tests.data.shared import ROOT, tweeteval_copy

sys.path.insert(0, str(ROOT / "bench"))

import tweeteval  # noqa: E402

TOPICS = ["abortion", "atheism", "climate", "feminist", "hillary"]


def _entry(score):
    return {"test": score}


def _results():
    """Two seeds of chain-thaw on irony and the five stance topics."""
    systems = {"chain-thaw": {"irony": {}}}
    for seed, score in (("1", 0.60), ("2", 0.70)):
        systems["chain-thaw"]["irony"][seed] = _entry(score)
    for i, topic in enumerate(TOPICS):
        systems["chain-thaw"][f"stance-{topic}"] = {
            "1": _entry(0.40 + 0.05 * i),  # mean 0.50
            "2": _entry(0.30 + 0.05 * i),  # mean 0.40
        }
    return {
        "systems": systems,
        "command": "python bench/tweeteval.py",
        "commit": "0123456789abcdef",
        "date": "2026-12-06T00:00:00+00:00",
        "machine": {"cpu_count": 2},
        "base": "deepmoji-tweets",
        "base_emoji": 0.3012,
    }


def test_stance_is_each_seeds_mean_of_the_five_topics_then_over_seeds():
    summary = tweeteval.summarise(_results())["chain-thaw"]
    assert summary["irony"] == {
        "mean": 65.0,
        "min": 60.0,
        "max": 70.0,
        "seeds": 2,
        "topics": None,
    }
    assert summary["stance"] == {
        "mean": 45.0,
        "min": 40.0,
        "max": 50.0,
        "seeds": 2,
        "topics": 5,
    }
    # A seed that lacks a topic does not count for stance.
    results = _results()
    del results["systems"]["chain-thaw"]["stance-hillary"]["2"]
    stance = tweeteval.summarise(results)["chain-thaw"]["stance"]
    assert (stance["mean"], stance["seeds"]) == (50.0, 1)


def test_the_table_puts_the_published_rows_beside_the_measured():
    lines = tweeteval.table(_results()).splitlines()
    assert "Base: `deepmoji-tweets` (emoji test macro-F1 30.1)." in lines[2]
    assert lines[6] == "| system | irony | stance | mean |"
    # LSTM: irony 62.8, stance 59.4 -> mean 61.1.
    assert "| LSTM (published) | 62.8 | 59.4 | 61.1 |" in lines
    assert (
        "| chain-thaw | 65.0 [60.0-70.0] | 45.0 [40.0-50.0] | 55.0 |" in lines
    )


def test_a_stance_column_of_fewer_topics_says_so_and_has_no_mean():
    results = _results()
    for topic in ("climate", "feminist"):
        del results["systems"]["chain-thaw"][f"stance-{topic}"]
    lines = tweeteval.table(results).splitlines()
    # abortion, atheism, hillary: seed 1 (0.40, 0.45, 0.60) mean 0.4833,
    # seed 2 (0.30, 0.35, 0.50) mean 0.3833; over seeds 43.3.
    assert (
        "| chain-thaw | 65.0 [60.0-70.0] | 43.3 [38.3-48.3] (3 of 5 "
        "topics) | - |" in lines
    )
    # Each task alone: irony (0.60 + 0.70) / 2, hillary (0.60 + 0.50) / 2.
    assert "| irony | 65.0 (2) |" in lines
    assert "| stance-hillary | 55.0 (2) |" in lines
    assert not any(line.startswith("| stance-climate") for line in lines)


def test_official_metric_and_column_of_each_task():
    assert tweeteval.selection("irony") == "f1:irony"
    assert tweeteval.selection("stance-climate") == "f1:against,favor"
    assert tweeteval.selection("hate") == "macro_f1"
    assert [tweeteval.column(t) for t in tweeteval.TASKS] == [
        "emotion", "hate", "irony", "offensive", *["stance"] * 5,
    ]  # fmt: skip


def _seqkit(*args, env):
    done = subprocess.run(
        [sys.executable, "-m", "seqkit", *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


@pytest.mark.large
def test_quick_run_scores_what_predict_says(tmp_path):
    # Large: a minute and a half of subprocesses (pretrain, fine-tune,
    # train, evaluate, predict); the summary and table tests above run
    # in the default suite.
    shared = tweeteval_copy().parent.parent
    env = dict(
        os.environ, PYTHONPATH=str(ROOT), SEQKIT_DATA_DIR=str(tmp_path / "c")
    )
    base = tmp_path / "base"
    vader = ROOT / "data" / "vader-tweets"
    _seqkit(
        "pretrain", "deepmoji", "--train", vader / "train.csv",
        "--valid", vader / "valid.csv", "--units", 4, "--embedding-dim", 8,
        "--embeddings", "none",
        "--max-vocab", 2000, "--epochs", 1, "--quiet", "--out", base, env=env,
    )  # fmt: skip
    out = tmp_path / "t.json"
    runs = tmp_path / "runs"
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "tweeteval.py"),
            "--base",
            str(base),
            "--tasks",
            "irony",
            "--methods",
            "last",
            "--seeds",
            "1",
            "--quick",
            "--out",
            str(out),
            "--runs",
            str(runs),
            "--shared",
            str(shared),
        ],  # fmt: skip
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads(out.read_text(encoding="utf-8"))
    assert sorted(results["systems"]) == ["default", "last", "tfidf_lr"]
    test = runs / "quick-data" / "irony" / "test.csv"
    with open(test, encoding="utf-8", newline="") as handle:
        labels = [row["label"] for row in csv.DictReader(handle)]
    assert len(labels) == 60
    for system in ("last", "default"):
        entry = results["systems"][system]["irony"]["1"]
        lines = _seqkit(
            "predict", runs / "irony" / f"{system}-1", "--input", test, env=env
        ).splitlines()
        said = [json.loads(line)["label"] for line in lines]
        expected = f1_score(labels, said, labels=["irony"], average="macro")
        assert entry["test"] == pytest.approx(expected, abs=1e-6)
        assert entry["n"] == 60
    assert "| last |" in out.with_suffix(".md").read_text(encoding="utf-8")
