"""The data cache folder, sha256 checks and atomic writes.

What every way of fetching a data set shares (`registry` for the archives
on PyPI, `repository` for raw files of a pinned git repository).
"""

import hashlib
import os
from pathlib import Path

from seqkit.data.errors import DataError


def cache_dir():
    """The cache folder: `$SEQKIT_DATA_DIR`, else `~/.cache/seqkit`.

    Read at each call, so changing the variable takes effect at once.
    """
    configured = os.environ.get("SEQKIT_DATA_DIR")
    if configured:
        return Path(configured).expanduser()
    return Path.home() / ".cache" / "seqkit"


def verify_sha256(path, expected):
    """Checks a file's sha256; on a mismatch removes the file and raises.

    Raises:
        DataError: the digest differs from `expected`.
    """
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    if digest.hexdigest() != expected:
        Path(path).unlink()
        raise sha256_mismatch(
            path,
            expected,
            digest.hexdigest(),
            "the file was removed (a corrupt or different download). "
            "Fetch it again.",
        )


def check_sha256(data, expected, path):
    """Checks the sha256 of `data`, the bytes read from `path`.

    Raises:
        DataError: the digest differs from `expected`; it names `path`
            (the file or URL the bytes came from), which is left alone.
    """
    found = hashlib.sha256(data).hexdigest()
    if found != expected:
        raise sha256_mismatch(
            path,
            expected,
            found,
            "not copied into the cache (a corrupt or different copy).",
        )


def sha256_mismatch(path, expected, found, consequence):
    """The `DataError` for a file whose sha256 is not the pinned one."""
    return DataError(
        f"sha256 mismatch: expected {expected}, found {found}; {consequence}",
        path=path,
    )


def write_atomically(target, data):
    """Writes via a temporary file so a crash never leaves half a file."""
    scratch = target.with_name(target.name + ".part")
    scratch.write_bytes(data)
    os.replace(scratch, target)
