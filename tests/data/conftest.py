"""Shared fixtures for the data tests: no network, an isolated cache."""

from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path, monkeypatch):
    """Points SEQKIT_DATA_DIR at a fresh folder for every test."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("SEQKIT_DATA_DIR", str(cache))
    return cache


@pytest.fixture
def fixtures():
    """The folder of small committed fixture files."""
    return FIXTURES
