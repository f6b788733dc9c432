"""The tweet task prepared from VADER's rated tweets.

`fixtures/vader_tweets_sample.txt` is 13 real lines of vaderSentiment
3.3.2's `tweets_GroundTruth.txt` (MIT), CRLF line ends as shipped.
"""

import csv
from pathlib import Path

import pytest

from seqkit.data import DataError, prepare_vader_tweets

SAMPLE = Path(__file__).parent / "fixtures" / "vader_tweets_sample.txt"
COMMITTED = Path(__file__).resolve().parents[2] / "data" / "vader-tweets"


def _read(folder):
    rows = []
    for split in ("train", "valid", "test"):
        with open(folder / f"{split}.csv", encoding="utf-8") as handle:
            rows.extend(dict(r, split=split) for r in csv.DictReader(handle))
    return rows


def test_labels_thresholds_and_unescaping(tmp_path):
    report = prepare_vader_tweets(SAMPLE, tmp_path)
    assert report.rows_read == 13
    assert report.dropped["neutral"] == 4
    rows = _read(tmp_path)
    assert len(rows) == 9
    for row in rows:
        rating = float(row["rating"])
        assert row["label"] == ("positive" if rating > 0.5 else "negative")
        assert rating > 0.5 or rating < -0.5
        assert not row["text"].endswith("\r")
    texts = [row["text"] for row in rows]
    assert any("last night & the love" in t for t in texts)
    assert not any("&amp;" in t for t in texts)
    total = sum(sum(c.values()) for c in report.counts.values())
    assert total == 9


def test_the_split_is_reproducible(tmp_path):
    prepare_vader_tweets(SAMPLE, tmp_path / "a")
    prepare_vader_tweets(SAMPLE, tmp_path / "b")
    for split in ("train", "valid", "test"):
        assert (tmp_path / "a" / f"{split}.csv").read_bytes() == (
            tmp_path / "b" / f"{split}.csv"
        ).read_bytes()


@pytest.mark.parametrize(
    "content, message",
    [
        ("1\t2.5\n", "line 1: expected 3 tab-separated fields"),
        ("1\t2.5\tok\n2\tgood\tbad\n", "line 2, field 'rating'"),
    ],
)
def test_malformed_lines(tmp_path, content, message):
    path = tmp_path / "tweets.txt"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(DataError, match=message):
        prepare_vader_tweets(path, tmp_path / "out")


def test_committed_copy():
    rows = _read(COMMITTED)
    counts = {}
    for row in rows:
        key = (row["split"], row["label"])
        counts[key] = counts.get(key, 0) + 1
    assert counts == {
        ("train", "positive"): 1840,
        ("train", "negative"): 850,
        ("valid", "positive"): 230,
        ("valid", "negative"): 106,
        ("test", "positive"): 230,
        ("test", "negative"): 106,
    }
    assert len({row["text"] for row in rows}) == len(rows)
