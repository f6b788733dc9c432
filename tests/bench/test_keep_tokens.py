"""bench/keep_tokens.py: the recipe's `keep` rule on a training split."""

import csv
import sys

import numpy as np

from tests.data.shared import ROOT

sys.path.insert(0, str(ROOT / "bench"))

import keep_tokens as bench  # noqa: E402


def test_texts_whose_label_word_ends_them_keep_their_end(tmp_path):
    rng = np.random.default_rng(0)
    rows = []
    for i in range(100):
        label = ["good", "bad"][i % 2]
        # 2,000 tokens a text: the recipe keeps 276 (the mean budget).
        # Token 1,750 is among the last 276, not among the first 276 nor
        # among start+end's first 69 and last 207.
        words = list(rng.choice([f"w{j}" for j in range(20)], 2000))
        words[1750] = label
        rows.append((" ".join(words), label))
    path = tmp_path / "train.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([("text", "label"), *rows])
    found = bench.measure(path)
    assert (found["n"], found["cut"], found["max_length"]) == (100, 100, 276)
    assert found["keep"] == "end"
    scores = found["accuracy"]
    assert scores["end"] >= 0.9 and scores["whole"] >= 0.9
    assert scores["start"] <= 0.75
    assert "each keeps its last" in found["keep_reason"]
    table = bench.table(
        {
            "command": "c",
            "commit": "0" * 40,
            "date": "d",
            "datasets": {"set": found},
        }
    )
    assert f"| set | 100 | {found['mean_tokens']} |" in table
    assert table.rstrip().endswith("| end |")
