"""The export's pooled loops against the Keras graph they stand in for."""

import numpy as np
import pytest
import tensorflow as tf

from seqkit.models.backbone import RecurrentBackbone
from seqkit.models.classifier import EnsembleClassifier, TextClassifier
from seqkit.preprocessing import TextVectorizer
from seqkit.serving.fast import folding, pooled_loops

WORDS = ["good", "bad", "film", "plot", "fine", "dull", "long", "warm"]
VOCABULARY = len(WORDS) + 2  # padding and the unknown word
# A frozen second channel of word vectors, then a tanh over both.
STATIC_TANH = {"static_channel": True, "embedding_activation": "tanh"}


def _classifier(max_length=12, seed=1, **settings):
    settings = {
        "vocabulary_size": VOCABULARY,
        "embedding_dim": 5,
        "units": 4,
        "pooling": "max+mean",
        "seed": seed,
        **settings,
    }
    classifier = TextClassifier(
        RecurrentBackbone(**settings),
        TextVectorizer(WORDS, max_length=max_length),
        ["neg", "pos", "mixed"],
        hidden_units=[6],
        seed=seed,
    )
    # Vectors of unit scale, so that the states (and the pooled vectors)
    # move well away from zero and any misread step shows.
    rng = np.random.default_rng(seed)
    for layer in ("embedding", "static_embedding"):
        try:
            table = classifier.backbone.get_layer(layer).embeddings
        except ValueError:
            continue
        table.assign(rng.normal(size=table.shape).astype("float32"))
    return classifier


def _reference(classifier, ids):
    """The Keras graph: the backbone's pooled vector through the head."""
    pooled = classifier.backbone(ids, training=False)["pooled"]
    for layer in classifier.head_layers:
        pooled = layer(pooled, training=False)
    return pooled.numpy()


def _ids(rows, steps, seed=0):
    """Right-padded ids of random lengths, with an empty row and a hole."""
    rng = np.random.default_rng(seed)
    lengths = rng.integers(1, steps + 1, rows)
    if rows:
        lengths[rows // 2] = 0
    ids = rng.integers(1, VOCABULARY, (rows, steps))
    ids = np.where(np.arange(steps)[None, :] < lengths[:, None], ids, 0)
    if rows > 1 and steps > 2:
        ids[0, :3] = [4, 0, 7]  # padding inside a row is skipped too
    return tf.constant(ids, tf.int32)


def _assert_same(classifier, ids, fold=True):
    network = pooled_loops.pooled_network(classifier, fold=fold)
    assert network is not None
    got = network(ids).numpy()
    assert got.shape == (ids.shape[0], 3)
    if ids.shape[0]:  # (Keras's max pooling cannot reduce zero rows.)
        expected = _reference(classifier, ids)
        np.testing.assert_allclose(got, expected, atol=1e-5)
        # A row alone runs the one-row loop (its real ids only, no mask).
        alone = [network(ids[i : i + 1]).numpy() for i in range(ids.shape[0])]
        np.testing.assert_allclose(np.concatenate(alone), expected, atol=1e-5)


@pytest.mark.parametrize("fold", [True, False], ids=["folded", "unfolded"])
@pytest.mark.parametrize("cell", ["elman", "lstm", "gru"])
@pytest.mark.parametrize("bidirectional", [True, False])
def test_every_cell_and_direction_matches_the_keras_graph(
    cell, bidirectional, fold
):
    # Folded: each step gathers its inputs' `x W + b` from a table of every
    # word's; unfolded: each step embeds and projects.
    classifier = _classifier(cell=cell, bidirectional=bidirectional)
    _assert_same(classifier, _ids(5, 9), fold=fold)


@pytest.mark.parametrize(
    "settings",
    [{"cell": cell} for cell in ("elman", "lstm", "gru")] + [STATIC_TANH],
    ids=["elman", "lstm", "gru", "static-channel-tanh"],
)
def test_folded_tables_hold_each_words_projection(settings):
    classifier = _classifier(seed=9, **settings)
    network = pooled_loops.pooled_network(classifier)
    network(_ids(2, 4))  # the first call fills the tables
    backbone = classifier.backbone
    vectors = backbone.get_layer("embedding").embeddings.numpy()
    if settings.get("static_channel"):
        static = backbone.get_layer("static_embedding").embeddings.numpy()
        vectors = np.tanh(np.concatenate([vectors, static], axis=-1))
    expected = []
    for layer in backbone.recurrent_directions():
        kernel, bias = layer.cell.kernel.numpy(), layer.cell.bias.numpy()
        # A GRU's (2, 3 units) bias is added in its step, not in the table.
        expected.append(vectors @ kernel + (bias if bias.ndim == 1 else 0))
    tables = [v.numpy() for v in network.folded_inputs.tables]
    assert len(tables) == len(expected) == 2
    for got, want in zip(tables, expected):
        np.testing.assert_allclose(got, want, atol=1e-5)


def test_tables_over_the_size_limit_are_not_made(monkeypatch):
    classifier = _classifier(seed=8)
    layer = classifier.backbone.recurrent_directions()[0]
    size = folding.folded_bytes(layer, VOCABULARY)
    assert size == VOCABULARY * (4 * 4) * 4  # words x LSTM gates x float32
    assert pooled_loops.folded_input_bytes(classifier) == 2 * size
    monkeypatch.setattr(folding, "FOLD_LIMIT_BYTES", size - 1)
    assert pooled_loops.folded_input_bytes(classifier) == 0
    network = pooled_loops.pooled_network(classifier)
    assert network.folded_inputs is None  # no table to track
    _assert_same(classifier, _ids(4, 6, seed=8))


@pytest.mark.parametrize(
    "settings",
    [
        {"pooling": "max"},
        {"pooling": "mean"},
        {"pooling": "mean+max"},
        STATIC_TANH,
    ],
    ids=["max", "mean", "mean+max", "static-channel-tanh"],
)
def test_poolings_and_embedding_variants_match(settings):
    _assert_same(_classifier(**settings), _ids(5, 9, seed=2))


@pytest.mark.parametrize("rows", [0, 1, 3, 16, 17, 70])
def test_any_row_count_gets_one_answer_per_row(rows):
    # Rows are padded to a power of two up to 64; more run in chunks.
    classifier = _classifier(seed=3)
    _assert_same(classifier, _ids(rows, 7, seed=rows))


def test_a_model_without_max_length_pads_steps_to_a_bucket():
    classifier = _classifier(max_length=None, seed=4)
    _assert_same(classifier, _ids(4, 11, seed=4))


def test_padding_steps_and_rows_change_no_answer():
    # A row's answer does not depend on its batch: the same row alone,
    # among others, or with extra padding steps gives the same numbers.
    classifier = _classifier(seed=5)
    network = pooled_loops.pooled_network(classifier)
    ids = _ids(6, 8, seed=5)
    together = network(ids).numpy()
    wider = network(tf.pad(ids, [[0, 0], [0, 3]])).numpy()
    alone = np.concatenate([network(ids[i : i + 1]).numpy() for i in range(6)])
    np.testing.assert_allclose(wider, together, atol=1e-6)
    np.testing.assert_allclose(alone, together, atol=1e-6)


def test_an_ensemble_averages_its_members():
    members = [_classifier(seed=6), _classifier(seed=7, cell="gru")]
    ensemble = EnsembleClassifier(members)
    ids = _ids(5, 9, seed=6)
    expected = np.mean([_reference(m, ids) for m in members], axis=0)
    got = pooled_loops.pooled_network(ensemble)(ids).numpy()
    np.testing.assert_allclose(got, expected, atol=1e-5)


@pytest.mark.parametrize(
    ("settings", "reason"),
    [
        ({"pooling": "attention"}, "pooling 'attention'"),
        ({"pooling": "last"}, "pooling 'last'"),
        ({"num_layers": 2}, "num_layers=2"),
        ({"skip_connections": True}, "skip_connections=True"),
    ],
)
def test_other_models_are_refused_with_the_rule_they_break(settings, reason):
    classifier = _classifier(**settings)
    assert any(reason in r for r in pooled_loops.reasons(classifier))
    assert pooled_loops.pooled_network(classifier) is None
    ensemble = EnsembleClassifier([_classifier(), classifier])
    assert pooled_loops.reasons(ensemble) == [
        f"member 2: {r}" for r in pooled_loops.reasons(classifier)
    ]


COMPILE_SIX_BATCHES = """
import tensorflow as tf
from seqkit.serving.fast import pooled_loops
from tests.serving.test_pooled_loops import _classifier, _ids

network = tf.function(
    pooled_loops.pooled_network(_classifier()),
    autograph=False,
    input_signature=[tf.TensorSpec([None, None], tf.int32)],  # as exported
)
for seed in range(6):
    network(_ids(3, 9, seed=seed))
    network(_ids(3, 9, seed=seed)[2:])  # one row: its own loop
"""


def test_new_ids_of_a_compiled_shape_compile_nothing(tmp_path):
    # XLA compiles per shape; an op whose compile-time operand came from
    # the ids' values (a slice start did, in the backward loop) would make
    # every new text compile again (about 0.2 s each). XLA's dump holds
    # one module per compilation: six batches of one shape and six single
    # rows give the two directions' two each. Traced with rows unknown (as
    # the export traces it), a single row reaches the loops as one row,
    # so that they take their one-row path.
    import os
    import re
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    dump = tmp_path / "xla"
    env = {
        **os.environ,
        "XLA_FLAGS": f"--xla_dump_to={dump}",
        "PYTHONPATH": str(root),
        "TF_CPP_MIN_LOG_LEVEL": "3",
    }
    subprocess.run(
        [sys.executable, "-c", COMPILE_SIX_BATCHES],
        env=env,
        cwd=root,
        check=True,
        capture_output=True,
    )
    modules = sorted(dump.glob("*.before_optimizations.txt"))
    assert len(modules) == 4, [m.name for m in modules]
    # Each module's rows (3 pad to 4) and its selects (the masked steps').
    found = sorted(
        (
            int(re.search(r"ENTRY [^\n]*?s32\[(\d+),", text).group(1)),
            text.count(" select("),
        )
        for text in (m.read_text() for m in modules)
    )
    assert [rows for rows, _ in found] == [1, 1, 4, 4]
    # The one-row loops select only when pooling an empty row.
    assert max(s for _, s in found[:2]) < min(s for _, s in found[2:])


def test_branches_a_call_seldom_takes_are_one_node():
    # Filling the folded tables (the first call) and running batches (more
    # than one row; chunks beyond 64 rows, out of line again) are
    # functions called out of line: a lowered condition passes a dead
    # signal through every node of the branch it skips, on every call.
    network = pooled_loops.pooled_network(_classifier(seed=3))
    concrete = tf.function(network).get_concrete_function(
        tf.TensorSpec([None, None], tf.int32)
    )
    graph = concrete.graph.as_graph_def()
    functions = {f.signature.name: f for f in graph.library.function}
    branches = [
        functions[node.attr["else_branch"].func.name]
        for node in graph.node
        if node.op == "If"
    ]
    assert len(branches) == 2  # tables filled or not; one row or more
    for branch in branches:
        calls = [
            n for n in branch.node_def if n.op == "StatefulPartitionedCall"
        ]
        assert len(calls) == 1 and len(branch.node_def) <= 4
        callee = functions[calls[0].attr["f"].func.name]
        assert callee.attr["_noinline"].b
