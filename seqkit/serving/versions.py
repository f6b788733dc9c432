"""The versions of one served model: loading, warming up, switching.

`ModelManager` follows TensorFlow Serving's default version policy: it
serves the newest numbered folder under the base path, and when a newer
one appears it loads it beside the old, then switches. A version that fails
to load (or to answer a warm-up call) is reported in the model status and
the server keeps the version it had.
"""

import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from seqkit.errors import SeqkitError
from seqkit.serving.format import SIGNATURE, read_metadata, version_folders
from seqkit.serving.rest import TensorInfo

log = logging.getLogger("seqkit.serve")


class ModelLoadError(SeqkitError):
    """A version folder that does not load as a servable SavedModel."""


@dataclass
class Servable:
    """One loaded version.

    Attributes:
        version: the version number.
        path: its folder.
        signatures: name -> `(inputs, outputs)`, dicts of `TensorInfo`.
        metadata: the export's `assets.extra/seqkit.json` (or `{}`).
    """

    version: int
    path: Path
    signatures: dict
    metadata: dict = field(default_factory=dict)
    functions: dict = field(default_factory=dict, repr=False)
    loaded: object = field(default=None, repr=False)

    def run(self, signature_name, inputs):
        """Calls a signature on NumPy inputs; returns NumPy outputs."""
        import tensorflow as tf

        function = self.functions[signature_name]
        outputs = function(
            **{name: tf.constant(value) for name, value in inputs.items()}
        )
        return {name: tensor.numpy() for name, tensor in outputs.items()}


def _info(spec):
    from tensorflow.core.framework import types_pb2

    return TensorInfo(
        spec.dtype.name,
        tuple(spec.shape.as_list()),
        types_pb2.DataType.Name(spec.dtype.as_datatype_enum),
    )


def load_servable(path, version):
    """Loads a SavedModel version folder and warms each signature up.

    Raises:
        ModelLoadError: naming the folder and what went wrong.
    """
    import tensorflow as tf
    import tensorflow_text  # noqa: F401 - registers the tokenizer's ops

    path = Path(path)
    try:
        loaded = tf.saved_model.load(str(path))
    except Exception as error:  # noqa: BLE001 - any failure is reported
        raise ModelLoadError(
            f"{path}: cannot load the SavedModel: {_first_line(error)}"
        ) from error
    signatures, functions = {}, {}
    for name, function in loaded.signatures.items():
        inputs = function.structured_input_signature[1]
        outputs = function.structured_outputs
        if not isinstance(outputs, dict):
            raise ModelLoadError(
                f"{path}: signature {name!r} does not return named outputs"
            )
        signatures[name] = (
            {key: _info(spec) for key, spec in inputs.items()},
            {key: _info(spec) for key, spec in outputs.items()},
        )
        functions[name] = function
    if not signatures:
        raise ModelLoadError(f"{path}: the SavedModel has no signatures")
    servable = Servable(
        version, path, signatures, read_metadata(path), functions, loaded
    )
    warmups = [
        (name, warmup_inputs(inputs))
        for name, (inputs, _) in signatures.items()
    ]
    xla = servable.metadata.get("xla") or {}
    if "text" in signatures.get(SIGNATURE, ({},))[0]:
        # Every shape the XLA path can meet compiles now, not on a request.
        for rows in xla.get("warmup_rows", [1]):
            for length in xla.get("warmup_lengths", []):
                text = np.array([" ".join(["x"] * length)] * rows, dtype=object)
                warmups.append((SIGNATURE, {"text": text}))
    for name, batch in warmups:
        try:
            servable.run(name, batch)
        except Exception as error:  # noqa: BLE001 - any failure is reported
            raise ModelLoadError(
                f"{path}: signature {name!r} fails on a warm-up call: "
                f"{_first_line(error)}"
            ) from error
    return servable


def warmup_inputs(inputs):
    """One-row inputs for a signature: empty strings, or zeros."""
    batch = {}
    for name, info in inputs.items():
        shape = (1, *[1 if size is None else size for size in info.shape[1:]])
        if info.dtype == "string":
            batch[name] = np.full(shape, b"", dtype=object)
        else:
            batch[name] = np.zeros(shape, dtype=info.dtype)
    return batch


def _first_line(error):
    text = str(error).strip() or type(error).__name__
    return text.splitlines()[0][:500]


class ModelManager:
    """Serves the newest loadable version of a model's base folder.

    Args:
        base: the base folder (holding version folders `1/`, `2/`, ...).
        name: the model name clients use in URLs.
        loader: `(path, version) -> Servable` (tests pass a fake).
    """

    def __init__(self, base, name, loader=load_servable):
        self.base = Path(base)
        self.name = name
        self.loader = loader
        self.current = None
        # version -> {"state": ..., "error": ...}, as reported in the status.
        self.statuses = {}
        self._tried = {}  # version -> mtime of the folder when it failed
        self._lock = threading.Lock()

    def start(self):
        """Loads the newest version that loads, newest first.

        Raises:
            ModelLoadError: when the base holds no version, or none loads
                (the message lists each version's error).
        """
        folders = version_folders(self.base)
        if not folders:
            raise ModelLoadError(
                f"{self.base}: no version folder (a folder named by a "
                "number, as `seqkit export` writes)"
            )
        errors = []
        for version in sorted(folders, reverse=True):
            if self._try_load(version, folders[version]):
                return self.current
            errors.append(self.statuses[version]["error"])
        raise ModelLoadError(
            "no version of the model loads: " + "; ".join(errors)
        )

    def refresh(self):
        """Loads and switches to a newer version folder, if one appeared.

        Returns:
            Whether the served version changed.
        """
        folders = version_folders(self.base)
        current = self.current.version if self.current else 0
        newer = [v for v in folders if v > current]
        if not newer:
            return False
        version = max(newer)
        mtime = _mtime(folders[version])
        if self._tried.get(version) == mtime:
            return False  # failed before and unchanged since
        return self._try_load(version, folders[version])

    def _try_load(self, version, path):
        self.statuses[version] = {"state": "LOADING", "error": ""}
        log.info("loading %s version %d from %s", self.name, version, path)
        try:
            servable = self.loader(path, version)
        except ModelLoadError as error:
            self._tried[version] = _mtime(path)
            self.statuses[version] = {"state": "END", "error": str(error)}
            log.error("version %d not loaded: %s", version, error)
            return False
        with self._lock:
            previous, self.current = self.current, servable
        if previous is not None:
            self.statuses[previous.version] = {"state": "END", "error": ""}
        self.statuses[version] = {"state": "AVAILABLE", "error": ""}
        log.info("serving %s version %d", self.name, version)
        return True

    def servable(self, version=None):
        """The loaded servable; with `version`, only if it is that one."""
        current = self.current
        if current is None or (
            version is not None and version != current.version
        ):
            return None
        return current

    def status(self, version=None):
        """The `GetModelStatus` answer (all versions, or one)."""
        versions = sorted(self.statuses, reverse=True)
        if version is not None:
            versions = [v for v in versions if v == version]
        return {
            "model_version_status": [
                {
                    "version": str(v),
                    "state": self.statuses[v]["state"],
                    "status": {
                        "error_code": "UNKNOWN"
                        if self.statuses[v]["error"]
                        else "OK",
                        "error_message": self.statuses[v]["error"],
                    },
                }
                for v in versions
            ]
        }


def _mtime(path):
    try:
        return Path(path).stat().st_mtime_ns
    except OSError:
        return None
