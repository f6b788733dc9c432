"""TweetEval in the registry: pinned files, the mirror, the official splits.

The real files come from the offline copy beside the checkout
(`../shared/data/tweeteval`); tests that need it skip where it is absent.
Downloads are faked: no test touches the network.
"""

import csv
import hashlib
import io
import re
import shutil
import urllib.error

import pytest

from seqkit.data import (
    DATASETS,
    PREPARERS,
    DataError,
    bundled_splits,
    fetch,
    is_cached,
    load_splits,
    repository,
    tweeteval,
)
from seqkit.data.tweeteval import (
    SHA256,
    TASKS,
    get_task,
    prepare_tweeteval,
    read_task,
)
from tests.data.shared import ROOT, line_count, tweeteval_copy

NAMES = [f"tweeteval-{task}" for task in TASKS]
KINDS = ("labels", "text")


def read_csv(path):
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_six_tasks_and_five_stance_topics_are_registered():
    assert NAMES == [
        "tweeteval-emoji",
        "tweeteval-emotion",
        "tweeteval-hate",
        "tweeteval-irony",
        "tweeteval-offensive",
        "tweeteval-stance",
        "tweeteval-stance-abortion",
        "tweeteval-stance-atheism",
        "tweeteval-stance-climate",
        "tweeteval-stance-feminist",
        "tweeteval-stance-hillary",
    ]
    for name in NAMES:
        dataset = DATASETS[name]
        assert dataset.repo == "cardiffnlp/tweeteval"
        assert dataset.commit == "4fbd22cd78421f05b1ecdb4fc5725bc7a7bd8f66"
        assert dataset.folder == "datasets"
        assert dataset.bundle is False
        assert "SemEval terms: fetch, never commit" in dataset.licence
        assert name in PREPARERS
    irony = DATASETS["tweeteval-irony"]
    kinds = [f"{s}_{k}.txt" for s in ("test", "train", "val") for k in KINDS]
    assert [path for path, _ in irony.files] == [
        "irony/mapping.txt",
        *(f"irony/{name}" for name in kinds),
    ]
    assert irony.raw_url("irony/mapping.txt") == (
        "https://raw.githubusercontent.com/cardiffnlp/tweeteval/"
        "4fbd22cd78421f05b1ecdb4fc5725bc7a7bd8f66/datasets/irony/mapping.txt"
    )
    # Stance: one mapping and six files for each of the five topics; a
    # topic alone: the mapping and its six.
    assert len(DATASETS["tweeteval-stance"].files) == 1 + 5 * 6
    hillary = DATASETS["tweeteval-stance-hillary"]
    assert sorted(path for path, _ in hillary.files) == [
        *(f"stance/hillary/{name}" for name in kinds),
        "stance/mapping.txt",
    ]
    assert hillary.root == "stance"


def test_split_and_metric_are_data():
    assert {task.split for task in TASKS.values()} == {"official"}
    assert tweeteval.SPLIT_FILES == {
        "train": "train",
        "valid": "val",
        "test": "test",
    }
    macro = {
        name for name, task in TASKS.items() if task.metric_classes is None
    }
    assert macro == {"emoji", "emotion", "hate", "offensive"}
    assert TASKS["irony"].metric_classes == ("irony",)
    for name in ("stance", *(f"stance-{t}" for t in tweeteval.STANCE_TOPICS)):
        assert TASKS[name].metric_classes == ("against", "favor")
        assert TASKS[name].selection == "f1:against,favor"
    assert get_task("tweeteval-hate") is TASKS["hate"]
    with pytest.raises(DataError, match="unknown TweetEval task 'sentiment'"):
        get_task("sentiment")


def test_no_tweeteval_file_is_committed():
    committed = {path.name for path in (ROOT / "data").rglob("*")}
    assert not committed & {"mapping.txt", "train_text.txt", "val_text.txt"}
    assert not list((ROOT / "data").glob("tweeteval*"))


def test_hashes_match_source_md():
    listed = (tweeteval_copy() / "SOURCE.md").read_text(encoding="utf-8")
    pairs = re.findall(r"^([0-9a-f]{64})  (\S+)$", listed, re.MULTILINE)
    assert {path: digest for digest, path in pairs if path != "README.txt"} == (
        SHA256
    )


def test_classes_and_sizes_match_the_files():
    copy = tweeteval_copy()
    for task in TASKS.values():
        names = tweeteval.read_mapping(copy / task.folder / "mapping.txt")
        assert tuple(names.values()) == task.classes
        for size, prefix in zip(task.sizes, ("train", "val", "test")):
            folders = [copy / task.folder / t for t in task.topics] or [
                copy / task.folder
            ]
            total = sum(line_count(f / f"{prefix}_text.txt") for f in folders)
            assert size == total, (task.name, prefix)


def test_fetch_from_the_copy_checks_every_file(data_cache):
    copy = tweeteval_copy()
    assert not is_cached("tweeteval-irony")
    folder = fetch("tweeteval-irony", mirror=copy)
    assert folder == data_cache / "tweeteval" / "irony"
    assert is_cached("tweeteval-irony")
    for path, digest in DATASETS["tweeteval-irony"].files:
        cached = data_cache / "tweeteval" / path
        assert hashlib.sha256(cached.read_bytes()).hexdigest() == digest
        assert cached.read_bytes() == (copy / path).read_bytes()
    # Only the irony files were copied.
    assert sorted(p.name for p in (data_cache / "tweeteval").iterdir()) == [
        "irony"
    ]


def test_a_corrupted_copy_is_refused_naming_the_file(tmp_path, data_cache):
    mirror = tmp_path / "datasets"
    shutil.copytree(tweeteval_copy() / "irony", mirror / "irony")
    corrupt = mirror / "irony" / "val_labels.txt"
    corrupt.write_bytes(corrupt.read_bytes().replace(b"1\n", b"0\n", 1))
    with pytest.raises(DataError) as info:
        fetch("tweeteval-irony", mirror=mirror)
    message = str(info.value)
    assert message.startswith(f"{corrupt}: sha256 mismatch: expected ")
    assert SHA256["irony/val_labels.txt"] in message
    assert not (data_cache / "tweeteval" / "irony" / "val_labels.txt").exists()
    assert not is_cached("tweeteval-irony")


def test_download_path_with_a_fake_opener(monkeypatch, data_cache):
    copy = tweeteval_copy()
    base = (
        "https://raw.githubusercontent.com/cardiffnlp/tweeteval/"
        "4fbd22cd78421f05b1ecdb4fc5725bc7a7bd8f66/datasets/"
    )
    urls = []

    def urlopen(url, timeout=None):
        urls.append(url)
        if not url.startswith(base):
            raise urllib.error.URLError("unexpected URL")
        return io.BytesIO((copy / url.removeprefix(base)).read_bytes())

    monkeypatch.delenv("SEQKIT_DATA_MIRROR", raising=False)
    monkeypatch.setattr(repository.urllib.request, "urlopen", urlopen)
    folder = fetch("tweeteval-irony")
    assert urls == [
        base + path for path, _ in DATASETS["tweeteval-irony"].files
    ]
    assert (folder / "test_text.txt").read_bytes() == (
        copy / "irony" / "test_text.txt"
    ).read_bytes()


def test_prepared_irony_keeps_the_official_split(tmp_path):
    copy = tweeteval_copy()
    report = prepare_tweeteval(
        fetch("tweeteval-irony", mirror=copy), tmp_path, "irony"
    )
    assert report.seed is None and report.dropped == {}
    assert "official" in report.method
    sizes = {}
    for split, prefix in (
        ("train", "train"),
        ("valid", "val"),
        ("test", "test"),
    ):
        rows = read_csv(tmp_path / f"{split}.csv")
        texts = (copy / "irony" / f"{prefix}_text.txt").read_text("utf-8")
        ids = (copy / "irony" / f"{prefix}_labels.txt").read_text("utf-8")
        names = {"0": "non_irony", "1": "irony"}
        assert [row["text"] for row in rows] == texts.split("\n")[:-1]
        assert [row["label"] for row in rows] == [
            names[i] for i in ids.split("\n")[:-1]
        ]
        assert list(rows[0]) == ["text", "label"]
        sizes[split] = len(rows)
        assert sum(report.counts[split].values()) == len(rows)
    assert sizes == {
        "train": line_count(copy / "irony" / "train_text.txt"),
        "valid": line_count(copy / "irony" / "val_text.txt"),
        "test": line_count(copy / "irony" / "test_text.txt"),
    }
    assert report.rows_read == sum(sizes.values())
    splits = load_splits(*(tmp_path / f"{s}.csv" for s in sizes))
    assert splits.label_names == ["irony", "non_irony"]


def test_prepared_stance_pools_the_topics(tmp_path):
    copy = tweeteval_copy()
    fetch("tweeteval-stance", mirror=copy)
    paths = bundled_splits("tweeteval-stance")
    rows = read_csv(paths["test"])
    assert list(rows[0]) == ["text", "label", "topic"]
    topics = tweeteval.STANCE_TOPICS
    per_topic = {
        t: line_count(copy / "stance" / t / "test_text.txt") for t in topics
    }
    assert [row["topic"] for row in rows] == [
        t for t in topics for _ in range(per_topic[t])
    ]
    assert {row["label"] for row in rows} == {"none", "against", "favor"}
    first = (copy / "stance" / "abortion" / "test_labels.txt").read_text()
    names = {"0": "none", "1": "against", "2": "favor"}
    assert rows[0]["label"] == names[first.split("\n")[0]]


def test_a_stance_topic_alone_is_its_rows_of_the_pooled_task(data_cache):
    copy = tweeteval_copy()
    folder = fetch("tweeteval-stance-climate", mirror=copy)
    assert folder == data_cache / "tweeteval" / "stance"
    # Only the topic's files and the shared mapping were copied.
    assert sorted(p.name for p in folder.iterdir()) == [
        "climate",
        "mapping.txt",
    ]
    paths = bundled_splits("tweeteval-stance-climate")
    pooled = read_task(copy, "stance")
    for split, size in zip(("train", "valid", "test"), (355, 40, 169)):
        rows = read_csv(paths[split])
        assert len(rows) == size
        assert {row["topic"] for row in rows} == {"climate"}
        assert [(r["text"], r["label"], r["topic"]) for r in rows] == [
            row for row in pooled[split] if row[2] == "climate"
        ]


def test_read_task_takes_the_task_or_the_datasets_folder():
    copy = tweeteval_copy()
    assert read_task(copy, "irony") == read_task(copy / "irony", "irony")
    emotion = read_task(copy, "tweeteval-emotion")
    labels = {label for rows in emotion.values() for _, label in rows}
    assert labels == {"anger", "joy", "optimism", "sadness"}


def _tiny_task(folder, labels=b"0\n1\n"):
    folder.mkdir(parents=True)
    (folder / "mapping.txt").write_bytes(b"0\tnon_irony\n1\tirony")
    for prefix in ("train", "val", "test"):
        (folder / f"{prefix}_text.txt").write_bytes(b"a tweet \n\n")
        (folder / f"{prefix}_labels.txt").write_bytes(labels)


def test_read_task_keeps_empty_tweets_and_trailing_spaces(tmp_path):
    _tiny_task(tmp_path / "irony")
    splits = read_task(tmp_path, "irony")
    assert splits["valid"] == [("a tweet ", "non_irony"), ("", "irony")]


def test_read_task_names_an_unknown_label_id(tmp_path):
    _tiny_task(tmp_path / "irony", labels=b"0\n7\n")
    with pytest.raises(DataError) as info:
        read_task(tmp_path, "irony")
    message = str(info.value)
    assert message.startswith(f"{tmp_path / 'irony' / 'train_labels.txt'}")
    assert "line 2" in message and "'7'" in message


def test_read_task_names_a_length_mismatch(tmp_path):
    _tiny_task(tmp_path / "irony", labels=b"0\n")
    with pytest.raises(DataError, match="1 labels for the 2 tweets"):
        read_task(tmp_path, "irony")


def test_read_task_names_the_folder_it_cannot_use(tmp_path):
    with pytest.raises(DataError, match="holding mapping.txt"):
        read_task(tmp_path, "irony")
