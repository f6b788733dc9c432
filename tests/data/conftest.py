"""Shared fixtures for the data tests (the cache is isolated by the root
conftest's `data_cache`)."""

from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def fixtures():
    """The folder of small committed fixture files."""
    return FIXTURES
