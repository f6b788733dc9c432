"""A recurrent language model with explicit states (for truncated BPTT)."""

import keras
from keras import ops

from seqkit.layers.embedding import PretrainedEmbedding
from seqkit.layers.rnn.stack import CELLS
from seqkit.layers.seeds import layer_seed, seeded_dropout
from seqkit.registry import register

DIRECTIONS = ("forward", "backward")
# The end-of-sentence token: the first word of a language model's
# vocabulary (id 2, after padding and unknown).
EOS_TOKEN = "[EOS]"
EOS_ID = 2


@register(
    example={
        "init": {
            "vectorizer": {
                "class_name": "seqkit>TextVectorizer",
                "config": {"vocabulary": ["[EOS]", "good", "bad", "film"]},
            },
            "embedding_dim": 4,
            "units": 3,
            "directions": "both",
        },
        "input_shape": (2, 5),
        "input_dtype": "int32",
        "input_range": (0, 6),
    }
)
class LanguageModel(keras.Model):
    """A word-level LSTM/GRU/Elman language model, one or two directions.

    Embedding -> `num_layers` recurrent layers -> a softmax over the
    vocabulary at every step. With `directions="both"` it holds two stacks
    that share the embedding and the output layer (as ELMo does): the
    forward stack predicts the next word, the backward stack reads the text
    reversed and predicts the previous word. The two stacks are exactly the
    two halves of a bidirectional classifier's first recurrent layers,
    which `seqkit.models.lm.transfer` initialises from them.

    With `tie_weights`, the output layer is the transposed embedding
    (Press & Wolf 2017; Inan et al. 2017): the top layer's output is
    projected to `embedding_dim` (when `units` differs) and multiplied by
    the embedding matrix, plus a bias per word.

    States are explicit, for truncated backpropagation through time: `step`
    takes the states to start from and returns the final ones, which the
    training loop carries to the next window (and zeroes where a document
    begins). Called as a plain model (`model(ids)`) it runs the forward
    direction from zero states and returns the logits.

    Masks: id 0 is padding; a padded step leaves the states unchanged.

    Args:
        vectorizer: the `seqkit.preprocessing.TextVectorizer` (or its
            config) whose vocabulary the model predicts; its first word is
            the end-of-sentence token `[EOS]`.
        embedding_dim: size of a word vector.
        cell: `"lstm"`, `"gru"` or `"elman"`.
        units: units of each recurrent layer.
        num_layers: stacked recurrent layers per direction.
        directions: `"forward"`, `"backward"` or `"both"`.
        tie_weights: share the embedding matrix with the output layer.
        embedding_dropout: probability of dropping a word type.
        input_dropout: dropout of the embedded words.
        dropout: dropout between recurrent layers and before the output.
        recurrent_dropout: recurrent dropout (disables the fused kernel).
        embedding_matrix: initial word vectors or None (not in the config).
        seed: seed of the dropout layers.
        **kwargs: base `keras.Model` arguments (`name`).

    Example:

    ```python
    import numpy as np

    from seqkit.models import LanguageModel
    from seqkit.preprocessing import TextVectorizer

    vectorizer = TextVectorizer(["[EOS]", "the", "film", "was", "good"])
    lm = LanguageModel(vectorizer, embedding_dim=4, units=3, directions="both")
    lm.build()
    ids = vectorizer(np.array(["the film was good", "the film"]))
    states = lm.initial_states(batch_size=2, direction="forward")
    logits, states = lm.step(ids, states, direction="forward")
    assert logits.shape == (2, 4, lm.vocabulary_size)  # next-word scores
    # The next window of the same texts starts from `states`.
    logits, states = lm.step(ids, states, direction="forward")
    ```
    """

    task_name = "language-model"

    def __init__(
        self,
        vectorizer,
        embedding_dim=50,
        cell="lstm",
        units=128,
        num_layers=1,
        directions="forward",
        tie_weights=True,
        embedding_dropout=0.0,
        input_dropout=0.0,
        dropout=0.0,
        recurrent_dropout=0.0,
        embedding_matrix=None,
        seed=None,
        **kwargs,
    ):
        """Checks the arguments, keeps them for `get_config` and creates
        every layer (see the class docstring for the arguments).

        It stays whole: it is the model's one wiring, in the constructor's
        three sections (checks, configuration, then the embedding, each
        direction's stack and the output in the order they run), so the
        layers a saved language model holds are read in one place.
        """
        super().__init__(**kwargs)
        if isinstance(vectorizer, dict):
            vectorizer = keras.saving.deserialize_keras_object(vectorizer)
        if cell not in CELLS:
            raise ValueError(
                f"cell must be one of {sorted(CELLS)}; received {cell!r}"
            )
        if directions not in (*DIRECTIONS, "both"):
            raise ValueError(
                "directions must be forward, backward or both; received "
                f"{directions!r}"
            )
        words = vectorizer.get_vocabulary()
        if len(words) <= EOS_ID or words[EOS_ID] != EOS_TOKEN:
            raise ValueError(
                f"a language model's vocabulary starts with {EOS_TOKEN!r} "
                f"(id {EOS_ID}); this one starts with {words[EOS_ID:][:1]}"
            )
        self.vectorizer = vectorizer
        self.vocabulary_size = vectorizer.vocabulary_size()
        self.embedding_dim = embedding_dim
        self.cell = cell
        self.units = units
        self.num_layers = num_layers
        self.directions = directions
        self.tie_weights = tie_weights
        self.embedding_dropout = embedding_dropout
        self.input_dropout = input_dropout
        self.dropout = dropout
        self.recurrent_dropout = recurrent_dropout
        self.seed = seed
        self.embedding = PretrainedEmbedding(
            self.vocabulary_size,
            embedding_dim,
            matrix=embedding_matrix,
            embedding_dropout=embedding_dropout,
            seed=layer_seed(seed, "embedding"),
            name="embedding",
        )
        self.input_dropout_layer = seeded_dropout(
            input_dropout, seed, "input_dropout"
        )
        self.stacks = {}
        for direction in self.direction_names:
            self.stacks[direction] = [
                CELLS[cell](
                    units,
                    return_sequences=True,
                    return_state=True,
                    recurrent_dropout=recurrent_dropout,
                    seed=layer_seed(seed, f"{direction}_{cell}_{index}"),
                    name=f"{direction}_{cell}_{index}",
                )
                for index in range(num_layers)
            ]
        self.dropout_layer = seeded_dropout(dropout, seed, "output_dropout")
        self.projection = None
        if tie_weights and units != embedding_dim:
            self.projection = keras.layers.Dense(
                embedding_dim, name="projection"
            )
        self.output_layer = None
        if not tie_weights:
            self.output_layer = keras.layers.Dense(
                self.vocabulary_size, name="output"
            )

    @property
    def direction_names(self):
        """The directions this model holds, forward first."""
        if self.directions == "both":
            return list(DIRECTIONS)
        return [self.directions]

    @property
    def state_sizes(self):
        """The sizes of one layer's states (LSTM: `[h, c]`)."""
        return [self.units] * (2 if self.cell == "lstm" else 1)

    def build(self, input_shape=None):
        self.embedding.build((None, None))
        for stack in self.stacks.values():
            shape = (None, None, self.embedding_dim)
            for layer in stack:
                layer.build(shape)
                shape = (None, None, self.units)
        top = self.units
        if self.projection is not None:
            self.projection.build((None, None, self.units))
            top = self.embedding_dim
        if self.output_layer is not None:
            self.output_layer.build((None, None, top))
        else:
            self.output_bias = self.add_weight(
                shape=(self.vocabulary_size,),
                initializer="zeros",
                name="output_bias",
            )
        self.built = True

    def initial_states(self, batch_size, direction="forward"):
        """Zero states for `batch_size` rows: a list per layer."""
        del direction  # every direction has the same shapes
        return [
            [ops.zeros((batch_size, size)) for size in self.state_sizes]
            for _ in range(self.num_layers)
        ]

    def step(self, token_ids, states, direction="forward", training=False):
        """Runs one direction over `token_ids` from `states`.

        Args:
            token_ids: int `[batch, time]`, right-padded with 0. For the
                backward direction, the text already reversed.
            states: a list per layer of its state tensors (`[h, c]` for
                an LSTM), e.g. from `initial_states` or a previous call.
            direction: `"forward"` or `"backward"`.
            training: apply dropout.

        Returns:
            `(logits, states)`: `[batch, time, vocabulary]` scores of the
            next token at each step, and the final states (same structure).
        """
        if direction not in self.stacks:
            raise ValueError(
                f"this model has no {direction!r} direction; it has "
                f"{self.direction_names}"
            )
        mask = ops.not_equal(token_ids, 0)
        hidden = self.embedding(token_ids, training=training)
        hidden = self.input_dropout_layer(hidden, training=training)
        finals = []
        for index, layer in enumerate(self.stacks[direction]):
            if index:
                hidden = self.dropout_layer(hidden, training=training)
            hidden, *state = layer(
                hidden,
                initial_state=list(states[index]),
                mask=mask,
                training=training,
            )
            finals.append(state)
        hidden = self.dropout_layer(hidden, training=training)
        return self.logits(hidden), finals

    def logits(self, hidden):
        """Scores of every word from the top layer's outputs."""
        if self.output_layer is not None:
            return self.output_layer(hidden)
        if self.projection is not None:
            hidden = self.projection(hidden)
        matrix = ops.cast(self.embedding.embeddings, hidden.dtype)
        return ops.matmul(hidden, ops.transpose(matrix)) + self.output_bias

    def call(self, token_ids, training=False):
        direction = self.direction_names[0]
        states = self.initial_states(ops.shape(token_ids)[0], direction)
        logits, _ = self.step(token_ids, states, direction, training)
        return logits

    def compute_output_shape(self, input_shape):
        return (*input_shape, self.vocabulary_size)

    def get_config(self):
        return {
            "name": self.name,
            "trainable": self.trainable,
            "vectorizer": keras.saving.serialize_keras_object(self.vectorizer),
            "embedding_dim": self.embedding_dim,
            "cell": self.cell,
            "units": self.units,
            "num_layers": self.num_layers,
            "directions": self.directions,
            "tie_weights": self.tie_weights,
            "embedding_dropout": self.embedding_dropout,
            "input_dropout": self.input_dropout,
            "dropout": self.dropout,
            "recurrent_dropout": self.recurrent_dropout,
            "seed": self.seed,
        }

    @classmethod
    def from_config(cls, config):
        return cls(**config)
