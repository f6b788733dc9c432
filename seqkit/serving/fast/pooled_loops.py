"""The export's fast network: recurrent loops that pool as they go.

A text classifier whose backbone is one recurrent layer (either
direction or both) read by max and/or mean pooling does not need the
layer's output sequence: each direction's loop can keep, per row, the
running maximum, sum and count of its outputs, and the pooled vector is
ready when the loop ends. The export runs such a model this way, each
direction compiled by XLA on its own (`direction.pooled_direction`), so
that TensorFlow runs the two directions side by side on two cores, and
each step computes only what the model's own cell computes (its `call`,
or `step_from_projection` of a folded table's rows: the textbook
equations of `ElmanCell`, `LSTMCell` and `GRUCell`). Nothing is written
per step, no sequence is reversed, stored, concatenated or pooled
afterwards.

Semantics are those of the Keras graph, checked by the tests to 1e-5:
id 0 is padding; a padding step leaves the state alone and is not
pooled (wherever it sits); the backward direction reads the steps from
the last to the first; a row with no token pools to zeros.

XLA compiles once per input shape, so the rows are padded to one of
`ROW_BUCKETS` (larger batches run in chunks of the largest) and the
steps to the model's `max_length` (without one, to the first of
`XLA_LENGTHS` that fits): a model has only `len(ROW_BUCKETS)` shapes,
which `seqkit serve` compiles when it loads the export. The loop stops
at the batch's last real step, so padded steps cost nothing but their
ids; padded rows cost their share of each step's products.

Measured on a 2-core CPU in November 2026 (not stored; docs/benchmarks.md
at commit d9c42dd): the default sentiment model's network for 64 test
texts 7.0-7.5 ms as the Keras graph, 3.8 ms this way, and 2.95 ms with
each step's input projection read from a folded table
(`folding.FoldedTables`).
"""

from seqkit.models.backbone import RecurrentBackbone, parse_pooling
from seqkit.models.classifier import text_classifiers
from seqkit.serving.fast.branches import out_of_line
from seqkit.serving.fast.direction import pooled_direction
from seqkit.serving.fast.folding import FoldedTables, folded_bytes, folds
from seqkit.serving.fast.xla import bucketed

# Powers of two: a batch pads to less than twice its rows. (With 1, 4, 16
# and 64, the batching server's batches of about 32 at 32 clients ran as
# 64 rows.)
ROW_BUCKETS = (1, 2, 4, 8, 16, 32, 64)
POOLINGS = ("max", "mean")


def member_reasons(member):
    """Why one `TextClassifier` cannot run as pooled loops ([] if it can)."""
    backbone = member.backbone
    if not isinstance(backbone, RecurrentBackbone):
        return [f"backbone is a {type(backbone).__name__}"]
    reasons = []
    if backbone.num_layers != 1:
        reasons.append(f"num_layers={backbone.num_layers} (needs 1)")
    if backbone.skip_connections:
        reasons.append("skip_connections=True")
    parts = parse_pooling(backbone.pooling)
    others = [part for part in parts if part not in POOLINGS]
    if others:
        reasons.append(f"pooling {backbone.pooling!r} (needs max and/or mean)")
    for layer in backbone.recurrent_directions():
        if layer.compute_dtype != "float32":
            reasons.append(f"{layer.name} computes in {layer.compute_dtype}")
        if layer.stateful:
            reasons.append(f"{layer.name} is stateful")
    return reasons


def reasons(model):
    """Why a model's export cannot run as pooled loops ([] if it can).

    Every member of an ensemble must be eligible; reasons name the member.
    """
    members = text_classifiers(model)
    if members is None:
        return [f"{type(model).__name__} is not a text classifier"]
    found = []
    for index, member in enumerate(members):
        prefix = f"member {index + 1}: " if len(members) > 1 else ""
        found += [prefix + reason for reason in member_reasons(member)]
    return found


def _first_dense(member):
    """The head's first layer that is not a dropout, if a `Dense`, and
    the layers after it (dropouts left out: inference skips them)."""
    import keras

    head = [
        layer
        for layer in member.head_layers
        if not isinstance(layer, keras.layers.Dropout)
    ]
    if head and isinstance(head[0], keras.layers.Dense):
        return head[0], head[1:]
    return None, list(member.head_layers)


def _readout(dense, parts, direction, directions, units):
    """`pooled -> a direction's share of `dense`'s pre-activation`.

    The backbone's features are each pooling of [forward, backward], so
    the rows of `dense.kernel` that multiply one direction's pooled
    vectors are known; the forward direction adds the bias. The sum of
    the directions' shares is the layer's pre-activation.
    """
    from keras import ops

    def readout(pooled):
        total = dense.bias if direction == 0 and dense.use_bias else 0.0
        for index, part in enumerate(parts):
            start = (index * directions + direction) * units
            rows = dense.kernel[start : start + units]
            total = total + ops.matmul(pooled[part], rows)
        return total

    return readout


def member_network(member, tables=None):
    """`network(ids, values)`: one eligible member's probabilities.

    With `tables` (a `FoldedTables`), each direction whose table is at
    most `folding.FOLD_LIMIT_BYTES` adds its table there, and `network`
    reads it from `values`, the list `tables.values()` returns; without,
    every direction embeds and projects in its steps.

    When the head starts with a `Dense` layer, each direction's compiled
    loop ends with its share of that layer's product, and the network
    adds the shares: a one-text call then skips a concatenation and a
    tiny product outside XLA (single texts 1.04x faster on a 2-core CPU,
    where oneDNN's product of 1 x 512 by 512 x 2 costs more than the
    arithmetic).
    """
    import tensorflow as tf
    from keras import ops

    backbone = member.backbone
    parts = parse_pooling(backbone.pooling)
    embed = backbone.embed_tokens
    vocabulary = backbone.vocabulary_size
    layers = backbone.recurrent_directions()
    dense, rest = _first_dense(member)
    loops = []
    for direction, layer in enumerate(layers):
        index = None
        if tables is not None and folds(layer, vocabulary):
            index = tables.add(layer, embed, vocabulary)
        readout = None
        if dense is not None:
            readout = _readout(
                dense, parts, direction, len(layers), layer.cell.units
            )
        loops.append((pooled_direction(layer, embed, parts, readout), index))

    def network(ids, values=()):
        pooled = [
            loop(ids) if index is None else loop(ids, values[index])
            for loop, index in loops
        ]
        if dense is not None:
            features = dense.activation(tf.add_n(pooled))
        else:
            # As the backbone: each pooling of the sequence [forward,
            # backward].
            pieces = [found[part] for part in parts for found in pooled]
            features = (
                pieces[0] if len(pieces) == 1 else ops.concatenate(pieces, -1)
            )
        for layer in rest:
            features = layer(features, training=False)
        return features

    return network


def folded_input_bytes(model):
    """Bytes of the folded input tables `pooled_network(model)` fills."""
    total = 0
    for member in text_classifiers(model) or []:
        backbone = member.backbone
        vocabulary = backbone.vocabulary_size
        for layer in backbone.recurrent_directions():
            if folds(layer, vocabulary):
                total += folded_bytes(layer, vocabulary)
    return total


def pooled_network(model, fold=True):
    """`ids -> probabilities` of a text model as pooled loops, or None.

    None where `reasons(model)` names a rule the model breaks. The
    function passes a single row to the loops as one row (their unmasked
    path), pads other ids' rows and steps to the shapes XLA compiles for
    (see the module docstring) and returns one row per input row; an
    ensemble averages its members' probabilities. With `fold`, directions
    read their inputs from folded tables (`folding.FOLD_LIMIT_BYTES`),
    whose variables are the function's `folded_inputs` attribute
    (`FoldedTables.module`, None without `fold`): a SavedModel that
    serves the function must track it.
    """
    from keras import ops

    if reasons(model):
        return None
    # No `FoldedTables` (and no variable) when no table would be made.
    tables = FoldedTables() if fold and folded_input_bytes(model) else None
    members = [member_network(m, tables) for m in text_classifiers(model)]
    max_length = model.vectorizer.max_length

    def network(ids, values):
        results = [member(ids, values) for member in members]
        if len(results) == 1:
            return results[0]
        return ops.mean(ops.stack(results), axis=0)

    any_rows = _any_rows(network)

    def run(ids):
        ids = _padded_steps(ids, max_length)
        values = tables.values() if tables is not None else []
        return any_rows(ids, values)

    run.folded_inputs = tables.module if tables is not None else None
    return run


def _padded_steps(ids, max_length):
    """`ids` with steps padded to `max_length` (or to an XLA length)."""
    import tensorflow as tf

    if max_length is None:
        return bucketed(ids)
    if ids.shape[1] == max_length:  # (the export's `VocabularyIds`)
        return ids
    missing = max_length - tf.shape(ids)[1]
    return tf.pad(ids, [[0, 0], [0, missing]])


def _any_rows(network):
    """`(ids, values) -> one answer per row` of `network` for any rows.

    One row runs as one row (the loops' one-row path); up to the largest
    of `ROW_BUCKETS` rows are padded to a bucket; more run in chunks of
    the largest. Batches and chunks are branches called out of line.
    """
    import tensorflow as tf

    largest = ROW_BUCKETS[-1]
    # rows -> the rows they are padded to (rows <= largest).
    row_targets = [1] + [
        min(b for b in ROW_BUCKETS if b >= rows)
        for rows in range(1, largest + 1)
    ]

    def in_bucket(ids, rows, values):
        target = tf.gather(tf.constant(row_targets, tf.int32), rows)
        padded = tf.pad(ids, [[0, target - rows], [0, 0]])
        return network(padded, values)[:rows]

    @out_of_line
    def chunked(ids, rows, values):
        chunks = (rows + largest - 1) // largest
        padded = tf.pad(ids, [[0, chunks * largest - rows], [0, 0]])
        padded = tf.reshape(padded, [chunks, largest, -1])
        answers = tf.map_fn(
            lambda chunk: network(chunk, values),
            padded,
            fn_output_signature=tf.float32,
        )
        return tf.reshape(answers, [chunks * largest, -1])[:rows]

    def single(ids, values):
        # One row, known when traced: the loops' one-row path (no masks).
        return network(tf.reshape(ids, [1, -1]), values)

    @out_of_line
    def batch(ids, rows, values):
        return tf.cond(
            rows <= largest,
            lambda: in_bucket(ids, rows, values),
            lambda: chunked(ids, rows, values),
        )

    def answer(ids, values):
        rows = tf.shape(ids)[0]
        return tf.cond(
            tf.equal(rows, 1),
            lambda: single(ids, values),
            lambda: batch(ids, rows, values),
        )

    return answer
