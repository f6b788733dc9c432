"""An embedding that starts from a pretrained matrix, with embedding dropout."""

import keras
import numpy as np
from keras import ops

from seqkit.registry import register


def _check_positive_int(name, value):
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise ValueError(
            f"`{name}` must be a positive integer; received {name}={value!r}"
        )


@register(
    example={
        "init": {"input_dim": 10, "output_dim": 3, "embedding_dropout": 0.2},
        "input_shape": (2, 5),
        "input_dtype": "int32",
    }
)
class PretrainedEmbedding(keras.layers.Layer):
    """Maps word ids to vectors, starting from a pretrained matrix if given.

    The weight is `embeddings`, of shape `[input_dim, output_dim]` as in
    `keras.layers.Embedding`, so the two layers exchange weights unchanged
    (when `embedding_dropout` is 0; otherwise the dropout seed's state is a
    second, non-trainable weight). With `matrix` (for example GloVe vectors
    in vocabulary order) the weights start from it; otherwise from
    `embeddings_initializer`.

    `matrix` is not part of the config: `get_config` always says
    `matrix=None`, so `from_config` rebuilds the layer with
    `embeddings_initializer`, and the trained weights come from the saved
    `.keras` file (or `set_weights`). The layer also lets go of the matrix
    once it has copied it into its weights.

    Embedding dropout (Merity et al., 2018, "Regularizing and Optimizing
    LSTM Language Models") drops whole word types: in training, each row of
    the matrix is zeroed with probability `embedding_dropout`, so a dropped
    word is zero wherever it occurs in the batch, and kept rows are scaled
    by `1 / (1 - embedding_dropout)`. At inference the layer is a plain
    lookup.

    Masks: with `mask_zero=True` id 0 is padding and the output carries the
    mask `ids != 0` for the layers downstream; the vector of id 0 is still
    looked up (and is ignored by mask-aware layers).

    Args:
        input_dim: positive int, size of the vocabulary (largest id + 1).
        output_dim: positive int, size of a vector.
        matrix: None, or a NumPy array of shape `[input_dim, output_dim]`
            holding the initial vectors.
        trainable: whether the vectors are updated in training; False
            freezes them (the usual choice for small data sets).
        mask_zero: whether id 0 is padding and the output carries a mask.
        embedding_dropout: float in [0, 1), the probability of dropping a
            word type in training.
        seed: int, seed of the embedding dropout.
        embeddings_initializer: initializer of the vectors when `matrix` is
            None (also what `from_config` uses).
        embeddings_regularizer: regularizer of the vectors.
        embeddings_constraint: constraint on the vectors.
        **kwargs: base `keras.layers.Layer` arguments (`name`, `dtype`...).

    Returns:
        A tensor of shape `[*ids.shape, output_dim]`.

    Raises:
        ValueError: if `input_dim` or `output_dim` is not a positive
            integer, `embedding_dropout` is outside [0, 1), or `matrix` does
            not have the shape `[input_dim, output_dim]`.

    Example:

    ```python
    import keras
    import numpy as np

    import seqkit.layers

    vectors = np.random.normal(size=(1000, 50)).astype("float32")
    x = keras.Input((None,), dtype="int32")
    h = seqkit.layers.PretrainedEmbedding(
        1000, 50, matrix=vectors, trainable=False, embedding_dropout=0.1
    )(x)
    h = seqkit.layers.LSTM(64)(h)
    ```
    """

    def __init__(
        self,
        input_dim,
        output_dim,
        matrix=None,
        trainable=True,
        mask_zero=True,
        embedding_dropout=0.0,
        seed=None,
        embeddings_initializer="uniform",
        embeddings_regularizer=None,
        embeddings_constraint=None,
        **kwargs,
    ):
        super().__init__(trainable=trainable, **kwargs)
        _check_positive_int("input_dim", input_dim)
        _check_positive_int("output_dim", output_dim)
        if not 0.0 <= embedding_dropout < 1.0:
            raise ValueError(
                "`embedding_dropout` must be in [0, 1); received "
                f"embedding_dropout={embedding_dropout!r}"
            )
        if matrix is not None:
            matrix = np.asarray(matrix)
            if matrix.shape != (input_dim, output_dim):
                raise ValueError(
                    f"`matrix` has shape {matrix.shape}, but the layer needs "
                    f"(input_dim, output_dim) = {(input_dim, output_dim)}"
                )
        self.input_dim = input_dim
        self.output_dim = output_dim
        self.matrix = matrix
        self.mask_zero = mask_zero
        self.embedding_dropout = float(embedding_dropout)
        self.seed = seed
        self.embeddings_initializer = keras.initializers.get(
            embeddings_initializer
        )
        self.embeddings_regularizer = keras.regularizers.get(
            embeddings_regularizer
        )
        self.embeddings_constraint = keras.constraints.get(
            embeddings_constraint
        )
        self.seed_generator = None
        if self.embedding_dropout > 0:
            self.seed_generator = keras.random.SeedGenerator(seed=seed)
        self.supports_masking = mask_zero
        # Ids must stay integers, and the vectors keep their own dtype until
        # the final cast (as in `keras.layers.Embedding`).
        self.autocast = False

    def build(self, input_shape=None):
        self.embeddings = self.add_weight(
            shape=(self.input_dim, self.output_dim),
            name="embeddings",
            initializer=self.embeddings_initializer,
            regularizer=self.embeddings_regularizer,
            constraint=self.embeddings_constraint,
        )
        if self.matrix is not None:
            self.embeddings.assign(ops.cast(self.matrix, self.embeddings.dtype))
            # A pretrained matrix can be large; the weights now hold it.
            self.matrix = None

    def call(self, inputs, training=None):
        ids = inputs
        if keras.backend.standardize_dtype(ids.dtype) not in ("int32", "int64"):
            ids = ops.cast(ids, "int32")
        vectors = ops.take(self.embeddings, ids, axis=0)
        if training and self.embedding_dropout > 0:
            # One keep/drop draw per word type, looked up like the vectors,
            # so a dropped word is zero at every position in the batch.
            keep = keras.random.dropout(
                ops.ones((self.input_dim,), dtype=vectors.dtype),
                rate=self.embedding_dropout,
                seed=self.seed_generator,
            )
            vectors = vectors * ops.take(keep, ids, axis=0)[..., None]
        return ops.cast(vectors, self.compute_dtype)

    def compute_mask(self, inputs, mask=None):
        if not self.mask_zero:
            return None
        return ops.not_equal(inputs, 0)

    def compute_output_shape(self, input_shape):
        return (*input_shape, self.output_dim)

    def get_config(self):
        ser = keras.saving.serialize_keras_object
        config = {
            "input_dim": self.input_dim,
            "output_dim": self.output_dim,
            # Never the array: the weights travel in the saved model.
            "matrix": None,
            "mask_zero": self.mask_zero,
            "embedding_dropout": self.embedding_dropout,
            "seed": self.seed,
            "embeddings_initializer": ser(self.embeddings_initializer),
            "embeddings_regularizer": ser(self.embeddings_regularizer),
            "embeddings_constraint": ser(self.embeddings_constraint),
        }
        return {**super().get_config(), **config}
