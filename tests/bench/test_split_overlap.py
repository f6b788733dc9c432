"""bench/split_overlap.py: held-out texts found in training, and whether
they keep their training label."""

import csv
import sys

from tests.data.shared import ROOT

sys.path.insert(0, str(ROOT / "bench"))

import split_overlap as bench  # noqa: E402


def test_shared_texts_are_split_by_label():
    train = (
        ["Fine film", "dull film", "odd", "odd"],
        ["pos", "neg", "pos", "neg"],
    )
    held = (
        ["Fine film", "fine film!", "dull film", "odd", "new"],
        ["pos", "pos", "pos", "neg", "neg"],
    )
    exact = bench.overlap(train, held, str)
    counts = [exact[k] for k in ("shared", "same_label", "other_label")]
    assert counts == [3, 2, 1]
    assert exact["examples"] == [
        {"text": "dull film", "label": "pos", "train_labels": ["neg"]}
    ]
    # "fine film!" joins "Fine film" once case and punctuation are ignored.
    near = bench.overlap(train, held, bench.text_key)
    counts = [near[k] for k in ("shared", "same_label", "other_label")]
    assert counts == [4, 3, 1]


def test_measure_reads_the_three_splits(tmp_path):
    rows = {
        "train": [("a b", "x"), ("c", "y"), ("", "y")],
        "valid": [("a b", "y"), ("d", "x")],
        "test": [("A b.", "x"), ("c", "y"), ("e", "y"), ("f", "y")],
    }
    files = {}
    for name, found in rows.items():
        files[name] = tmp_path / f"{name}.csv"
        with open(files[name], "w", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerows([("text", "label"), *found])
    result = bench.measure(files)
    assert result["n"] == {"train": 2, "valid": 2, "test": 4}
    assert result["class_shares"]["test"] == {"x": 0.25, "y": 0.75}
    assert result["valid"]["exact"]["other_label"] == 1
    assert result["test"]["exact"]["shared"] == 1
    assert result["test"]["near"]["same_label"] == 2
    assert "| test | 4 | 1 / 1 / 0 | 2 / 2 / 0 |" in bench.table(
        {
            "command": "c",
            "commit": "0" * 40,
            "date": "d",
            "datasets": {"s": result},
        }
    )
