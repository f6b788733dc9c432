"""`import seqkit` is light, yet registers seqkit's classes with Keras."""

import subprocess
import sys

import pytest

CHECK = (
    "import sys\n"
    "{imports}\n"
    "import keras\n"
    "names = keras.saving.get_custom_objects()\n"
    "assert 'seqkit>TextClassifier' in names, 'not registered'\n"
    "assert 'seqkit>LSTM' in names and 'seqkit>TextVectorizer' in names\n"
    "assert 'seqkit>CaptionModel' in names\n"
)


@pytest.mark.parametrize(
    "imports",
    [
        "import seqkit",  # then keras
        "import seqkit; import tensorflow",  # TF imports keras inside
        "import keras; import seqkit",  # keras first
        # A subpackage that imports keras itself, imported first: the
        # registration waits until it is complete (it once failed with a
        # circular import).
        "import seqkit.layers",
        "import seqkit.models",
        "import seqkit.data",
    ],
)
def test_registration_whatever_the_import_order(imports):
    result = subprocess.run(
        [sys.executable, "-c", CHECK.format(imports=imports)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-1500:]


def test_import_seqkit_loads_no_tensorflow():
    code = (
        "import sys, seqkit\n"
        "assert 'tensorflow' not in sys.modules\n"
        "assert 'keras' not in sys.modules\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr[-1500:]


def _import_failing(monkeypatch, failing, missing):
    """`importlib.import_module` that fails for `failing`, naming `missing`."""
    import importlib

    real = importlib.import_module
    imported = []

    def fake(name, *args, **kwargs):
        if name == failing:
            raise ModuleNotFoundError(
                f"No module named {missing!r}", name=missing
            )
        imported.append(name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(importlib, "import_module", fake)
    return imported


@pytest.mark.parametrize("missing", ["tensorflow", "tensorflow_text"])
def test_registration_without_tensorflow_keeps_the_layers(monkeypatch, missing):
    # Keras on the torch or jax backend alone: the layers still register,
    # the modules that need TensorFlow are left out.
    import seqkit

    imported = _import_failing(monkeypatch, "seqkit.preprocessing", missing)
    seqkit.register_with_keras()
    assert imported == ["seqkit.layers", "seqkit.models"]


@pytest.mark.parametrize(
    "failing, missing",
    [
        ("seqkit.layers", "tensorflow"),  # the layers must never need it
        ("seqkit.models", "sklearn"),  # not a TensorFlow module
    ],
)
def test_registration_reports_other_missing_modules(
    monkeypatch, failing, missing
):
    import seqkit

    _import_failing(monkeypatch, failing, missing)
    with pytest.raises(ModuleNotFoundError, match=missing):
        seqkit.register_with_keras()


def test_subpackages_load_on_first_use():
    # `import seqkit` alone, Keras not imported: `seqkit.layers` is there.
    code = (
        "import sys, seqkit\n"
        "assert 'keras' not in sys.modules\n"
        "layer = seqkit.layers.LSTM(8)\n"
        "assert layer.units == 8 and type(layer).__module__.startswith("
        "'seqkit.layers')\n"
        "assert seqkit.preprocessing.WordTokenizer is not None\n"
        "try:\n"
        "    seqkit.nothing\n"
        "except AttributeError as error:\n"
        "    assert 'nothing' in str(error)\n"
        "else:\n"
        "    raise AssertionError('seqkit.nothing did not raise')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-1500:]
