"""Data sets of raw repository files: mirror copies and downloads, offline.

The downloads go to a local HTTP server or a fake opener, never to the
network.
"""

import dataclasses
import functools
import hashlib
import http.server
import io
import threading
import urllib.error

import pytest

from seqkit.data import (
    DATASETS,
    DataError,
    fetch,
    is_cached,
    member_paths,
    repository,
)
from seqkit.data.repository import RepoDataSet

FILES = {
    "task/mapping.txt": b"0\tno\n1\tyes\n",
    "task/train_text.txt": b"hello @user \nbye\n",
    "other/ignored.txt": b"not part of the data set\n",
}
COMMIT = "0123456789abcdef0123456789abcdef01234567"


@pytest.fixture
def published(tmp_path):
    """A folder laid out as a repository serves it: REPO/COMMIT/FOLDER/."""
    root = tmp_path / "served"
    folder = root / "owner" / "repo" / COMMIT / "data"
    for path, data in FILES.items():
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / path).write_bytes(data)
    return root, folder


@pytest.fixture
def fake(monkeypatch):
    """A registered `RepoDataSet` of the two `task/` files."""
    dataset = RepoDataSet(
        name="fake-repo",
        repo="owner/repo",
        commit=COMMIT,
        folder="data",
        files=tuple(
            (path, hashlib.sha256(FILES[path]).hexdigest())
            for path in ("task/mapping.txt", "task/train_text.txt")
        ),
        root="task",
        cache_name="fake",
        description="a fake data set",
        licence="none",
    )
    monkeypatch.setitem(DATASETS, dataset.name, dataset)
    return dataset


class FakeOpener:
    """Stands in for `urllib.request.urlopen`: serves bytes by URL."""

    def __init__(self, replies):
        self.replies = replies
        self.urls = []

    def __call__(self, url, timeout=None):
        self.urls.append(url)
        if url not in self.replies:
            raise urllib.error.URLError("Name or service not known")
        return io.BytesIO(self.replies[url])


@pytest.fixture
def opener(monkeypatch, fake):
    base = f"https://raw.githubusercontent.com/owner/repo/{COMMIT}/data/"
    replies = {base + path: data for path, data in FILES.items()}
    fake_opener = FakeOpener(replies)
    monkeypatch.setattr(repository.urllib.request, "urlopen", fake_opener)
    return fake_opener


def test_urls_are_pinned_to_the_commit(fake):
    assert fake.raw_url("task/mapping.txt") == (
        "https://raw.githubusercontent.com/owner/repo/"
        f"{COMMIT}/data/task/mapping.txt"
    )
    assert fake.url == f"https://github.com/owner/repo/tree/{COMMIT}/data"
    assert fake.requirement == "owner/repo@0123456789ab"
    assert fake.kind == "repo" and fake.bundle is False


def test_fetch_downloads_each_file_once(opener, fake, data_cache):
    folder = fetch("fake-repo")
    assert folder == data_cache / "fake" / "task"
    assert (folder / "train_text.txt").read_bytes() == FILES[
        "task/train_text.txt"
    ]
    assert [url.rpartition("/data/")[2] for url in opener.urls] == [
        "task/mapping.txt",
        "task/train_text.txt",
    ]
    assert is_cached("fake-repo")
    assert member_paths("fake-repo") == sorted(folder.iterdir())
    # A second fetch is a cache hit: no download.
    assert fetch("fake-repo") == folder
    assert len(opener.urls) == 2


def test_only_missing_files_are_fetched(opener):
    folder = fetch("fake-repo")
    (folder / "mapping.txt").unlink()
    fetch("fake-repo")
    assert opener.urls[-1].endswith("/task/mapping.txt")
    assert len(opener.urls) == 3


def test_download_with_the_wrong_sha256_is_refused(opener, fake, data_cache):
    url = fake.raw_url("task/train_text.txt")
    opener.replies[url] = b"tampered\n"
    with pytest.raises(DataError) as info:
        fetch("fake-repo")
    message = str(info.value)
    assert message.startswith(f"{url}: sha256 mismatch")
    assert fake.files[1][1] in message
    assert hashlib.sha256(b"tampered\n").hexdigest() in message
    assert not (data_cache / "fake" / "task" / "train_text.txt").exists()
    assert not is_cached("fake-repo")


def test_offline_download_says_how_to_use_a_mirror(opener, fake):
    opener.replies.clear()
    with pytest.raises(DataError) as info:
        fetch("fake-repo")
    message = str(info.value)
    assert fake.raw_url("task/mapping.txt") in message
    assert "Name or service not known" in message
    assert "--from DIR" in message and "SEQKIT_DATA_MIRROR" in message
    assert COMMIT in message


def test_fetch_copies_from_a_mirror_without_network(
    opener, published, data_cache
):
    _, folder = published
    path = fetch("fake-repo", mirror=folder)
    assert opener.urls == []
    assert (path / "mapping.txt").read_bytes() == FILES["task/mapping.txt"]
    assert not (data_cache / "fake" / "other").exists()


def test_the_mirror_variable_is_read(opener, published, monkeypatch):
    monkeypatch.setenv("SEQKIT_DATA_MIRROR", str(published[1]))
    assert fetch("fake-repo").name == "task"
    assert opener.urls == []


def test_a_corrupt_mirror_file_is_named_and_kept(opener, published):
    _, folder = published
    corrupt = folder / "task" / "train_text.txt"
    corrupt.write_bytes(b"hello @user \n")
    with pytest.raises(DataError) as info:
        fetch("fake-repo", mirror=folder)
    assert str(info.value).startswith(f"{corrupt}: sha256 mismatch")
    assert "not copied" in str(info.value)
    assert corrupt.read_bytes() == b"hello @user \n"  # the mirror is kept
    assert opener.urls == []


def test_a_file_missing_from_the_mirror_is_named(opener, published):
    _, folder = published
    (folder / "task" / "mapping.txt").unlink()
    with pytest.raises(DataError) as info:
        fetch("fake-repo", mirror=folder)
    message = str(info.value)
    assert message.startswith(f"{folder / 'task' / 'mapping.txt'}: no such")
    assert "owner/repo" in message and COMMIT in message


def test_a_mirror_is_refused_for_a_package_archive(tmp_path):
    with pytest.raises(DataError, match="package archive.*archives"):
        fetch("rt-snippets", mirror=tmp_path)


@pytest.fixture
def server(published):
    """A local HTTP server serving the published folder."""
    root, _ = published

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(root))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(
        target=httpd.serve_forever, args=(0.05,), daemon=True
    )
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_download_over_http(server, fake, monkeypatch, data_cache):
    local = dataclasses.replace(fake, raw_base=server)
    monkeypatch.setitem(DATASETS, fake.name, local)
    folder = fetch("fake-repo")
    assert (folder / "train_text.txt").read_bytes() == FILES[
        "task/train_text.txt"
    ]


def test_http_error_names_the_url(server, fake, monkeypatch, published):
    (published[1] / "task" / "mapping.txt").unlink()
    local = dataclasses.replace(fake, raw_base=server)
    monkeypatch.setitem(DATASETS, fake.name, local)
    with pytest.raises(DataError) as info:
        fetch("fake-repo")
    message = str(info.value)
    assert message.startswith(local.raw_url("task/mapping.txt"))
    assert "(HTTP Error 404: File not found)" in message
