"""`seqkit export`: a run's model as a TensorFlow Serving SavedModel.

The SavedModel's `serving_default` signature takes `text` (a string tensor
of shape `[None]`, raw text: tokenization runs in the graph) and returns
`probabilities` (float32 `[None, classes]`) and `label` (string `[None]`);
models that pool with attention also return `attention` (float32
`[None, max_length]`, zero past each text's last token) and `tokens`
(string `[None, max_length]`, the tokens the weights belong to, `""` past
the end). Widths are fixed at the model's `max_length`, so a row's answer
does not depend on which other texts share its batch.

Which signature a run exports is its task's answer (`Task.serving`, a
key of `seqkit.serving.signatures.SIGNATURE_BUILDERS`); a caption run's
signature decodes in the graph (`seqkit.serving.caption`). A text model's
graph holds its weights as constants, except the large ones such as
embedding tables (`seqkit.serving.fast.frozen`), so that its signature
captures few variables: each captured tensor is bound again on every
call. The variables are saved beside it all the same. (A caption model's
export reads its variables.)

The graph is traced inside `seqkit.layers.portable_graph()`: it holds no
cuDNN-only op even when a GPU is visible at export time, so it runs on
CPU-only servers (keras-team/keras#18504). The tokenizer's Unicode
normalization is a tensorflow-text op: load the export with
`import tensorflow_text` first (TensorFlow Serving links these ops in).

Beside the graph, `assets.extra/seqkit.json` holds the class names, the
preprocessing settings and the run's configuration, and
`assets.extra/labels.txt` the class names one per line
(`seqkit.serving.format`).
"""

import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from seqkit.errors import SeqkitError
from seqkit.models.task import task_for
from seqkit.serving.format import SIGNATURE, next_version, write_assets_extra
from seqkit.serving.signatures import SIGNATURE_BUILDERS

# Ops that have kernels only on a GPU with cuDNN.
GPU_ONLY_OPS = re.compile(r"^Cudnn")


@dataclass
class ExportResult:
    """What `export_run` wrote.

    Attributes:
        path: the version folder, `BASE/N`.
        version: `N`.
        outputs: the names of the signature's outputs.
        class_names: the labels, in output order.
        op_count: how many op nodes the SavedModel's graphs hold.
        inputs: the signature's inputs, name -> "dtype [shape]".
    """

    path: Path
    version: int
    outputs: list = field(default_factory=list)
    class_names: list = field(default_factory=list)
    op_count: int = 0
    inputs: dict = field(default_factory=lambda: {"text": "string [None]"})

    def to_dict(self):
        return {
            "path": str(self.path),
            "version": self.version,
            "signature": SIGNATURE,
            "inputs": self.inputs,
            "outputs": self.outputs,
            "class_names": self.class_names,
            "op_count": self.op_count,
        }


def export_run(run, base, version=None, xla=True, fold=True):
    """Exports a run's model to `base/version` as a SavedModel.

    The folder appears complete or not at all (the SavedModel is written
    beside it and renamed into place), so a server watching `base` never
    loads a half-written version.

    Args:
        run: a finished run folder (with `model.keras`).
        base: the model's base folder; versions are its numbered folders.
        version: the version number (default: the next free one).
        xla: compile a text model's network with XLA
            (`seqkit.serving.fast.text_serving_function`).
        fold: let pooled loops read folded input tables (the same).

    Returns:
        An `ExportResult`.

    Raises:
        SeqkitError: the version exists, or is not a positive integer, or
            the run's task has no serving signature.
        ValueError: the run folder holds no model.
    """
    from seqkit.runs import load_run

    base = Path(base)
    version, target = _new_version(base, version)
    model = load_run(run)
    build = SIGNATURE_BUILDERS[_serving_key(model)]
    signature = build(model, run, xla=xla, fold=fold)
    # What the serving graph reads beside the model (the pooled loops'
    # folded input tables, saved empty; their vocabulary table).
    tracked = getattr(signature.function, "tracked", None)
    base.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{version}-", dir=base))
    try:
        _write_saved_model(
            model,
            staging / "model",
            signature.function,
            signature.inputs,
            tracked,
        )
        op_count = check_portable(staging / "model")
        write_assets_extra(staging / "model", signature.metadata)
        os.replace(staging / "model", target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return ExportResult(
        target,
        version,
        signature.outputs,
        list(signature.metadata["class_names"]),
        op_count,
        {spec.name: _spec_text(spec) for spec in signature.inputs},
    )


def _new_version(base, version):
    """`(number, folder)` of a version not yet under `base`.

    Raises:
        SeqkitError: the version exists, or is not a positive integer.
    """
    if version is None:
        version = next_version(base)
    if isinstance(version, bool) or int(version) < 1:
        raise SeqkitError(
            f"--version must be a positive integer; received {version!r}"
        )
    version = int(version)
    target = base / str(version)
    if target.exists():
        raise SeqkitError(
            f"{target} exists: versions are never overwritten; pass another "
            f"--version or leave it out (next free: {next_version(base)})"
        )
    return version, target


def _serving_key(model):
    """The model's key in `SIGNATURE_BUILDERS`, as its task names it.

    Raises:
        SeqkitError: the model's task has no serving signature.
    """
    task = task_for(model)
    if task.serving is None:
        raise SeqkitError(f"a {task.name} run has no serving signature")
    return task.serving


def _spec_text(spec):
    shape = ", ".join("None" if d is None else str(d) for d in spec.shape)
    return f"{spec.dtype.name} [{shape}]"


def _write_saved_model(model, path, serve, input_signature, tracked=None):
    import keras

    from seqkit.layers import portable_graph

    with portable_graph():
        archive = keras.export.ExportArchive()
        archive.track(model)
        if tracked is not None:
            archive.track(tracked)
        archive.add_endpoint(
            name=SIGNATURE, fn=serve, input_signature=input_signature
        )
        archive.write_out(str(path), verbose=False)


def graph_ops(export_dir):
    """Every op type in a SavedModel's graphs, with its count.

    Reads `saved_model.pb` directly: the top-level graph and every function
    in its library (where a traced model's ops live).
    """
    from collections import Counter

    from tensorflow.core.protobuf import saved_model_pb2

    proto = saved_model_pb2.SavedModel()
    proto.ParseFromString((Path(export_dir) / "saved_model.pb").read_bytes())
    counts = Counter()
    for meta_graph in proto.meta_graphs:
        graph = meta_graph.graph_def
        counts.update(node.op for node in graph.node)
        for function in graph.library.function:
            counts.update(node.op for node in function.node_def)
    return counts


def check_portable(export_dir):
    """Raises if the SavedModel holds a GPU-only op; returns the op count.

    Raises:
        SeqkitError: naming the GPU-only ops found.
    """
    counts = graph_ops(export_dir)
    gpu_only = sorted(op for op in counts if GPU_ONLY_OPS.match(op))
    if gpu_only:
        raise SeqkitError(
            f"the exported graph holds GPU-only ops {gpu_only}; it would "
            "not run on a CPU server"
        )
    return sum(counts.values())
