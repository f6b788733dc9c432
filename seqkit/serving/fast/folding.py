"""The pooled loops' folded input tables: `x W + b` of every word.

A step's input projection `x W + b` depends on the word alone, so each
direction can compute it once for every word of the vocabulary and its
steps gather rows of that table instead of computing a product. The
export keeps the table out of the SavedModel (the default model's would
add 42 MB a direction): the graph fills it from the weights on its first
call (`seqkit serve` makes that call when it loads).
"""

from seqkit.serving.fast.branches import out_of_line

# A table larger than this (vocabulary x gates x units, float32) is not
# made; that direction computes `x W + b` in its steps.
FOLD_LIMIT_BYTES = 64 * 2**20


def folded_bytes(layer, vocabulary):
    """Bytes of a direction's folded input table (see `FOLD_LIMIT_BYTES`)."""
    return int(vocabulary) * int(layer.cell.kernel.shape[-1]) * 4


def folds(layer, vocabulary):
    """Whether a direction's table is small enough to be made."""
    return folded_bytes(layer, vocabulary) <= FOLD_LIMIT_BYTES


class FoldedTables:
    """The folded input tables of a network, filled together on first use.

    Each table is `x W + b` of every word's vector for one direction (the
    cell's `input_projection`, which its steps would compute). The
    variables are saved empty; `values()` returns the tables, filling the
    variables from the weights on the first call, which it tells by the
    first table's row count (all are filled together).

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
        """Adds a direction's table; returns its index in `values()`.

        Args:
            layer: the direction's recurrent layer.
            embed: `ids -> features`, what the layer reads for each id
                (`RecurrentBackbone.embed_tokens`).
            vocabulary: the number of ids.
        """
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
