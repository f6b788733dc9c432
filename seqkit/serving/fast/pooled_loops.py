"""The export's fast network: recurrent loops that pool as they go.

A text classifier whose backbone is one recurrent layer (either
direction or both) read by max and/or mean pooling does not need the
layer's output sequence: each direction's loop can keep, per row, the
running maximum, sum and count of its outputs, and the pooled vector is
ready when the loop ends. The export runs such a model this way, each
direction compiled by XLA on its own, so that TensorFlow runs the two
directions side by side on two cores, and each step computes only what
the model's own cell computes (its `call`, or `step_from_projection` of
a folded table's rows: the textbook equations of `ElmanCell`, `LSTMCell`
and `GRUCell`). Nothing is written per step, no sequence is reversed,
stored, concatenated or pooled afterwards.

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

Measured on a 2-core CPU (docs/benchmarks.md): the default sentiment
model's network for 64 test texts 7.0-7.5 ms as the Keras graph, 3.8 ms
this way, and 2.95 ms with each step's input projection read from a
folded table (`FoldedTables`).
"""

from seqkit.models.backbone import RecurrentBackbone, parse_pooling

# A step's input projection `x W + b` depends on the word alone, so each
# direction can compute it once for every word of the vocabulary and its
# steps gather rows of that table instead of computing a product. The
# export keeps the table out of the SavedModel (the default model's
# would add 42 MB a direction): the graph fills it from the weights on
# its first call (`seqkit serve` makes that call when it loads). A table
# larger than this (vocabulary x gates x units, float32) is not made;
# that direction computes `x W + b` in its steps.
FOLD_LIMIT_BYTES = 64 * 2**20

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
    embedding = backbone.get_layer("embedding")
    if not embedding.mask_zero:
        reasons.append("the embedding has no mask (mask_zero=False)")
    for layer in _direction_layers(backbone):
        if layer.compute_dtype != "float32":
            reasons.append(f"{layer.name} computes in {layer.compute_dtype}")
        if layer.stateful:
            reasons.append(f"{layer.name} is stateful")
    return reasons


def reasons(model):
    """Why a model's export cannot run as pooled loops ([] if it can).

    Every member of an ensemble must be eligible; reasons name the member.
    """
    from seqkit.serving.fast.xla import text_members

    members = text_members(model)
    if members is None:
        return [f"{type(model).__name__} is not a text classifier"]
    found = []
    for index, member in enumerate(members):
        prefix = f"member {index + 1}: " if len(members) > 1 else ""
        found += [prefix + reason for reason in member_reasons(member)]
    return found


def _direction_layers(backbone):
    rnn = backbone.get_layer("rnn").rnn_layers[0]
    if hasattr(rnn, "backward_layer"):
        return [rnn.forward_layer, rnn.backward_layer]
    return [rnn]


def _embed_fn(backbone):
    """`ids [rows] -> vectors [rows, features]`: the backbone's input."""
    from keras import ops

    tables = [backbone.get_layer("embedding").embeddings]
    if backbone.static_channel:
        tables.append(backbone.get_layer("static_embedding").embeddings)
    activation = None
    if backbone.embedding_activation:
        activation = backbone.get_layer("embedding_activation")

    def embed(ids):
        vectors = [ops.take(table, ids, axis=0) for table in tables]
        hidden = (
            vectors[0] if len(vectors) == 1 else ops.concatenate(vectors, -1)
        )
        if activation is not None:
            hidden = activation(hidden)
        return hidden

    return embed


def folded_bytes(layer, vocabulary):
    """Bytes of a direction's folded input table (see `FOLD_LIMIT_BYTES`)."""
    return int(vocabulary) * int(layer.cell.kernel.shape[-1]) * 4


def _folds(layer, vocabulary):
    """Whether a direction's table is small enough to be made."""
    return folded_bytes(layer, vocabulary) <= FOLD_LIMIT_BYTES


def out_of_line(fn):
    """`fn` as a function the graph calls rather than inlines.

    For the branch of a condition that a call seldom takes: TensorFlow
    lowers a condition to switches, and every node of the branch not
    taken still passes a dead signal on each call. Out of line, that
    branch is one node.
    """
    import tensorflow as tf

    return tf.function(fn, experimental_attributes={"_noinline": True})


class FoldedTables:
    """The folded input tables of a network, filled together on first use.

    Each table is `x W + b` of every word's vector for one direction (the
    projection its cell computes in its steps). The variables are saved
    empty; `values()` returns the tables, filling the variables from the
    weights on the first call, which it tells by the first table's row
    count (all are filled together).

    Attributes:
        module: a `tf.Module` with `tables` (the table variables); a
            SavedModel that serves the network must track it.
    """

    def __init__(self):
        import tensorflow as tf

        self.module = tf.Module(name="folded_inputs")
        self.module.tables = []
        self._computes, self._shapes = [], []

    def add(self, layer, embed, vocabulary):
        """Adds a direction's table; returns its index in `values()`."""
        import tensorflow as tf

        cell = layer.cell
        width = int(cell.kernel.shape[-1])
        self.module.tables.append(
            tf.Variable(
                tf.zeros((0, width)),
                shape=tf.TensorShape([None, width]),
                trainable=False,
                name=f"{layer.name}_folded_inputs",
            )
        )
        self._computes.append(
            lambda: cell.input_projection(embed(tf.range(vocabulary)))
        )
        self._shapes.append([vocabulary, width])
        return len(self._computes) - 1

    def values(self):
        """The tables as tensors (filled on the first call)."""
        import tensorflow as tf

        variables = list(self.module.tables)
        current = [tf.identity(variable) for variable in variables]

        def fill():
            tables = [compute() for compute in self._computes]
            writes = [v.assign(t) for v, t in zip(variables, tables)]
            with tf.control_dependencies(writes):
                return [tf.identity(table) for table in tables]

        filled = tf.shape(current[0])[0] > 0
        tables = tf.cond(filled, lambda: current, out_of_line(fill))
        for table, shape in zip(tables, self._shapes):
            table.set_shape(shape)
        return tables


def _pooled_direction(layer, embed, parts, readout=None):
    """One direction's loop, compiled: `ids [rows, steps] -> {part: pooled}`.

    With `readout`, the loop returns `readout({part: pooled})` instead.

    Called as `loop(ids, table)` with a `FoldedTables` value, each step
    gathers its inputs' projections from the table; as `loop(ids)` it
    embeds the ids and the cell projects them.
    """
    import numpy as np
    import tensorflow as tf

    cell = layer.cell
    sizes = cell.state_size
    sizes = list(sizes) if isinstance(sizes, (list, tuple)) else [sizes]
    reverse = bool(layer.go_backwards)
    lowest = float(np.finfo(np.float32).min)

    def cell_step(ids_now, states, table):
        if table is None:
            return cell.call(embed(ids_now), states, training=False)
        inputs = tf.gather(table, ids_now)
        return cell.step_from_projection(inputs, states)

    def single(ids, table):
        # One row (a lone text, the commonest call of a server): its real
        # ids in the order this direction reads them, so that no step
        # needs a mask: 2.3 instead of 2.75 microseconds a step for the
        # default model's LSTM on a 2-core CPU.
        row = tf.boolean_mask(ids[0], tf.not_equal(ids[0], 0))
        if reverse:
            row = tf.reverse(row, [0])
        count = tf.shape(row)[0]
        states = [tf.zeros((1, size)) for size in sizes]
        highest = tf.fill((1, cell.units), lowest)
        total = tf.zeros((1, cell.units))

        def body(index, states, highest, total):
            ids_now = tf.gather(row, index)[None]
            output, new = cell_step(ids_now, states, table)
            new = list(new) if isinstance(new, (list, tuple)) else [new]
            if "max" in parts:
                highest = tf.maximum(highest, output)
            if "mean" in parts:
                total = total + output
            return index + 1, new, highest, total

        _, _, highest, total = tf.while_loop(
            lambda index, *_: index < count,
            body,
            (0, states, highest, total),
        )
        real = tf.cast(count, total.dtype)
        return {
            "max": tf.where(real > 0, highest, 0.0),
            "mean": total / tf.maximum(real, 1.0),
        }

    def pooled(ids, table=None):
        if ids.shape[0] == 1:
            result = single(ids, table)
        else:
            result = general(ids, table)
        return result if readout is None else readout(result)

    def general(ids, table):
        rows, steps = tf.shape(ids)[0], tf.shape(ids)[1]
        real = tf.not_equal(ids, 0)
        # One past the batch's last real step: later steps are padding in
        # every row and would leave every state and pool unchanged.
        end = tf.maximum(
            tf.reduce_max(tf.where(real, tf.range(1, steps + 1)[None, :], 0)),
            0,
        )
        by_step = tf.transpose(ids)
        states = [tf.zeros((rows, size)) for size in sizes]
        highest = tf.fill((rows, cell.units), lowest)
        total = tf.zeros((rows, cell.units))
        count = tf.zeros((rows, 1))

        def body(index, states, highest, total, count):
            step = end - 1 - index if reverse else index
            # A gather, not `by_step[step]`: XLA wants a slice's start at
            # compile time, and the backward start depends on the ids'
            # values, so each new text would compile anew.
            ids_now = tf.gather(by_step, step)
            output, new = cell_step(ids_now, states, table)
            new = list(new) if isinstance(new, (list, tuple)) else [new]
            keep = tf.not_equal(ids_now, 0)[:, None]
            states = [tf.where(keep, n, s) for n, s in zip(new, states)]
            if "max" in parts:
                highest = tf.where(keep, tf.maximum(highest, output), highest)
            if "mean" in parts:
                total = total + tf.where(keep, output, 0.0)
            count = count + tf.cast(keep, count.dtype)
            return index + 1, states, highest, total, count

        _, _, highest, total, count = tf.while_loop(
            lambda index, *_: index < end,
            body,
            (0, states, highest, total, count),
        )
        return {
            "max": tf.where(count > 0, highest, 0.0),
            "mean": total / tf.maximum(count, 1.0),
        }

    return tf.function(pooled, jit_compile=True, autograph=False)


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
    most `FOLD_LIMIT_BYTES` adds its table there, and `network` reads it
    from `values`, the list `tables.values()` returns; without, every
    direction embeds and projects in its steps.

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
    embed = _embed_fn(backbone)
    vocabulary = backbone.get_layer("embedding").input_dim
    layers = _direction_layers(backbone)
    dense, rest = _first_dense(member)
    loops = []
    for direction, layer in enumerate(layers):
        index = None
        if tables is not None and _folds(layer, vocabulary):
            index = tables.add(layer, embed, vocabulary)
        readout = None
        if dense is not None:
            readout = _readout(
                dense, parts, direction, len(layers), layer.cell.units
            )
        loops.append((_pooled_direction(layer, embed, parts, readout), index))

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
    from seqkit.serving.fast.xla import text_members

    total = 0
    for member in text_members(model) or []:
        backbone = member.backbone
        vocabulary = backbone.get_layer("embedding").input_dim
        for layer in _direction_layers(backbone):
            if _folds(layer, vocabulary):
                total += folded_bytes(layer, vocabulary)
    return total


def pooled_network(model, fold=True):
    """`ids -> probabilities` of a text model as pooled loops, or None.

    None where `reasons(model)` names a rule the model breaks. The
    function passes a single row to the loops as one row (their unmasked
    path), pads other ids' rows and steps to the shapes XLA compiles for
    (see the module docstring) and returns one row per input row; an
    ensemble averages its members' probabilities. With `fold`, directions
    read their inputs from folded tables (`FOLD_LIMIT_BYTES`), whose
    variables are the function's `folded_inputs` attribute
    (`FoldedTables.module`, None without `fold`): a SavedModel that
    serves the function must track it.
    """
    import tensorflow as tf
    from keras import ops

    from seqkit.serving.fast.xla import text_members

    if reasons(model):
        return None
    # No `FoldedTables` (and no variable) when no table would be made.
    tables = FoldedTables() if fold and folded_input_bytes(model) else None
    members = [member_network(m, tables) for m in text_members(model)]
    max_length = model.vectorizer.max_length
    largest = ROW_BUCKETS[-1]
    # rows -> the rows they are padded to (rows <= largest).
    row_targets = [1] + [
        min(b for b in ROW_BUCKETS if b >= rows)
        for rows in range(1, largest + 1)
    ]

    def network(ids, values):
        results = [member(ids, values) for member in members]
        if len(results) == 1:
            return results[0]
        return ops.mean(ops.stack(results), axis=0)

    def padded_steps(ids):
        if max_length is None:
            from seqkit.serving.fast.xla import bucketed

            return bucketed(ids)
        if ids.shape[1] == max_length:  # (the export's `VocabularyIds`)
            return ids
        missing = max_length - tf.shape(ids)[1]
        return tf.pad(ids, [[0, 0], [0, missing]])

    def bucketed(ids, rows, values):
        target = tf.gather(tf.constant(row_targets, tf.int32), rows)
        padded = tf.pad(ids, [[0, target - rows], [0, 0]])
        return network(padded, values)[:rows]

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

    chunked = out_of_line(chunked)

    def single(ids, values):
        # One row, known when traced: the loops' one-row path (no masks).
        return network(tf.reshape(ids, [1, -1]), values)

    def batch(ids, rows, values):
        return tf.cond(
            rows <= largest,
            lambda: bucketed(ids, rows, values),
            lambda: chunked(ids, rows, values),
        )

    batch = out_of_line(batch)

    def run(ids):
        ids = padded_steps(ids)
        rows = tf.shape(ids)[0]
        values = tables.values() if tables is not None else []
        return tf.cond(
            tf.equal(rows, 1),
            lambda: single(ids, values),
            lambda: batch(ids, rows, values),
        )

    run.folded_inputs = tables.module if tables is not None else None
    return run
