"""seqkit: Keras 3 recurrent networks for text.

Importing `seqkit` is cheap (the command line's `--help` must not load
TensorFlow), yet models saved by seqkit must load with
`keras.saving.load_model` once seqkit is imported. So the modules that
register seqkit's classes with Keras are imported as soon as Keras is: at
once if it already is, else right after Keras's own import completes.

The subpackages load on first use, so `import seqkit` then
`seqkit.layers.LSTM(8)` works without importing Keras first:

```python
import seqkit

layer = seqkit.layers.LSTM(8)
```
"""

import sys

__version__ = "0.1.0"

__all__ = ["__version__", "register_with_keras"]

# The modules whose import registers seqkit's serializable classes.
_REGISTERING = ("seqkit.layers", "seqkit.preprocessing", "seqkit.models")
# Without these (Keras on another backend alone) only `seqkit.layers` works.
_NEEDS_TF = ("tensorflow", "tensorflow_text")
# The subpackages that `seqkit.NAME` imports on first use.
_SUBPACKAGES = (
    "data",
    "layers",
    "models",
    "preprocessing",
    "samplers",
    "serving",
    "training",
)


def __getattr__(name):
    """Imports a subpackage on first access (`seqkit.layers`)."""
    if name in _SUBPACKAGES:
        import importlib

        return importlib.import_module(f"seqkit.{name}")
    raise AttributeError(f"module 'seqkit' has no attribute {name!r}")


def register_with_keras():
    """Imports every seqkit module that registers classes with Keras.

    `seqkit.layers` is pure Keras and registers on any backend. The text
    pipeline and the models need TensorFlow; where it is not installed
    (Keras on the torch or jax backend alone) they are left out, and
    importing them names what is missing.
    """
    import importlib

    for name in _REGISTERING:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as error:
            if name == "seqkit.layers" or error.name not in _NEEDS_TF:
                raise


def _keras_ready():
    keras = sys.modules.get("keras")
    spec = getattr(keras, "__spec__", None)
    return keras is not None and not getattr(spec, "_initializing", False)


if _keras_ready():
    register_with_keras()
else:
    from seqkit._import_hook import after_import

    after_import(
        ("keras", "tensorflow"),
        register_with_keras,
        within=("seqkit",),
        ready=lambda: "keras" in sys.modules,
    )
