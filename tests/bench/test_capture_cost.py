"""bench/capture_cost.py: its SavedModels capture what they say."""

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _load():
    spec = importlib.util.spec_from_file_location(
        "capture_cost", ROOT / "bench" / "capture_cost.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("count", [0, 3])
def test_each_variable_is_one_captured_input(tmp_path, count):
    import tensorflow as tf

    folder = _load().save_module(tmp_path / "m", count)
    signature = tf.saved_model.load(str(folder)).signatures["serving_default"]
    assert len(signature.captured_inputs) == count
    # "abc" has 3 bytes; the variables hold 0, 1, 2, ...
    value = signature(text=tf.constant(["abc"]))["value"].numpy()
    assert value.tolist() == [3.0 + sum(range(count))]
