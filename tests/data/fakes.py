"""Fake data sets for the registry tests (no network)."""

import hashlib

from seqkit.data import DATASETS, DataSet


def register_fake(monkeypatch, name, archive, kind, members, bundle=True):
    """Registers a data set whose archive is the local file `archive`."""
    dataset = DataSet(
        name=name,
        package="fakepkg",
        version="1.0",
        sha256=hashlib.sha256(archive.read_bytes()).hexdigest(),
        kind=kind,
        archive=archive.name,
        members=tuple(members),
        description="a fake data set",
        licence="MIT",
        bundle=bundle,
    )
    monkeypatch.setitem(DATASETS, name, dataset)
    return dataset
