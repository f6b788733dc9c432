"""Test isolation: fixed seeds, a private data cache, quiet TensorFlow."""

import os
import random

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import numpy as np  # noqa: E402
import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _isolate(tmp_path_factory, monkeypatch):
    monkeypatch.setenv(
        "SEQKIT_DATA_DIR", str(tmp_path_factory.mktemp("seqkit-cache"))
    )
    random.seed(0)
    np.random.seed(0)
    try:
        import keras
    except ImportError:  # pragma: no cover - keras is a dependency
        return
    keras.utils.set_random_seed(0)
