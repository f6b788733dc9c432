"""The tweet task prepared from VADER's rated tweets.

`fixtures/vader_tweets_sample.txt` is 13 real lines of vaderSentiment
3.3.2's `tweets_GroundTruth.txt` (MIT), CRLF line ends as shipped.
"""

import csv
import re
import unicodedata
from pathlib import Path

import pytest

from seqkit.data import (
    DataError,
    fetch,
    hash_split,
    prepare_vader_tweets,
    tweet_group_key,
)
from seqkit.data.prepare import VADER_TWEETS_SEED

SAMPLE = Path(__file__).parent / "fixtures" / "vader_tweets_sample.txt"
REPO = Path(__file__).resolve().parents[2]
COMMITTED = REPO / "data" / "vader-tweets"
README = REPO / "data" / "README.md"
SPLITS = ("train", "valid", "test")


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


# Grouping the copies of one tweet.

# Hand-made tweets (text, rating), 10 negative and 10 positive; each is
# written in the case, punctuation and spacing variants of `VARIANTS`.
BASES = [
    ("Damn, running late sucks.", -1.4),
    ("Yay. Another good phone interview.", 1.4),
    ("Stupid rain. Stupid treadmill hell.", -1.6),
    ("I love this feeling :D", 2.0),
    ("Anger is ugly.", -1.0),
    ("Made my flight yay", 1.8),
    ("Nervous as hell", -1.2),
    ("Just saw the most amazing rainbow", 2.1),
    ("Cigar smell is absolutely disgusting", -2.0),
    ("Thank goodness for walkthroughs", 1.4),
    ("Piss off rain, piss off hangover", -1.9),
    ("That was fun, I like winning at trivia", 1.4),
    ("Horrible news tonight, total mess", -2.5),
    ("Wow, it's amazing. Great work", 1.9),
    ("Emitting the sad pathetic energy again", -1.8),
    ("Had the best lucky charm ever tonight", 1.8),
    ("Ugh. I hate getting blood drawn", -1.8),
    ("I love working with brilliant people", 2.0),
    ("Damn, we just lost power. Hate that", -1.5),
    ("Very impressed with my Clemson Tigers", 1.8),
]
VARIANTS = [
    lambda t: t,
    lambda t: t.replace(".", "!").replace(",", "!") + "!",
    lambda t: t.upper(),
    lambda t: t.upper().replace(".", "!!!") + "!!!",
    lambda t: t.lower().replace(" ", "  "),
]


def _write_tweets(path, lines):
    path.write_text(
        "".join(f"{id_}\t{rating}\t{text}\r\n" for id_, rating, text in lines),
        encoding="utf-8",
    )


def _grouped_lines():
    lines = []
    for index, (text, rating) in enumerate(BASES):
        for number, variant in enumerate(VARIANTS):
            lines.append((f"{index}_{number}", rating, variant(text)))
    return lines


def test_variants_of_a_tweet_are_kept_once_in_one_split(tmp_path):
    grouped = _grouped_lines()
    assert len({text for _, _, text in grouped}) == len(grouped)
    # An exact copy, and a group whose copies disagree on the label.
    lines = [*grouped, ("copy", 1.4, BASES[1][0])]
    lines += [("c1", 2.0, "Great stuff :)"), ("c2", -2.0, "GREAT STUFF :(")]
    _write_tweets(tmp_path / "a.txt", lines)
    report = prepare_vader_tweets(tmp_path / "a.txt", tmp_path / "a")
    assert report.rows_read == len(BASES) * len(VARIANTS) + 3
    assert report.dropped == {
        "neutral": 0,
        "empty": 0,
        "duplicate": 1,
        "near_duplicate": len(BASES) * (len(VARIANTS) - 1),
        "conflicting": 2,
    }
    assert "tweet_group_key" in report.method
    rows = _read(tmp_path / "a")
    # One tweet per group, its first copy in the file.
    assert {row["id"] for row in rows} == {
        f"{index}_0" for index in range(len(BASES))
    }
    assert report.counts == {
        "train": {"negative": 8, "positive": 8},
        "valid": {"negative": 1, "positive": 1},
        "test": {"negative": 1, "positive": 1},
    }

    # Reversed input keeps the last variant instead, in the same split:
    # the split hashes the group's key, not the kept text.
    _write_tweets(tmp_path / "b.txt", grouped[::-1])
    prepare_vader_tweets(tmp_path / "b.txt", tmp_path / "b")
    reversed_rows = _read(tmp_path / "b")
    assert {row["id"] for row in reversed_rows} == {
        f"{index}_{len(VARIANTS) - 1}" for index in range(len(BASES))
    }

    def split_of_group(rows):
        return {row["id"].split("_")[0]: row["split"] for row in rows}

    assert split_of_group(reversed_rows) == split_of_group(rows)
    # Hashing the kept texts instead would have moved groups.
    parts = hash_split(
        [row["text"] for row in reversed_rows],
        [row["label"] for row in reversed_rows],
        seed=VADER_TWEETS_SEED,
    )
    by_text = {
        reversed_rows[index]["id"].split("_")[0]: split
        for split, indices in zip(SPLITS, parts, strict=True)
        for index in indices
    }
    assert by_text != split_of_group(rows)


def test_the_committed_split_keeps_copies_of_a_tweet_in_one_split():
    # No validation or test tweet has a training tweet's tokens (the tweet
    # tokenizer of `--tokenizer tweet`: lower-cased, tokens made only of
    # punctuation dropped), nor one of the other held-out split.
    from seqkit.preprocessing import TweetTokenizer

    rows = _read(COMMITTED)
    tokens = TweetTokenizer().tokenize([row["text"] for row in rows])
    seen = {split: {} for split in SPLITS}
    for row, sequence in zip(rows, tokens, strict=True):
        kept = tuple(t for t in sequence if not _punctuation_only(t))
        seen[row["split"]].setdefault(kept, row["text"])
    pairs = [("train", "valid"), ("train", "test"), ("valid", "test")]
    for first, second in pairs:
        shared = seen[first].keys() & seen[second].keys()
        examples = [(seen[first][k], seen[second][k]) for k in shared]
        assert not shared, f"{first} and {second} share {examples[:5]}"
    keys = {tweet_group_key(row["text"]) for row in rows}
    assert len(keys) == len(rows)


def _punctuation_only(token):
    return all(unicodedata.category(char).startswith("P") for char in token)


def test_committed_copy():
    rows = _read(COMMITTED)
    counts = {}
    for row in rows:
        key = (row["split"], row["label"])
        counts[key] = counts.get(key, 0) + 1
    assert counts == {
        ("train", "positive"): 1777,
        ("train", "negative"): 789,
        ("valid", "positive"): 222,
        ("valid", "negative"): 99,
        ("test", "positive"): 222,
        ("test", "negative"): 98,
    }
    assert len({row["text"] for row in rows}) == len(rows)


def test_committed_counts_match_readme():
    text = README.read_text(encoding="utf-8")
    section = text.split("## vader-tweets", 1)[1].split("\n## ", 1)[0]
    table = {}
    for line in section.splitlines():
        match = re.fullmatch(
            r"\| (train|valid|test|all) \| ([\d,]+) \| ([\d,]+) \| ([\d,]+) \|",
            line,
        )
        if match:
            numbers = (int(n.replace(",", "")) for n in match.groups()[1:])
            table[match.group(1)] = tuple(numbers)
    rows = _read(COMMITTED)
    for split in SPLITS:
        labels = [row["label"] for row in rows if row["split"] == split]
        positive, negative = labels.count("positive"), labels.count("negative")
        assert table[split] == (positive, negative, len(labels)), split
    assert table["all"] == (2221, 986, 3207)
    assert "**153 near-duplicates" in section


@pytest.mark.large
def test_regenerating_reproduces_the_committed_files(tmp_path):
    """Fetches vaderSentiment 3.3.2 through pip: needs the package index."""
    report = prepare_vader_tweets(fetch("vader-tweets"), tmp_path)
    assert report.dropped == {
        "neutral": 838,
        "empty": 0,
        "duplicate": 0,
        "near_duplicate": 153,
        "conflicting": 2,
    }
    for name in SPLITS:
        committed = (COMMITTED / f"{name}.csv").read_bytes()
        assert (tmp_path / f"{name}.csv").read_bytes() == committed, name
