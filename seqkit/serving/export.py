"""`seqkit export`: a run's model as a TensorFlow Serving SavedModel.

The SavedModel's `serving_default` signature takes `text` (a string tensor
of shape `[None]`, raw text: tokenization runs in the graph) and returns
`probabilities` (float32 `[None, classes]`) and `label` (string `[None]`);
models that pool with attention also return `attention` (float32
`[None, max_length]`, zero past each text's last token) and `tokens`
(string `[None, max_length]`, the tokens the weights belong to, `""` past
the end). Widths are fixed at the model's `max_length`, so a row's answer
does not depend on which other texts share its batch.

A text model's graph holds its weights as constants (`frozen_weights`),
except the large ones (over `FREEZE_WEIGHT_BYTES`, such as embedding
tables), so that its signature captures few variables: each captured
tensor is bound again on every call. The variables are saved beside it
all the same. (A caption model's export reads its variables.)

The graph is traced inside `seqkit.layers.portable_graph()`: it holds no
cuDNN-only op even when a GPU is visible at export time, so it runs on
CPU-only servers (keras-team/keras#18504). The tokenizer's Unicode
normalization is a tensorflow-text op: load the export with
`import tensorflow_text` first (TensorFlow Serving links these ops in).

Beside the graph, `assets.extra/seqkit.json` holds the class names, the
preprocessing settings and the run's configuration, and
`assets.extra/labels.txt` the class names one per line.
"""

import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from seqkit.errors import SeqkitError
from seqkit.serving.fast.xla import (
    XLA_LENGTHS,
    XLA_MAX_ROWS,
    bucketed,
    text_members,
    xla_network,
)

SIGNATURE = "serving_default"
METADATA_FILE = "seqkit.json"
LABELS_FILE = "labels.txt"
# Ops that have kernels only on a GPU with cuDNN.
GPU_ONLY_OPS = re.compile(r"^Cudnn")
# A text model's serving graph reads each weight of at most this many
# bytes as a constant (see `frozen_weights`).
FREEZE_WEIGHT_BYTES = 2**20


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


def version_folders(base):
    """The numbered version folders under `base`, as `{number: path}`."""
    base = Path(base)
    if not base.is_dir():
        return {}
    return {
        int(entry.name): entry
        for entry in base.iterdir()
        if entry.is_dir() and entry.name.isdigit()
    }


def next_version(base):
    """One more than the highest version under `base` (1 when none)."""
    return max(version_folders(base), default=0) + 1


def export_run(run, base, version=None, xla=True, fold=True):
    """Exports a run's classifier to `base/version` as a SavedModel.

    The folder appears complete or not at all (the SavedModel is written
    beside it and renamed into place), so a server watching `base` never
    loads a half-written version.

    Args:
        run: a finished run folder (with `model.keras`).
        base: the model's base folder; versions are its numbered folders.
        version: the version number (default: the next free one).
        xla: compile a text model's network with XLA (`serving_function`).
        fold: let pooled loops read folded input tables (`serving_function`).

    Returns:
        An `ExportResult`.

    Raises:
        SeqkitError: the version exists, or is not a positive integer.
        ValueError: the run folder holds no model.
    """
    from seqkit.runs import load_run, run_config

    base = Path(base)
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
    model = load_run(run)
    captioner = hasattr(model, "decode_step")
    if captioner:
        serve, outputs, signature = caption_serving_function(model, run)
    else:
        serve, outputs = serving_function(model, xla=xla, fold=fold)
        signature = [tf_text_spec()]
    # What the serving graph reads beside the model (the pooled loops'
    # folded input tables, saved empty; their vocabulary table).
    tracked = getattr(serve, "tracked", None)
    base.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{version}-", dir=base))
    try:
        _write_saved_model(model, staging / "model", serve, signature, tracked)
        op_count = check_portable(staging / "model")
        if captioner:
            metadata = caption_metadata(model, run, outputs, signature)
        else:
            metadata = export_metadata(
                model, run_config(run), outputs, xla=xla, fold=fold
            )
        _write_assets_extra(staging / "model", metadata)
        os.replace(staging / "model", target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    class_names = [] if captioner else list(model.class_names)
    inputs = {spec.name: _spec_text(spec) for spec in signature}
    return ExportResult(target, version, outputs, class_names, op_count, inputs)


def frozen_weights(model):
    """A context in which `model`'s smaller weights read as constants.

    Every tensor a signature captures from outside its graph (a
    variable's handle, an eager constant) is one more argument its caller
    binds on every call: about 2.4 microseconds each in TensorFlow's
    Python client on a 2-core CPU (`bench/capture_cost.py`), where the
    default sentiment model's signature captured 17 of them. An export's
    weights never change, so the serving graph traced in this context
    (`keras.StatelessScope`, which maps each variable to a value) holds
    each weight of at most `FREEZE_WEIGHT_BYTES` as a constant, read when
    the function is made. Larger weights (embedding tables) stay
    variables: TensorFlow keeps several copies of a function's constants
    once it runs it (a process serving the default model held 1,098 MiB
    with every weight a constant, 1,082 with the small ones only and
    1,074 with none).

    Returns:
        A function that returns a fresh context manager; call it inside
        the traced function, so that the constants belong to its graph.
        A `tf.function` traced inside captures them from that graph, so
        it must not be called from another graph afterwards (the
        export's functions are made for one trace).
    """
    import keras
    import numpy as np

    values = [(weight, np.asarray(weight.numpy())) for weight in model.weights]
    values = [(w, v) for w, v in values if v.nbytes <= FREEZE_WEIGHT_BYTES]

    def scope():
        import tensorflow as tf

        return keras.StatelessScope(
            state_mapping=[(w, tf.constant(value)) for w, value in values]
        )

    return scope


class VocabularyIds:
    """`text -> ids [rows, max_length]`, as the vectorizer gives them.

    For the export's pooled-loop path, which pads ids to the model's
    `max_length` anyway: the tokenizer's tokens looked up in a table of
    the vectorizer's vocabulary (id 0 is padding, 1 an unknown word) and
    padded or cut to `max_length` in one op. The vectorizer's own call
    (`keras.layers.TextVectorization`'s lookup) captures three constants
    that each call of the signature binds, maps an empty token to 0 (the
    tokenizers never make one) and pads twice.

    Attributes:
        table: the `tf.lookup.StaticHashTable`; the SavedModel must track
            it.
    """

    def __init__(self, vectorizer):
        import tensorflow as tf

        words = vectorizer.get_vocabulary()  # "", "[UNK]", then the words
        self.tokenizer = vectorizer.tokenizer
        self.max_length = vectorizer.max_length
        self.table = tf.lookup.StaticHashTable(
            tf.lookup.KeyValueTensorInitializer(
                tf.constant(words[2:]),
                tf.range(2, len(words), dtype=tf.int64),
            ),
            default_value=1,
        )

    def __call__(self, text):
        import tensorflow as tf

        tokens = self.tokenizer(text)
        # The raw op, so that the unknown word's id is a constant of the
        # graph rather than the table's captured default.
        ids = tf.ragged.map_flat_values(
            lambda words: tf.raw_ops.LookupTableFindV2(
                table_handle=self.table.resource_handle,
                keys=words,
                default_value=tf.constant(1, tf.int64),
            ),
            tokens,
        )
        return ids.to_tensor(0, shape=[None, self.max_length])


def serving_function(model, xla=True, fold=True):
    """The `text -> outputs` function the export's signature runs.

    Args:
        model: a `TextClassifier`, `EnsembleClassifier` or
            `DocumentClassifier` (probabilities and label only).
        xla: run a text model's network (after tokenization) compiled
            by XLA. A model that `seqkit.serving.fast.pooled_loops` can run
            (one recurrent layer, max and/or mean pooling) runs that way
            for every call; any other text model runs its whole network
            compiled for calls with `XLA_MAX_ROWS` text (one), on ids
            padded to one of `XLA_LENGTHS`, and the plain graph for more.
            Padding is masked, so the answers are the same.
        fold: the pooled loops read each step's `x W + b` from folded
            tables (`pooled_loops.FoldedTables`; more server memory).

    Returns:
        `(fn, output_names)`: `fn` maps a string tensor `[None]` to a dict
        of output tensors. On the pooled-loop path, `fn.tracked` is a
        `tf.Module` the SavedModel must track (the folded tables'
        variables, the vocabulary table).
    """
    import tensorflow as tf

    class_names = list(model.class_names)
    frozen = frozen_weights(model)
    max_length = model.vectorizer.max_length
    tokenizer = model.vectorizer.tokenizer
    # A document model's attention is [sentences, words] per document, of
    # widths that vary with the batch: its export returns the label only.
    with_attention = "attention" in model.output
    pooled = None
    if xla:
        from seqkit.serving.fast.pooled_loops import pooled_network

        pooled = pooled_network(model, fold=fold)
    network = xla_network(model) if xla and pooled is None else None

    def compiled(text):
        ids = model.vectorizer(text)
        rows, steps = tf.shape(ids)[0], tf.shape(ids)[1]
        outputs = network(bucketed(ids))
        result = {"probabilities": outputs["probabilities"][:rows]}
        if "attention" in outputs:
            result["attention"] = outputs["attention"][:rows, :steps]
        return result

    def plain(text):
        outputs = model(text, training=False)
        return {
            key: outputs[key]
            for key in ("probabilities", "attention")
            if key in outputs
        }

    if network is not None:
        from seqkit.serving.fast.pooled_loops import out_of_line

        # A single text's call skips the whole Keras graph: out of line, it
        # is one node of the branch not taken instead of hundreds.
        plain = out_of_line(plain)

    vocabulary_ids = None
    if pooled is not None and max_length is not None:
        vocabulary_ids = VocabularyIds(model.vectorizer)
    token_ids = vocabulary_ids or model.vectorizer

    def run(text):
        if pooled is not None:
            return {"probabilities": pooled(token_ids(text))}
        if network is None:
            return model(text, training=False)
        return tf.cond(
            tf.size(text) <= XLA_MAX_ROWS,
            lambda: compiled(text),
            lambda: plain(text),
        )

    def serve(text):
        with frozen():
            outputs = run(text)
        probabilities = outputs["probabilities"]
        # Made here, the names are a constant of the graph, not a capture.
        labels = tf.constant(class_names)
        result = {
            "probabilities": probabilities,
            "label": tf.gather(labels, tf.argmax(probabilities, -1)),
        }
        if with_attention:
            tokens = tokenizer(text)
            if max_length is not None:
                tokens = tokens[:, :max_length]
                width = max_length
            else:
                width = tf.shape(outputs["attention"])[1]
            attention = outputs["attention"][:, :width]
            missing = width - tf.shape(attention)[1]
            attention = tf.pad(attention, [[0, 0], [0, missing]])
            attention.set_shape([None, max_length])
            result["attention"] = attention
            result["tokens"] = tokens.to_tensor("", shape=[None, width])
        return result

    names = ["probabilities", "label"]
    if with_attention:
        names += ["attention", "tokens"]
    if pooled is not None:
        serve.tracked = tf.Module(name="serving")
        serve.tracked.folded_inputs = pooled.folded_inputs
        if vocabulary_ids is not None:
            serve.tracked.vocabulary = vocabulary_ids.table
    return serve, names


def tf_text_spec():
    """The `text` input of a text model's signature: strings `[None]`."""
    import tensorflow as tf

    return tf.TensorSpec([None], tf.string, name="text")


def _spec_text(spec):
    shape = ", ".join("None" if d is None else str(d) for d in spec.shape)
    return f"{spec.dtype.name} [{shape}]"


def caption_serving_function(model, run):
    """The `inputs -> caption` function of a caption run's export.

    Decoding runs in the graph (`seqkit.samplers.graph`) with the run's
    settings: beam search (its width and length penalty) or greedy, up to
    one token more than the longest training caption.

    Returns:
        `(fn, output_names, input_signature)`.
    """
    import tensorflow as tf

    from seqkit.models.caption.model import END_ID, START_ID
    from seqkit.runs import run_settings
    from seqkit.samplers.graph import beam_search_decode, greedy_decode

    config, data = run_settings(run)
    vocabulary = tf.constant(list(model.vocabulary))
    max_tokens = int(data["max_words"]) + 1
    beam = config["decode"] == "beam"
    name = "features" if model.input_kind == "features" else "image"
    signature = [
        tf.TensorSpec([None, *model.input_size], tf.float32, name=name)
    ]

    def words(tokens, lengths):
        flat = tf.reshape(tokens, [-1, max_tokens])
        ragged = tf.RaggedTensor.from_tensor(
            tf.gather(vocabulary, flat), lengths=tf.reshape(lengths, [-1])
        )
        joined = tf.strings.reduce_join(ragged, axis=1, separator=" ")
        return tf.reshape(joined, tf.shape(lengths))

    def serve(inputs):
        state = model.initial_state(inputs)
        starts = tf.fill([tf.shape(inputs)[0]], START_ID)
        if not beam:
            found = greedy_decode(model.step, state, starts, max_tokens, END_ID)
            return {
                "caption": words(found["tokens"], found["lengths"]),
                "score": found["scores"],
            }
        found = beam_search_decode(
            model.step,
            state,
            starts,
            max_tokens,
            END_ID,
            width=int(config["beam_width"]),
            length_penalty=float(config["length_penalty"]),
        )
        beams = words(found["tokens"], found["lengths"])
        return {
            "caption": beams[:, 0],
            "score": found["scores"][:, 0],
            "beams": beams,
            "beam_scores": found["scores"],
            "beam_normalized_scores": found["normalized"],
        }

    names = ["caption", "score"]
    if beam:
        names += ["beams", "beam_scores", "beam_normalized_scores"]
    return serve, names, signature


def caption_metadata(model, run, outputs, signature):
    """The `assets.extra/seqkit.json` document of a caption export."""
    import seqkit
    from seqkit.runs import run_settings

    config, data = run_settings(run)
    return {
        "format": "seqkit-export/1",
        "seqkit_version": seqkit.__version__,
        "task": "captioning",
        "signature": SIGNATURE,
        "inputs": {
            spec.name: {"dtype": "float32", "shape": [None, *spec.shape[1:]]}
            for spec in signature
        },
        "outputs": outputs,
        "class_names": [],
        "vocabulary": list(model.vocabulary),
        "decoding": {
            "method": config["decode"],
            "beam_width": config["beam_width"],
            "length_penalty": config["length_penalty"],
            "max_tokens": int(data["max_words"]) + 1,
        },
        "config": config,
    }


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


def xla_warmup_lengths(model):
    """The token counts that compile every XLA shape a text model can use.

    `XLA_LENGTHS` up to the first that holds `max_length` tokens (all of
    them without a `max_length`); none for models without the XLA path.
    """
    if text_members(model) is None:
        return []
    limit = model.vectorizer.max_length
    lengths = []
    for length in XLA_LENGTHS:
        lengths.append(length)
        if limit is not None and length >= limit:
            break
    return lengths


def export_metadata(model, config, outputs, xla=False, fold=True):
    """The `assets.extra/seqkit.json` document of an export.

    With `xla`, `"xla"` names the compiled path (`"pooled-loops"` or
    `"network"`, see `serving_function`) and lists the row and token
    counts a server should warm up with (every pair of them), so no
    request waits for a compilation; pooled loops also give the bytes of
    their folded input tables (0 without `fold`).
    """
    import seqkit
    from seqkit.serving.fast import pooled_loops

    vectorizer = model.vectorizer
    extra = {}
    if xla and not pooled_loops.reasons(model):
        # Steps are padded to max_length: one token count compiles all.
        lengths = xla_warmup_lengths(model)
        if vectorizer.max_length is not None:
            lengths = [vectorizer.max_length]
        extra["xla"] = {
            "path": "pooled-loops",
            "warmup_rows": list(pooled_loops.ROW_BUCKETS),
            "warmup_lengths": lengths,
            "folded_input_bytes": (
                pooled_loops.folded_input_bytes(model) if fold else 0
            ),
        }
    elif xla and xla_warmup_lengths(model):
        extra["xla"] = {
            "path": "network",
            "max_rows": XLA_MAX_ROWS,
            "warmup_rows": [1],
            "warmup_lengths": xla_warmup_lengths(model),
        }
    return {
        "format": "seqkit-export/1",
        "seqkit_version": seqkit.__version__,
        "task": "text-classification",
        "signature": SIGNATURE,
        "inputs": {"text": {"dtype": "string", "shape": [None]}},
        "outputs": outputs,
        "class_names": list(model.class_names),
        "preprocessing": {
            **vectorizer.tokenizer.get_config(),
            "max_length": vectorizer.max_length,
            "vocabulary_size": vectorizer.vocabulary_size(),
        },
        "config": config,
        **extra,
    }


def _write_assets_extra(export_dir, metadata):
    extra = Path(export_dir) / "assets.extra"
    extra.mkdir(exist_ok=True)
    with open(extra / METADATA_FILE, "w", encoding="utf-8") as handle:
        json.dump(metadata, handle, indent=2, ensure_ascii=False)
        handle.write("\n")
    with open(extra / LABELS_FILE, "w", encoding="utf-8") as handle:
        handle.writelines(f"{name}\n" for name in metadata["class_names"])


def read_metadata(export_dir):
    """An export's `assets.extra/seqkit.json`, or `{}` if it has none."""
    path = Path(export_dir) / "assets.extra" / METADATA_FILE
    if not path.is_file():
        return {}
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)
