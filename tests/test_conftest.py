"""The `require` fixture of tests/conftest.py: skip, or fail if large."""

import pytest


def test_require_returns_the_module(require):
    assert require("json").dumps([1]) == "[1]"


def test_a_missing_module_skips_an_ordinary_test(require):
    with pytest.raises(pytest.skip.Exception, match=r"seqkit\[glove\]"):
        require("seqkit_no_such_module", extra="glove")


@pytest.mark.large
def test_a_missing_module_fails_a_large_test(require):
    # Selected by `pytest -m large` (and `tox -e large`) only.
    with pytest.raises(pytest.fail.Exception, match="may not skip"):
        require("seqkit_no_such_module", extra="glove")
