"""Data sets that are raw files of a public git repository, pinned.

Some data sets ship in no package: they are plain files in a folder of a
public GitHub repository. A `RepoDataSet` pins the repository at one commit
and every file by its sha256. `fetch_files` copies the files into the cache

```
CACHE/FOLDER/PATH        PATH relative to the repository's folder
```

either from a local copy of that folder (a *mirror*: `--from DIR` on the
command line, or `$SEQKIT_DATA_MIRROR`), for machines without internet
access, or by downloading each raw file at the pinned commit. Either way
every file's sha256 is checked before it enters the cache, and a mismatch
names the file.
"""

import dataclasses
import logging
import os
import urllib.error
import urllib.request
from pathlib import Path

from seqkit.data.cache import cache_dir, check_sha256, write_atomically
from seqkit.data.errors import DataError

logger = logging.getLogger(__name__)

# Seconds one raw file may take to download (the largest is 3 MB).
DOWNLOAD_TIMEOUT = 300
RAW_BASE = "https://raw.githubusercontent.com"
MIRROR_VARIABLE = "SEQKIT_DATA_MIRROR"


@dataclasses.dataclass(frozen=True)
class RepoDataSet:
    """One data set made of raw files in a pinned git repository.

    Attributes:
        name: the name `fetch` and `seqkit data fetch` take.
        repo: the GitHub repository, `owner/name`.
        commit: the pinned commit (40 hex digits).
        folder: the folder inside the repository the paths start from.
        files: `(path, sha256)` of every file, paths relative to `folder`.
        root: the folder (relative to `folder`) that `fetch` returns.
        cache_name: the cache subfolder; data sets from one repository
            share it, as they share the repository's layout.
        description: what the data is.
        licence: its licence.
        bundle: whether a prepared copy may be committed to `data/`.
        raw_base: where raw files are served (GitHub's raw file host).
    """

    name: str
    repo: str
    commit: str
    folder: str
    files: tuple
    root: str
    cache_name: str
    description: str
    licence: str
    bundle: bool = False
    raw_base: str = RAW_BASE

    kind = "repo"

    @property
    def requirement(self):
        """`owner/name@commit`, shortened as `seqkit data list` shows it."""
        return f"{self.repo}@{self.commit[:12]}"

    @property
    def url(self):
        """The folder on GitHub at the pinned commit, for browsing."""
        return (
            f"https://github.com/{self.repo}/tree/{self.commit}/{self.folder}"
        )

    def raw_url(self, path):
        """The download URL of file `path` at the pinned commit."""
        return f"{self.raw_base}/{self.repo}/{self.commit}/{self.folder}/{path}"


def file_paths(dataset):
    """Where `fetch_files` puts each file, whether fetched or not."""
    folder = cache_dir() / dataset.cache_name
    return [folder / path for path, _ in dataset.files]


def mirror_dir():
    """The mirror folder named by `$SEQKIT_DATA_MIRROR`, or `None`."""
    configured = os.environ.get(MIRROR_VARIABLE)
    return Path(configured).expanduser() if configured else None


def fetch_files(dataset, mirror=None):
    """Copies or downloads the files of `dataset` into the cache.

    Files already in the cache are kept; each missing one is read from the
    mirror, or downloaded when there is none, checked against its sha256
    and written atomically.

    Args:
        dataset: a `RepoDataSet`.
        mirror: a local folder laid out like the repository's `folder`;
            `None` reads `$SEQKIT_DATA_MIRROR`, and downloads when that is
            unset too.

    Returns:
        The cached `root` folder of the data set.

    Raises:
        DataError: a file is missing from the mirror, cannot be downloaded,
            or its sha256 differs (the message names the file).
    """
    mirror = Path(mirror).expanduser() if mirror else mirror_dir()
    targets = file_paths(dataset)
    missing = [
        (path, digest, target)
        for (path, digest), target in zip(dataset.files, targets, strict=True)
        if not target.is_file()
    ]
    if missing:
        where = mirror if mirror is not None else dataset.url
        logger.info("%s: %d file(s) from %s", dataset.name, len(missing), where)
    for path, digest, target in missing:
        if mirror is not None:
            source, data = _read_mirror(dataset, mirror, path)
        else:
            source, data = dataset.raw_url(path), _download(dataset, path)
        check_sha256(data, digest, source)
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(target, data)
    return cache_dir() / dataset.cache_name / dataset.root


def _read_mirror(dataset, mirror, path):
    source = mirror / path
    if not source.is_file():
        raise DataError(
            f"no such file; expected a copy of {dataset.repo}'s folder "
            f"{dataset.folder!r} at commit {dataset.commit}, holding {path}",
            path=source,
        )
    return source, source.read_bytes()


def _download(dataset, path):
    url = dataset.raw_url(path)
    logger.debug("%s: GET %s", dataset.name, url)
    try:
        with urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT) as reply:
            return reply.read()
    except (urllib.error.URLError, OSError) as error:
        # An HTTPError's text has the status code; a URLError's reason
        # says why no connection was made.
        reason = error
        if not isinstance(error, urllib.error.HTTPError):
            reason = getattr(error, "reason", None) or error
        raise DataError(
            f"could not download data set {dataset.name!r} ({reason}). "
            f"Without network access, copy the folder {dataset.folder!r} "
            f"of {dataset.repo} at commit {dataset.commit} to a folder DIR "
            f"and run `seqkit data fetch {dataset.name} --from DIR` (or set "
            f"{MIRROR_VARIABLE}=DIR).",
            path=url,
        ) from None
