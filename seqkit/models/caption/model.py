"""A caption-style decoder: an encoder of the input, a recurrent decoder."""

import keras
from keras import ops

from seqkit.layers.attention import AdditiveAttention
from seqkit.layers.rnn.elman import ElmanCell
from seqkit.layers.rnn.gru import GRUCell
from seqkit.layers.rnn.lstm import LSTMCell
from seqkit.layers.seeds import seeded_dropout
from seqkit.registry import register

# The reserved words of a caption vocabulary, at ids 0..3.
PAD, UNK, START, END = "", "[UNK]", "[START]", "[END]"
RESERVED = (PAD, UNK, START, END)
PAD_ID, UNK_ID, START_ID, END_ID = range(4)
CELLS = {"lstm": LSTMCell, "gru": GRUCell, "elman": ElmanCell}
INPUT_KINDS = ("image", "features")


@register(
    example={
        "init": {
            "vocabulary": ["", "[UNK]", "[START]", "[END]", "one", "two"],
            "input_kind": "image",
            "filters": [4, 8],
            "feature_dim": 6,
            "units": 5,
            "embedding_dim": 3,
            "attention_units": 4,
        },
        "input_shape": [(2, 12, 16), (2, 4)],
        "input_dtype": ["float32", "int32"],
        "input_range": (0, 6),
    }
)
class CaptionModel(keras.Model):
    """Generates a caption for an image or a set of feature vectors.

    The encoder turns the input into a set of region vectors: for an image
    (`input_kind="image"`, `[batch, height, width]` or with a channel axis)
    a small CNN (3x3 convolutions with ReLU, each followed by 2x2 max
    pooling) whose feature map is cut into its columns, each column's
    features projected to `feature_dim`; for `input_kind="features"` the
    given vectors (`[batch, dim]`: one region, or `[batch, regions, dim]`)
    projected the same way. The decoder's initial state is a tanh layer of
    all the regions (flattened), as in Show and Tell (Vinyals et al. 2015).
    Each step embeds the previous word and runs an LSTM, GRU or Elman cell;
    with `attention` (Show, Attend and Tell, Xu et al. 2015) the cell also
    reads a context vector, the additive attention of the previous state
    over the regions, and the output layer sees the context too.

    Called on `[inputs, tokens]` (training: teacher forcing) it returns the
    logits of the next word at every position, `[batch, time, vocabulary]`:
    `tokens` holds `[START] w1 ... wn`, the targets are `w1 ... wn [END]`.
    With `scheduled_sampling` > 0 (Bengio et al. 2015), in training each
    input word after the first is replaced, with that probability, by the
    model's own most probable word at the step before.

    Masks: tokens are right-padded with id 0. The decoder runs over the
    padding, but nothing of the real positions depends on it (each step
    sees only earlier positions), and the training loss weights padded
    targets by 0, so a caption shorter than the batch's longest is trained
    exactly as if it were alone. The regions carry no mask: every region of
    an input is real.

    Vocabulary: ids 0..3 are padding, `[UNK]`, `[START]` and `[END]`; the
    words follow.

    Args:
        vocabulary: the list of words by id (see `caption_vocabulary`).
        input_kind: `"image"` or `"features"`.
        filters: output channels of each convolution block (images).
        feature_dim: size of a region vector after the projection.
        cell: `"lstm"`, `"gru"` or `"elman"`.
        units: size of the decoder state.
        embedding_dim: size of a word vector.
        attention: use additive attention over the regions.
        attention_units: hidden size of the attention's scoring layer.
        dropout: dropout of the regions and of the decoder's output.
        scheduled_sampling: probability of feeding the model's own word in
            training (0: pure teacher forcing).
        seed: seed of the dropout and of scheduled sampling.
        **kwargs: base `keras.Model` arguments (`name`).

    Example:

    ```python
    import numpy as np

    from seqkit.models import CaptionModel
    from seqkit.models.caption import (
        START_ID, caption_vocabulary, encode_captions)

    captions = ["one circle", "two squares"]
    vocabulary = caption_vocabulary(captions)  # ["", "[UNK]", "[START]", ...]
    model = CaptionModel(vocabulary, input_kind="image", filters=[4],
                         feature_dim=4, units=3, embedding_dim=3,
                         attention_units=2)
    canvases = np.random.default_rng(0).random((2, 8, 8), "float32")
    tokens = encode_captions(vocabulary, captions)  # [START] w1 w2 [END]
    logits = model([canvases, tokens[:, :-1]])  # teacher forcing
    assert logits.shape == (2, 3, len(vocabulary))
    state = model.initial_state(canvases)  # then one word at a time:
    log_probs, state = model.step(np.full(2, START_ID), state)
    assert log_probs.shape == (2, len(vocabulary))
    ```
    """

    # The registered `Task` of these models (`seqkit.models.task`).
    task_name = "captioning"

    def __init__(
        self,
        vocabulary,
        input_kind="image",
        filters=(32, 64, 96),
        feature_dim=128,
        cell="lstm",
        units=256,
        embedding_dim=64,
        attention=True,
        attention_units=128,
        dropout=0.0,
        scheduled_sampling=0.0,
        seed=None,
        **kwargs,
    ):
        """Checks the arguments, keeps them for `get_config` and creates
        every layer (see the class docstring for the arguments).

        It stays whole: it is the model's one wiring, in the constructor's
        three sections (checks, configuration, then the encoder's and the
        decoder's layers in the order they run), so the layers a saved
        caption model holds are read in one place.
        """
        super().__init__(**kwargs)
        vocabulary = list(vocabulary)
        if tuple(vocabulary[: len(RESERVED)]) != RESERVED:
            raise ValueError(
                f"a caption vocabulary starts with {list(RESERVED)}; this "
                f"one starts with {vocabulary[: len(RESERVED)]}"
            )
        if input_kind not in INPUT_KINDS:
            raise ValueError(
                f"input_kind must be one of {INPUT_KINDS}; received "
                f"{input_kind!r}"
            )
        if cell not in CELLS:
            raise ValueError(
                f"cell must be one of {sorted(CELLS)}; received {cell!r}"
            )
        if not 0.0 <= scheduled_sampling <= 1.0:
            raise ValueError(
                "scheduled_sampling must lie in [0, 1]; received "
                f"{scheduled_sampling!r}"
            )
        self.vocabulary = vocabulary
        self.input_kind = input_kind
        self.filters = [int(f) for f in filters]
        self.feature_dim = feature_dim
        self.cell_name = cell
        self.units = units
        self.embedding_dim = embedding_dim
        self.attention = attention
        self.attention_units = attention_units
        self.dropout = dropout
        self.scheduled_sampling = scheduled_sampling
        self.seed = seed
        self.convolutions = []
        if input_kind == "image":
            self.convolutions = [
                keras.layers.Conv2D(
                    count,
                    3,
                    padding="same",
                    activation="relu",
                    name=f"conv_{index}",
                )
                for index, count in enumerate(self.filters)
            ]
            self.pooling = keras.layers.MaxPooling2D(2, name="pool")
        self.projection = keras.layers.Dense(
            feature_dim, activation="relu", name="region_projection"
        )
        self.region_dropout = seeded_dropout(dropout, seed, "region_dropout")
        self.init_layers = [
            keras.layers.Dense(units, activation="tanh", name=f"init_{i}")
            for i in range(2 if cell == "lstm" else 1)
        ]
        self.embedding = keras.layers.Embedding(
            len(vocabulary), embedding_dim, name="embedding"
        )
        self.cell = CELLS[cell](units, name=f"decoder_{cell}")
        self.attention_layer = None
        if attention:
            self.attention_layer = AdditiveAttention(
                attention_units, name="attention"
            )
        self.output_dropout = seeded_dropout(dropout, seed, "output_dropout")
        self.output_layer = keras.layers.Dense(len(vocabulary), name="output")
        self.sampling_seed = keras.random.SeedGenerator(
            seed if seed is not None else 0, name="sampling_seed"
        )

    @property
    def vocabulary_size(self):
        return len(self.vocabulary)

    def build(self, input_shape):
        inputs_shape = input_shape
        if isinstance(input_shape, (list, tuple)) and isinstance(
            input_shape[0], (list, tuple)
        ):
            inputs_shape = input_shape[0]
        # The size of one input (without the batch axis), e.g. `(28, 128)`.
        self.input_size = tuple(inputs_shape[1:])
        shape = self._region_shape(tuple(inputs_shape))
        self.region_count = shape[1]
        self.projection.build(shape)
        flat = (None, self.region_count * self.feature_dim)
        for layer in self.init_layers:
            layer.build(flat)
        self.embedding.build((None,))
        step_input = self.embedding_dim
        if self.attention:
            self.attention_layer.build(
                [(None, self.units), (None, None, self.feature_dim)]
            )
            step_input += self.feature_dim
        self.cell.build((None, step_input))
        top = self.units + (self.feature_dim if self.attention else 0)
        self.output_layer.build((None, top))
        self.built = True

    def _region_shape(self, shape):
        """Builds the CNN for `shape`; the shape of the region vectors
        before the projection, `(batch, regions, dim)`."""
        if self.input_kind == "features":
            if len(shape) == 2:
                return (shape[0], 1, shape[1])
            if len(shape) != 3 or shape[1] is None:
                raise ValueError(
                    "features must be [batch, dim] or [batch, regions, "
                    f"dim] with a known number of regions; received {shape}"
                )
            return shape
        if len(shape) == 3:
            shape = (*shape, 1)
        if len(shape) != 4 or None in shape[1:]:
            raise ValueError(
                "images must be [batch, height, width] or [batch, height, "
                f"width, channels] of a known size; received {shape}"
            )
        for conv in self.convolutions:
            conv.build(shape)
            shape = conv.compute_output_shape(shape)
            shape = self.pooling.compute_output_shape(shape)
        _, height, width, channels = shape
        if not height or not width:
            raise ValueError(
                f"images of {shape[1:]} are too small for "
                f"{len(self.filters)} pooling steps"
            )
        return (shape[0], width, height * channels)

    def regions(self, inputs, training=False):
        """The region vectors of the inputs, `[batch, regions, dim]`."""
        hidden = ops.convert_to_tensor(inputs, dtype=self.compute_dtype)
        if self.input_kind == "features":
            if len(hidden.shape) == 2:
                hidden = hidden[:, None, :]
        else:
            if len(hidden.shape) == 3:
                hidden = hidden[..., None]
            for conv in self.convolutions:
                hidden = self.pooling(conv(hidden))
            # [batch, height, width, channels] -> one vector per column.
            _, height, width, channels = hidden.shape
            hidden = ops.transpose(hidden, (0, 2, 1, 3))
            hidden = ops.reshape(hidden, (-1, width, height * channels))
        hidden = self.projection(hidden)
        return self.region_dropout(hidden, training=training)

    def initial_state(self, inputs, training=False):
        """The decoder's starting state for `inputs`.

        Returns:
            A dict: `regions` `[batch, regions, feature_dim]` and `cell`,
            the list of the cell's state tensors `[batch, units]`. It is
            the `state` of the `seqkit.samplers` step function `step`.
        """
        if not self.built:
            self.build(tuple(inputs.shape))
        regions = self.regions(inputs, training=training)
        flat = ops.reshape(regions, (-1, self.region_count * self.feature_dim))
        return {
            "regions": regions,
            "cell": [layer(flat) for layer in self.init_layers],
        }

    def decode_step(self, token_ids, state, training=False):
        """One decoder step from the previous words `token_ids` `[batch]`.

        Returns:
            `(logits [batch, vocabulary], new state, attention weights
            [batch, regions] or None)`.
        """
        regions, cell_state = state["regions"], list(state["cell"])
        hidden = self.embedding(ops.cast(token_ids, "int32"))
        weights = context = None
        if self.attention:
            context, weights = self.attention_layer([cell_state[0], regions])
            hidden = ops.concatenate([hidden, context], axis=-1)
        output, cell_state = self.cell(hidden, cell_state, training=training)
        if not isinstance(cell_state, (list, tuple)):
            cell_state = [cell_state]
        output = self.output_dropout(output, training=training)
        if self.attention:
            output = ops.concatenate([output, context], axis=-1)
        logits = self.output_layer(output)
        return logits, {"regions": regions, "cell": list(cell_state)}, weights

    def step(self, token_ids, state):
        """`(log_probs, state)` of the next word: a sampler step function.

        Padding, `[UNK]` and `[START]` are never predicted.
        """
        logits, state, _ = self.decode_step(token_ids, state)
        logits = ops.cast(logits, "float32")
        never = ops.convert_to_tensor(
            [[i < END_ID for i in range(self.vocabulary_size)]]
        )
        logits = ops.where(never, -1e9, logits)
        return ops.log_softmax(logits, axis=-1), state

    def teacher_forced(self, inputs, tokens, training=False):
        """Logits `[batch, time, vocabulary]` and attention weights
        `[batch, time, regions]` (None without attention) given the input
        words `tokens` `[batch, time]` (`[START]` first)."""
        state = self.initial_state(inputs, training=training)
        tokens = ops.cast(tokens, "int32")
        sampling = training and self.scheduled_sampling > 0
        # One draw per position decides whether the model's own previous
        # word replaces the given one (never the first word, nor padding).
        draws = None
        if sampling:
            draws = keras.random.uniform(
                ops.shape(tokens), seed=self.sampling_seed
            )

        def position(token, draw, previous, state):
            if draw is not None and previous is not None:
                own = ops.cast(ops.argmax(previous, axis=-1), "int32")
                use_own = ops.logical_and(
                    draw < self.scheduled_sampling, ops.not_equal(token, 0)
                )
                token = ops.where(use_own, own, token)
            return self.decode_step(token, state, training=training)

        time = tokens.shape[1]
        if time is None:
            # The steps are unrolled (captions are short); Keras's scan
            # cannot run over a length unknown when traced (keras 3.15).
            raise ValueError(
                "the caption length must be known when the model is traced: "
                "pad the token ids of every batch to one fixed length"
            )
        all_logits, all_weights = [], []
        previous = None
        for index in range(time):
            draw = None if draws is None else draws[:, index]
            previous, state, weights = position(
                tokens[:, index], draw, previous, state
            )
            all_logits.append(previous)
            all_weights.append(weights)
        logits = ops.stack(all_logits, axis=1)
        weights = None
        if self.attention:
            weights = ops.stack(all_weights, axis=1)
        return logits, weights

    def call(self, inputs, training=False):
        images, tokens = inputs
        logits, _ = self.teacher_forced(images, tokens, training=training)
        return logits

    def get_config(self):
        return {
            **super().get_config(),
            "vocabulary": list(self.vocabulary),
            "input_kind": self.input_kind,
            "filters": list(self.filters),
            "feature_dim": self.feature_dim,
            "cell": self.cell_name,
            "units": self.units,
            "embedding_dim": self.embedding_dim,
            "attention": self.attention,
            "attention_units": self.attention_units,
            "dropout": self.dropout,
            "scheduled_sampling": self.scheduled_sampling,
            "seed": self.seed,
        }


def caption_vocabulary(captions, min_count=1):
    """The vocabulary of a list of captions (words split on white space).

    Args:
        captions: the training captions.
        min_count: the fewest occurrences a word needs to be kept.

    Returns:
        The list of words by id: the reserved words, then the kept words by
        falling count (ties in alphabetical order).
    """
    from collections import Counter

    counts = Counter(word for caption in captions for word in caption.split())
    kept = [word for word, n in counts.items() if n >= min_count]
    kept = [w for w in kept if w not in RESERVED]
    kept.sort(key=lambda word: (-counts[word], word))
    return [*RESERVED, *kept]


def encode_captions(vocabulary, captions, length=None, allow_empty=False):
    """Token ids `[START] w1 .. wn [END]`, right-padded with 0.

    Args:
        vocabulary: the list of words by id.
        captions: strings (words split on white space).
        length: the padded length (default: the longest, plus 2).
        allow_empty: accept empty captions (`[START] [END]`), e.g. a
            generated one.

    Returns:
        An int32 array `[len(captions), length]`; unknown words are
        `[UNK]`.

    Raises:
        ValueError: a caption is empty, or longer than `length` allows.
    """
    import numpy as np

    index = {word: i for i, word in enumerate(vocabulary)}
    rows = []
    for number, caption in enumerate(captions):
        words = caption.split()
        if not words and not allow_empty:
            raise ValueError(f"caption {number + 1} is empty")
        rows.append([START_ID, *(index.get(w, UNK_ID) for w in words), END_ID])
    longest = max((len(row) for row in rows), default=2)
    length = longest if length is None else length
    if longest > length:
        raise ValueError(
            f"a caption has {longest - 2} words; at most {length - 2} fit"
        )
    ids = np.zeros((len(rows), length), dtype="int32")
    for number, row in enumerate(rows):
        ids[number, : len(row)] = row
    return ids


def decode_ids(vocabulary, ids):
    """The words of generated ids, up to the first `[END]` or padding."""
    words = []
    for token in ids:
        token = int(token)
        if token in (END_ID, PAD_ID):
            break
        words.append(vocabulary[token])
    return " ".join(words)
