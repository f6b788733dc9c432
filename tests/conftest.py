"""Test isolation: fixed seeds, a private data cache, quiet TensorFlow."""

import csv
import importlib
import os
import random
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import numpy as np  # noqa: E402
import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def data_cache(tmp_path, monkeypatch):
    """Every test gets its own data cache (SEQKIT_DATA_DIR) and seeds."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("SEQKIT_DATA_DIR", str(cache))
    _seed()
    return cache


@pytest.fixture
def gpu_listed(monkeypatch):
    """TensorFlow lists a GPU: Keras and seqkit both believe one exists.

    Graphs can be traced (not run) this way on a CPU machine, with the
    cuDNN ops that a real GPU would get.
    """
    import tensorflow as tf

    listed = tf.config.list_logical_devices

    def fake(device_type=None):
        if device_type == "GPU":
            return [tf.config.LogicalDevice("/device:GPU:0", "GPU")]
        return listed(device_type)

    monkeypatch.setattr(tf.config, "list_logical_devices", fake)


def _require(module, extra=None, large=False):
    """`module`, imported; without it the calling test skips, or fails
    when `large` (see the `require` fixture)."""
    try:
        return importlib.import_module(module)
    except ImportError as error:
        hint = f'the {extra} extra: pip install "seqkit[{extra}]"'
        message = f"needs {hint if extra else module} ({error})"
        if large:
            pytest.fail(f"{message}; a large test may not skip", pytrace=False)
        pytest.skip(message)


@pytest.fixture
def require(request):
    """`require(module, extra=None)` imports `module` for the test.

    Without the module, a test marked `large` fails: `pytest -m large` (and
    `tox -e large`, which installs the extras) must run everything it
    selects, so a missing extra is an error there. Other tests skip.
    `extra` names the seqkit extra that installs the module, for the
    message.
    """
    large = request.node.get_closest_marker("large") is not None
    return lambda module, extra=None: _require(module, extra, large)


def _seed():
    random.seed(0)
    np.random.seed(0)
    try:
        import keras
    except ImportError:  # pragma: no cover - keras is a dependency
        return
    keras.utils.set_random_seed(0)


ROOT = Path(__file__).resolve().parents[1]


def _rows(split, count):
    with open(
        ROOT / "data" / "rt-snippets" / f"{split}.csv", encoding="utf-8"
    ) as handle:
        rows = list(csv.DictReader(handle))
    by_label = {}
    for row in rows:
        by_label.setdefault(row["label"], []).append(row)
    half = count // 2
    return by_label["positive"][:half] + by_label["negative"][:half]


def write_tiny_split(folder):
    """Writes train/valid/test CSVs (columns `review`, `verdict`) of real
    snippets, balanced, into `folder`; returns their paths by split."""
    paths = {}
    for split, count in (("train", 48), ("valid", 16), ("test", 16)):
        path = Path(folder) / f"{split}.csv"
        with open(path, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["id", "review", "verdict"])
            for i, row in enumerate(_rows(split, count)):
                verdict = (
                    "thumbs up"
                    if row["label"] == "positive"
                    else ("thumbs down")
                )
                writer.writerow([i, row["text"], verdict])
        paths[split] = str(path)
    return paths


@pytest.fixture
def tiny_split(tmp_path):
    """Train/valid/test CSVs with the columns `review` and `verdict`."""
    return write_tiny_split(tmp_path)


def train_args(paths):
    """`seqkit train sentiment` arguments (tiny preset) for a tiny split."""
    return [
        "train",
        "sentiment",
        "--preset",
        "tiny",
        "--train",
        paths["train"],
        "--valid",
        paths["valid"],
        "--test",
        paths["test"],
        "--text-column",
        "review",
        "--label-column",
        "verdict",
    ]


@pytest.fixture
def tiny_train_args(tiny_split):
    """`seqkit train sentiment` arguments for `tiny_split` (tiny preset)."""
    return train_args(tiny_split)
