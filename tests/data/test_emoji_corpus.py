"""Emoji distant supervision on a small synthetic corpus.

`fixtures/synthetic_emoji.txt` is synthetic text written for these tests
(not real tweets): it has repeated emoji, skin tones, a ZWJ sequence, a
flag, a keycap, a blank line, a line without emoji and one with only emoji.
"""

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from seqkit.cli import cli
from seqkit.data.emoji_corpus import build_emoji_corpus, split_emoji

CORPUS = Path(__file__).parent / "fixtures" / "synthetic_emoji.txt"


def _rows(folder):
    rows = []
    for split in ("train", "valid", "test"):
        with open(folder / f"{split}.csv", encoding="utf-8") as handle:
            rows.extend(
                (split, r["text"], r["label"]) for r in csv.DictReader(handle)
            )
    return rows


@pytest.mark.parametrize(
    "text, plain, found",
    [
        ("so good 😂😂 👍🏽", "so good", ["😂", "👍"]),
        ("👍🏿 and 👍", "and", ["👍"]),
        ("love ❤️ it", "love it", ["❤"]),
        ("coder 👩‍💻 in 🇫🇷", "coder in", ["👩‍💻", "🇫🇷"]),
        ("no emoji here", "no emoji here", []),
    ],
)
def test_split_emoji(text, plain, found):
    assert split_emoji(text) == (plain, found)


def test_corpus_labels_counts_and_one_example_per_distinct_emoji(tmp_path):
    counts = build_emoji_corpus(CORPUS, 4, tmp_path)
    assert counts.lines == 15
    assert counts.empty == 1
    assert counts.no_emoji == 1
    assert counts.only_emoji == 1
    # Frequencies (texts holding each): 😂 3, ❤ 3, 🎉 2, 👍 2, 😢 2, ...
    labels = (tmp_path / "labels.txt").read_text(encoding="utf-8").split()
    assert labels == ["😂", "❤", "🎉", "👍"]
    rows = _rows(tmp_path)
    assert counts.examples == len(rows) == 10
    pairs = [(text, label) for _, text, label in rows]
    assert pairs.count(("love you all", "❤")) == 2  # two source lines
    assert ("love you all", "😂") in pairs
    assert ("what a great day", "😂") in pairs
    assert pairs.count(("what a great day", "😂")) == 1  # distinct emoji
    assert ("thumbs up again", "👍") in pairs  # skin tones folded
    for _, text, label in rows:
        assert split_emoji(text) == (text, [])  # no emoji left in inputs
        assert label in labels
    # Lines whose emoji are all outside the top 4 are counted, not lost.
    assert counts.no_top_emoji == 4  # 😢 x2, flag/coder, keycap
    assert counts.labels == {"😂": 3, "❤": 3, "🎉": 2, "👍": 2}
    assert sum(counts.splits.values()) == counts.examples
    written = json.loads((tmp_path / "counts.json").read_text(encoding="utf-8"))
    assert written["examples"] == 10


def test_examples_of_one_text_share_a_split(tmp_path):
    build_emoji_corpus(CORPUS, 8, tmp_path)
    split_of = {}
    for split, text, _ in _rows(tmp_path):
        assert split_of.setdefault(text, split) == split


def test_cli_prints_counts(tmp_path):
    result = CliRunner().invoke(
        cli,
        [
            "data",
            "emoji-corpus",
            "--input",
            str(CORPUS),
            "--top-k",
            "2",
            "--out",
            str(tmp_path / "corpus"),
        ],
    )
    assert result.exit_code == 0, result.output
    counts = json.loads(result.output)
    assert list(counts["labels"]) == ["😂", "❤"]


@pytest.mark.parametrize(
    "content, top_k, message",
    [
        (b"ok \xf0\x9f\x98\x82\nbad \xff\xfe\n", 2, "line 2: not valid UTF-8"),
        ("only 😂 here\n".encode(), 2, "needs at least 2 labels"),
        ("a 😂\nb ❤\n".encode(), 1, "--top-k must be an integer >= 2"),
    ],
)
def test_bad_input(tmp_path, content, top_k, message):
    path = tmp_path / "raw.txt"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=message):
        build_emoji_corpus(path, top_k, tmp_path / "out")


def test_missing_file(tmp_path):
    result = CliRunner().invoke(
        cli,
        [
            "data",
            "emoji-corpus",
            "--input",
            str(tmp_path / "none.txt"),
            "--out",
            str(tmp_path / "out"),
        ],
    )
    assert result.exit_code == 1
    assert "none.txt" in result.output
