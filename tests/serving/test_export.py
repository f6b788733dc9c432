"""`seqkit export`: SavedModel round trip, portable graph, versions."""

import json
import subprocess
import sys

import numpy as np
import pytest
from click.testing import CliRunner

from seqkit.cli import cli
from seqkit.errors import SeqkitError
from seqkit.models.predict import predict_outputs, predict_texts
from seqkit.runs import load_run
from seqkit.serving import export as export_module
from seqkit.serving.fast import frozen
from seqkit.serving.fast.xla import XLA_LENGTHS, XLA_MAX_ROWS
from seqkit.serving.format import read_metadata

TEXTS = [
    "a gorgeous , witty , seductive movie .",
    "the plot is nothing but boilerplate clichés from start to finish",
    "",
    "Not bad!!! 3.5 stars... well-made, isn't it?",
    "flat",
    "an overlong , tedious mess that never finds its rhythm",
    "one of the year's best films",
]

# Runs in a fresh interpreter: plain TensorFlow, no seqkit import.
LOAD_AND_PREDICT = """
import json, sys
import numpy as np
import tensorflow as tf
import tensorflow_text  # noqa: F401 - the tokenizer's normalization op
path, texts, batch = sys.argv[1], json.loads(sys.argv[2]), int(sys.argv[3])
serve = tf.saved_model.load(path).signatures["serving_default"]
rows = {"probabilities": [], "label": [], "attention": [], "tokens": []}
for start in range(0, len(texts), batch):
    out = serve(text=tf.constant(texts[start:start + batch]))
    for name in rows:
        if name not in out:
            continue
        value = out[name].numpy()
        if value.dtype == object:
            value = np.vectorize(lambda b: b.decode("utf-8"))(value)
        rows[name].extend(value.tolist())
print(json.dumps(rows))
"""


def _fresh_predict(path, batch):
    completed = subprocess.run(
        [
            sys.executable,
            "-c",
            LOAD_AND_PREDICT,
            str(path),
            json.dumps(TEXTS),
            str(batch),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(completed.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("batch", [1, 4])
def test_round_trip_matches_seqkit_predict(attention_run, exported, batch):
    base, summary = exported
    expected = predict_texts(load_run(attention_run), TEXTS, attention=True)
    got = _fresh_predict(summary["path"], batch)
    names = summary["class_names"]
    for row, result in enumerate(expected):
        want = [result["probabilities"][name] for name in names]
        np.testing.assert_allclose(got["probabilities"][row], want, atol=1e-5)
        assert got["label"][row] == result["label"]
        words = [w for w, _ in result["attention"]]
        weights = [a for _, a in result["attention"]]
        assert got["tokens"][row][: len(words)] == words
        assert set(got["tokens"][row][len(words) :]) <= {""}
        np.testing.assert_allclose(
            got["attention"][row][: len(words)], weights, atol=1e-5
        )
        assert not any(got["attention"][row][len(words) :])


def test_signature_and_metadata(exported):
    base, summary = exported
    assert summary["version"] == 1
    assert summary["outputs"] == [
        "probabilities",
        "label",
        "attention",
        "tokens",
    ]
    folder = base / "1"
    assert (folder / "saved_model.pb").is_file()
    metadata = json.loads((folder / "assets.extra" / "seqkit.json").read_text())
    assert metadata["class_names"] == ["thumbs down", "thumbs up"]
    # The tiny split's longest training snippet: the data decided it.
    assert metadata["preprocessing"]["max_length"] == 45
    assert metadata["config"]["max_length"] == 45
    assert "max_length" in metadata["config"]["adapted"]
    assert metadata["preprocessing"]["lowercase"] is True
    assert metadata["config"]["pooling"] == "attention"
    labels = (folder / "assets.extra" / "labels.txt").read_text()
    assert labels.splitlines() == metadata["class_names"]


def test_no_gpu_only_op_even_with_a_gpu_listed(
    attention_run, tmp_path, gpu_listed
):
    """keras-team/keras#18504: an export traced beside a GPU held cuDNN ops.

    With a GPU listed, a plain trace of the model holds `CudnnRNNV3` (the
    layer tests show it); the export must not.
    """
    result = export_module.export_run(attention_run, tmp_path / "gpu")
    ops = export_module.graph_ops(result.path)
    assert not [op for op in ops if op.startswith("Cudnn")]
    # (A loop that reads no variable is a `StatelessWhile`: the export's
    # weights are constants, `frozen_weights`.)
    assert {"While", "StatelessWhile"} & set(ops) and "NormalizeUTF8" in ops


def test_check_portable_names_gpu_only_ops(tmp_path, monkeypatch):
    from collections import Counter

    monkeypatch.setattr(
        export_module,
        "graph_ops",
        lambda path: Counter({"MatMul": 3, "CudnnRNNV3": 2}),
    )
    with pytest.raises(ValueError, match=r"GPU-only ops \['CudnnRNNV3'\]"):
        export_module.check_portable(tmp_path)


def test_versions_count_up_and_never_overwrite(attention_run, tmp_path):
    base = tmp_path / "model"
    (base / "7-notes").mkdir(parents=True)  # not a version folder

    def run(*args):
        return CliRunner().invoke(
            cli, ["export", str(attention_run), "--out", str(base), *args]
        )

    first = run()
    assert first.exit_code == 0, first.output
    assert json.loads(first.output)["version"] == 1
    third = run("--version", "3")
    assert json.loads(third.output)["version"] == 3
    assert json.loads(run().output)["version"] == 4
    again = run("--version", "3")
    assert again.exit_code == 1
    assert "exists: versions are never overwritten" in again.output
    assert "next free: 5" in again.output
    assert sorted(p.name for p in base.iterdir()) == ["1", "3", "4", "7-notes"]


def test_export_of_a_folder_without_a_run(tmp_path):
    result = CliRunner().invoke(
        cli, ["export", str(tmp_path), "--out", str(tmp_path / "m")]
    )
    assert result.exit_code == 1
    assert "holds no model.keras" in result.output
    assert not (tmp_path / "m" / "1").exists()


def test_a_task_without_a_signature_is_not_exported(tmp_path, monkeypatch):
    # The export asks the model's task which signature it writes; a task
    # whose `serving` is None has none.
    from seqkit.models import task as task_module

    class NoServing(task_module.Task):
        name = "no-serving-test"

    class Model:
        task_name = NoServing.name

    monkeypatch.setattr(task_module, "TASKS", dict(task_module.TASKS))
    monkeypatch.setattr(task_module, "_TASK_MODULES", ())
    task_module.register_task(NoServing())
    monkeypatch.setattr("seqkit.runs.load_run", lambda run: Model())
    with pytest.raises(
        SeqkitError, match="a no-serving-test run has no serving signature"
    ):
        export_module.export_run(tmp_path, tmp_path / "m")
    assert not (tmp_path / "m").exists()


def test_xla_and_plain_exports_answer_alike(attention_run, tmp_path):
    # A single text runs the network compiled by XLA on padded ids,
    # larger batches (more than XLA_MAX_ROWS texts) the plain graph; the
    # `--no-xla` export always runs the plain graph.
    import tensorflow as tf

    texts = TEXTS * 3
    assert len(texts) > XLA_MAX_ROWS
    answers = {}
    for flag in ("--xla", "--no-xla"):
        base = tmp_path / flag
        result = CliRunner().invoke(
            cli, ["export", str(attention_run), "--out", str(base), flag]
        )
        assert result.exit_code == 0, result.output
        serve = tf.saved_model.load(
            json.loads(result.output)["path"]
        ).signatures["serving_default"]
        answers[flag] = [
            serve(text=tf.constant(batch))
            for batch in ([texts[0]], texts[:5], texts)
        ]
    for xla, plain in zip(answers["--xla"], answers["--no-xla"]):
        for key in ("probabilities", "attention"):
            np.testing.assert_allclose(
                xla[key].numpy(), plain[key].numpy(), atol=1e-5
            )
        assert xla["label"].numpy().tolist() == plain["label"].numpy().tolist()


def test_server_warms_up_every_xla_length(exported, monkeypatch):
    # The export lists the token counts that compile every XLA shape, and
    # loading it for serving runs each once, so no request compiles.
    from seqkit.serving import versions

    base, summary = exported
    metadata = read_metadata(summary["path"])
    lengths = metadata["xla"]["warmup_lengths"]
    max_length = metadata["preprocessing"]["max_length"]
    assert lengths == [n for n in XLA_LENGTHS if n < max_length] + [
        min(n for n in XLA_LENGTHS if n >= max_length)
    ]
    seen = []
    original = versions.Servable.run

    def recorded(self, name, inputs):
        text = inputs["text"][0]
        if isinstance(text, bytes):
            text = text.decode("utf-8")
        seen.append(len(text.split()))
        return original(self, name, inputs)

    monkeypatch.setattr(versions.Servable, "run", recorded)
    versions.load_servable(summary["path"], 1)
    assert seen == [0, *lengths]  # the empty warm-up text, then each length


def test_pooled_loop_export_answers_as_the_plain_graph(pooled_run, tmp_path):
    # A BiLSTM read by max and mean pooling runs as compiled pooled loops
    # for every batch size (rows padded to 1, 2, 4, ..., 64; 70 rows in
    # chunks); the `--no-xla` export runs the Keras graph.
    import tensorflow as tf

    texts = TEXTS * 10
    answers, paths = {}, {}
    for flag in ("--xla", "--no-xla"):
        result = CliRunner().invoke(
            cli,
            ["export", str(pooled_run), "--out", str(tmp_path / flag), flag],
        )
        assert result.exit_code == 0, result.output
        paths[flag] = json.loads(result.output)["path"]
        serve = tf.saved_model.load(paths[flag]).signatures["serving_default"]
        answers[flag] = [
            serve(text=tf.constant(batch))
            for batch in ([texts[0]], [""], texts[:5], texts[:21], texts)
        ]
    for xla, plain in zip(answers["--xla"], answers["--no-xla"]):
        np.testing.assert_allclose(
            xla["probabilities"].numpy(),
            plain["probabilities"].numpy(),
            atol=1e-5,
        )
        assert xla["label"].numpy().tolist() == plain["label"].numpy().tolist()
    metadata = read_metadata(paths["--xla"])
    model = load_run(pooled_run)
    units = model.members[0].backbone.recurrent_directions()[0].cell.units
    vocabulary = metadata["preprocessing"]["vocabulary_size"]
    # 2 members x 2 directions x a float32 table of 4 gates per word.
    assert metadata["xla"] == {
        "path": "pooled-loops",
        "warmup_rows": [1, 2, 4, 8, 16, 32, 64],
        "warmup_lengths": [metadata["preprocessing"]["max_length"]],
        "folded_input_bytes": 2 * 2 * vocabulary * 4 * units * 4,
    }
    assert "xla" not in read_metadata(paths["--no-xla"])


def test_pooled_loop_export_saves_its_folded_tables_empty(pooled_run, tmp_path):
    # The tables of `x W + b` per word are saved empty, so the export stays
    # small; the first call fills them (the answers above, and
    # tests/serving/test_pooled_loops.py for their contents).
    import tensorflow as tf

    result = CliRunner().invoke(
        cli, ["export", str(pooled_run), "--out", str(tmp_path / "m")]
    )
    assert result.exit_code == 0, result.output
    path = json.loads(result.output)["path"]
    backbone = load_run(pooled_run).members[0].backbone
    units = backbone.recurrent_directions()[0].cell.units
    shapes = [
        shape
        for _, shape in tf.train.list_variables(f"{path}/variables/variables")
    ]
    assert shapes.count([0, 4 * units]) == 4  # 2 members x 2 directions
    assert not any(0 in shape for shape in shapes if shape != [0, 4 * units])


def test_no_fold_export_has_no_tables_and_the_same_answers(
    pooled_run, tmp_path
):
    import tensorflow as tf

    answers = {}
    for flag in ("--fold", "--no-fold"):
        result = CliRunner().invoke(
            cli,
            ["export", str(pooled_run), "--out", str(tmp_path / flag), flag],
        )
        assert result.exit_code == 0, result.output
        path = json.loads(result.output)["path"]
        metadata = read_metadata(path)
        saved = tf.train.list_variables(f"{path}/variables/variables")
        empty = [name for name, shape in saved if 0 in shape]
        assert (metadata["xla"]["folded_input_bytes"] > 0) == (flag == "--fold")
        assert bool(empty) == (flag == "--fold")
        serve = tf.saved_model.load(path).signatures["serving_default"]
        answers[flag] = serve(text=tf.constant(TEXTS))["probabilities"]
    np.testing.assert_allclose(
        answers["--fold"].numpy(), answers["--no-fold"].numpy(), atol=1e-5
    )


def test_pooled_loop_export_answers_through_a_session_loader(
    pooled_run, tmp_path
):
    # TensorFlow Serving loads a SavedModel into a session (restore, then
    # the init op) and runs the signature's tensors; the folded tables
    # must fill there too, on the first run, and stay right after it.
    import tensorflow as tf

    result = CliRunner().invoke(
        cli, ["export", str(pooled_run), "--out", str(tmp_path / "m")]
    )
    assert result.exit_code == 0, result.output
    path = json.loads(result.output)["path"]
    texts = TEXTS[:4]
    expected = predict_outputs(load_run(pooled_run), texts)["probabilities"]
    with tf.compat.v1.Session(graph=tf.Graph()) as session:
        meta = tf.compat.v1.saved_model.loader.load(session, ["serve"], path)
        signature = meta.signature_def["serving_default"]
        text = signature.inputs["text"].name
        probabilities = signature.outputs["probabilities"].name
        first = session.run(probabilities, {text: texts})
        again = session.run(probabilities, {text: texts[1:2]})
    np.testing.assert_allclose(first, expected, atol=1e-5)
    np.testing.assert_allclose(again, expected[1:2], atol=1e-5)


def test_server_warms_up_every_pooled_loop_shape(
    pooled_run, tmp_path, monkeypatch
):
    from seqkit.serving import versions

    result = CliRunner().invoke(
        cli, ["export", str(pooled_run), "--out", str(tmp_path / "m")]
    )
    assert result.exit_code == 0, result.output
    path = json.loads(result.output)["path"]
    max_length = read_metadata(path)["preprocessing"]["max_length"]
    seen = []
    original = versions.Servable.run

    def recorded(self, name, inputs):
        texts = inputs["text"]
        words = texts[0].decode() if isinstance(texts[0], bytes) else texts[0]
        seen.append((len(texts), len(words.split())))
        return original(self, name, inputs)

    monkeypatch.setattr(versions.Servable, "run", recorded)
    versions.load_servable(path, 1)
    shapes = [(rows, max_length) for rows in (1, 2, 4, 8, 16, 32, 64)]
    assert seen == [(1, 0), *shapes]  # the empty warm-up text, then each


def test_single_text_call_skips_the_keras_graph_in_one_node(exported):
    # The compiled path serves single texts; the plain Keras graph (the
    # branch they skip) is a function called out of line, so the skipped
    # branch is one call node rather than the whole graph.
    from tensorflow.core.protobuf import saved_model_pb2

    base, result = exported
    saved = saved_model_pb2.SavedModel()
    saved.ParseFromString((base / "1" / "saved_model.pb").read_bytes())
    functions = {
        f.signature.name: f
        for f in saved.meta_graphs[0].graph_def.library.function
    }
    skipped = []
    for function in functions.values():
        for node in function.node_def:
            if node.op != "If":
                continue
            branch = functions[node.attr["else_branch"].func.name]
            calls = [
                functions[n.attr["f"].func.name]
                for n in branch.node_def
                if n.op == "StatefulPartitionedCall"
            ]
            if len(branch.node_def) <= 4 and len(calls) == 1:
                skipped.append(calls[0])
    plain = [f for f in skipped if f.attr["_noinline"].b]
    assert plain, "no out-of-line branch found"
    assert max(len(f.node_def) for f in plain) > 100  # the Keras graph


def test_the_pooled_export_with_large_weights_as_variables(
    pooled_run, tmp_path, monkeypatch
):
    # Weights over FREEZE_WEIGHT_BYTES stay variables (here the limit
    # leaves out the two members' embeddings), the others are constants
    # of the graph: the answers are the run's. (What each captured
    # tensor costs a call: bench/capture_cost.py.)
    import tensorflow as tf

    model = load_run(pooled_run)
    sizes = [(w.path, np.asarray(w.numpy()).nbytes) for w in model.weights]
    limit = max(n for path, n in sizes if "embedding" not in path)
    large = [path for path, n in sizes if n > limit]
    assert len(large) == 2 and all("embedding" in path for path in large)
    monkeypatch.setattr(frozen, "FREEZE_WEIGHT_BYTES", limit)
    path = export_module.export_run(pooled_run, tmp_path / "m").path
    serve = tf.saved_model.load(str(path)).signatures["serving_default"]
    got = serve(text=tf.constant(TEXTS))["probabilities"].numpy()
    expected = predict_outputs(model, TEXTS)["probabilities"]
    np.testing.assert_allclose(got, expected, atol=1e-5)


def test_weights_over_the_limit_stay_variables(
    attention_run, tmp_path, monkeypatch
):
    # Over FREEZE_WEIGHT_BYTES a weight stays a variable (TensorFlow keeps
    # several copies of a function's constants): with a limit of 0 every
    # weight the graph reads is a variable, with the same answers.
    import tensorflow as tf

    answers = {}
    for name, limit in (("frozen", None), ("variables", 0)):
        if limit is not None:
            monkeypatch.setattr(frozen, "FREEZE_WEIGHT_BYTES", limit)
        path = export_module.export_run(attention_run, tmp_path / name).path
        serve = tf.saved_model.load(str(path)).signatures["serving_default"]
        answers[name] = serve(text=tf.constant(TEXTS))["probabilities"]
    np.testing.assert_allclose(
        answers["frozen"].numpy(), answers["variables"].numpy(), atol=1e-6
    )


@pytest.mark.parametrize(
    "keep,pooling,path",
    [("start+end", "attention", "network"), ("end", "max+mean", "pooled")],
)
def test_long_texts_keep_the_same_tokens_in_the_export(
    keep, pooling, path, tmp_path
):
    # A run that keeps the ends of texts longer than --max-length answers
    # from its export as `seqkit predict` does, on the compiled path of
    # its kind (XLA network with attention, or the pooled loops' own id
    # lookup), with the attention on the tokens kept.
    from tests.serving.conftest import _train

    run = _train(
        tmp_path,
        "--keep",
        keep,
        "--max-length",
        "5",
        "--pooling",
        pooling,
        "--epochs",
        "1",
    )
    model = load_run(run)
    assert model.vectorizer.keep == keep
    result = CliRunner().invoke(
        cli, ["export", str(run), "--out", str(tmp_path / "export")]
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert read_metadata(summary["path"])["xla"]["path"] == (
        "pooled-loops" if path == "pooled" else "network"
    )
    attention = pooling == "attention"
    expected = predict_texts(model, TEXTS, attention=attention)
    for batch in (1, len(TEXTS)):
        got = _fresh_predict(summary["path"], batch)
        for row, result in enumerate(expected):
            want = [result["probabilities"][n] for n in summary["class_names"]]
            np.testing.assert_allclose(
                got["probabilities"][row], want, atol=1e-5
            )
            if attention:
                words = [w for w, _ in result["attention"]]
                assert got["tokens"][row][: len(words)] == words
    if attention:
        # 11 tokens, 5 kept: the first 5 // 4 = 1 and the last 4.
        kept = [w for w, _ in expected[1]["attention"]]
        assert kept == ["the", "from", "start", "to", "finish"]
