"""Raw strings -> word ids, as the first layer of a model on string input."""

import numbers

import keras
import numpy as np
import tensorflow as tf

from seqkit.errors import SeqkitError
from seqkit.preprocessing.tweet_tokenizer import TweetTokenizer
from seqkit.preprocessing.vocabulary import RESERVED, Vocabulary
from seqkit.preprocessing.word_tokenizer import WordTokenizer
from seqkit.registry import register

TOKENIZERS = ("word", "tweet")
# Which tokens a text longer than `max_length` keeps: its first ones, its
# last ones, or the first quarter and the last three quarters of
# `max_length` (`keep_tokens`).
KEEPS = ("start", "end", "start+end")


def make_tokenizer(
    kind="word",
    lowercase=True,
    normalization=None,
    split_punctuation=True,
    strip_markup=False,
):
    """A `WordTokenizer` (`"word"`) or `TweetTokenizer` (`"tweet"`).

    `normalization=None` picks the tokenizer's own default (NFKC for
    words, NFC for tweets); pass `"none"` for no normalization.
    """
    if kind not in TOKENIZERS:
        raise SeqkitError(
            f"tokenizer must be one of {TOKENIZERS}; received {kind!r}"
        )
    settings = {"lowercase": lowercase, "strip_markup": strip_markup}
    if normalization is not None:
        settings["normalization"] = (
            None if str(normalization).lower() == "none" else normalization
        )
    if kind == "tweet":
        return TweetTokenizer(**settings)
    return WordTokenizer(split_punctuation=split_punctuation, **settings)


@register(
    example={
        "init": {"vocabulary": ["the", "film", "is"], "max_length": 5},
        "input_shape": (2,),
        "input_dtype": "str",
    }
)
class TextVectorizer(keras.layers.TextVectorization):
    """Tokenizes raw strings in the graph and maps the words to ids.

    A `keras.layers.TextVectorization` whose splitting is a `WordTokenizer`
    and whose vocabulary is a `Vocabulary`: id 0 is padding, id 1 unknown,
    the words from id 2 on. Inputs are string tensors of shape `(batch,)`
    (or `(batch, 1)`); outputs are int64 ids of shape `(batch, time)`,
    cut to `max_length` tokens (`keep` says which) and right-padded with 0
    to the longest text of the batch (at least one step): a recurrent
    network runs every step it is given, so a batch is never padded
    further than it needs. It produces no mask: the next layer (an
    embedding with `mask_zero=True`) makes one from the zeros.

    It runs inside `tf.data` (`dataset.map(vectorizer)`), saves inside a
    `.keras` model (the vocabulary is in its config) and is trackable for
    `tf.saved_model.save` (the SavedModel needs `import tensorflow_text`
    before `tf.saved_model.load`, for the normalization op).

    Args:
        vocabulary: a `Vocabulary`, or the list of its words (ids 2, ...).
        max_length: the most ids per text, or `None` for no limit.
        keep: which tokens a longer text keeps (`KEEPS`): `"start"` (the
            first `max_length`), `"end"` (the last) or `"start+end"` (the
            first quarter of `max_length` and the last three quarters: a
            review's verdict is often at its end; `keep_tokens`).
        lowercase: tokenizer argument.
        normalization: tokenizer argument (`"NFKC"` by default).
        split_punctuation: `WordTokenizer` argument.
        strip_markup: `WordTokenizer` argument: HTML tags become spaces
            and common character references their characters.
        tokenizer: `"word"` (a `WordTokenizer`) or `"tweet"` (a
            `TweetTokenizer`, whose normalization is NFC unless given).
        **kwargs: base layer arguments (`name`, ...).

    Raises:
        SeqkitError: for a missing vocabulary, a bad `max_length` or
            `keep`.

    Example:

    ```python
    import keras
    import numpy as np

    import seqkit.layers
    from seqkit.preprocessing import TextVectorizer, Vocabulary

    train_texts = ["a fine film", "a dull film", "a fine cast"]
    vocab = Vocabulary.from_texts(train_texts, min_count=2)
    inputs = keras.Input(shape=(), dtype="string")
    ids = TextVectorizer(vocab, max_length=50)(inputs)
    x = keras.layers.Embedding(len(vocab), 64, mask_zero=True)(ids)
    outputs = keras.layers.Dense(1, activation="sigmoid")(
        seqkit.layers.LSTM(32)(x)
    )
    model = keras.Model(inputs, outputs)
    probabilities = model(np.array(["a fine film", "dull"]))  # [2, 1]
    ```
    """

    def __init__(
        self,
        vocabulary=None,
        max_length=None,
        lowercase=True,
        normalization="NFKC",
        split_punctuation=True,
        tokenizer="word",
        strip_markup=False,
        keep="start",
        **kwargs,
    ):
        words = _vocabulary_words(vocabulary)
        if keep not in KEEPS:
            raise SeqkitError(
                f"keep must be one of {', '.join(KEEPS)}; received {keep!r}"
            )
        if max_length is not None and (
            isinstance(max_length, bool)
            or not isinstance(max_length, numbers.Integral)
            or max_length < 1
        ):
            raise SeqkitError(
                "max_length must be a positive integer or None; received "
                f"max_length={max_length!r}"
            )
        max_length = None if max_length is None else int(max_length)
        self.tokenizer_kind = tokenizer
        tokenizer = make_tokenizer(
            tokenizer,
            lowercase,
            "none" if normalization is None else normalization,
            split_punctuation,
            strip_markup,
        )
        super().__init__(
            standardize=None,
            split=tokenizer,
            output_mode="int",
            output_sequence_length=None,
            vocabulary=words,
            **kwargs,
        )
        self.tokenizer = tokenizer
        self.max_length = max_length
        self.keep = keep
        self._words = words

    def call(self, inputs):
        if not isinstance(inputs, (tf.Tensor, tf.RaggedTensor)):
            inputs = tf.convert_to_tensor(inputs, dtype=tf.string)
        if inputs.shape.rank == 0:
            # Keras pads a single text's ids with a divisibility rule that
            # leaves an empty text empty; a batch of one is padded right.
            return self.call(inputs[tf.newaxis])[0]
        # Pad to the longest text of the batch (at least one step, so a
        # batch of empty texts still has a time axis), then truncate: a
        # recurrent network runs every padded step, so padding every batch
        # to max_length would cost time for nothing.
        ids = super().call(inputs)
        if self.max_length is not None and self.keep == "start":
            ids = ids[..., : self.max_length]
        elif self.max_length is not None:
            # Ids are right-padded with 0 and no token's id is 0.
            lengths = tf.reduce_sum(tf.cast(ids != 0, tf.int64), axis=-1)
            ragged = tf.RaggedTensor.from_tensor(ids, lengths=lengths)
            ids = keep_tokens(ragged, self.max_length, self.keep).to_tensor(0)
        missing = tf.maximum(1 - tf.shape(ids)[-1], 0)
        paddings = tf.concat(
            [tf.zeros([tf.rank(ids) - 1, 2], tf.int32), [[0, missing]]], 0
        )
        return tf.pad(ids, paddings)

    def get_config(self):
        """Returns the constructor arguments (the vocabulary as words)."""
        config = keras.layers.Layer.get_config(self)
        config.update(
            {
                "vocabulary": list(self._words),
                "max_length": self.max_length,
                "keep": self.keep,
                "tokenizer": self.tokenizer_kind,
                **self.tokenizer.get_config(),
            }
        )
        return config

    @classmethod
    def from_config(cls, config):
        """Rebuilds the layer from `get_config()`."""
        return cls(**config)

    def count_truncated(self, texts):
        """Counts the texts longer than `max_length` tokens (0 if no limit).

        Args:
            texts: a list of strings.

        Returns:
            The number of texts this layer truncates.
        """
        if self.max_length is None:
            return 0
        return count_truncated(texts, self.max_length, self.tokenizer)


def keep_tokens(tokens, max_length, keep="start"):
    """The tokens (or ids) each row keeps when it is cut to `max_length`.

    Args:
        tokens: a `tf.RaggedTensor` `[rows, (tokens)]`.
        max_length: the most tokens a row keeps (a positive int), or None
            for all of them.
        keep: `"start"`: the first `max_length`; `"end"`: the last;
            `"start+end"`: the first `max_length // 4` and the last
            `max_length - max_length // 4`. A row within `max_length`
            keeps every token.

    Returns:
        A `tf.RaggedTensor` of the kept tokens, in their order.
    """
    if max_length is None:
        return tokens
    if keep == "start":
        return tokens[:, :max_length]
    lengths = tokens.row_lengths()
    limit = tf.constant(max_length, lengths.dtype)
    if keep == "end":
        kept = tf.ragged.range(tf.maximum(lengths - limit, 0), lengths)
    else:
        first = tf.constant(max_length // 4, lengths.dtype)
        last = limit - first
        cut = lengths > limit
        kept = tf.concat(
            [
                tf.ragged.range(
                    tf.zeros_like(lengths), tf.where(cut, first, lengths)
                ),
                tf.ragged.range(
                    tf.where(cut, lengths - last, lengths), lengths
                ),
            ],
            axis=1,
        )
    return tf.gather(tokens, kept, batch_dims=1)


def keep_list(tokens, max_length, keep="start"):
    """`keep_tokens` of one row, as a Python list."""
    tokens = list(tokens)
    if max_length is None or len(tokens) <= max_length:
        return tokens
    if keep == "start":
        return tokens[:max_length]
    if keep == "end":
        return tokens[len(tokens) - max_length :]
    first = max_length // 4
    return tokens[:first] + tokens[len(tokens) - (max_length - first) :]


def count_truncated(texts, max_length, tokenizer=None):
    """Counts how many texts have more than `max_length` tokens.

    Use it to choose `max_length`: those texts lose their tail.

    Args:
        texts: a list of strings.
        max_length: the length limit (a positive int).
        tokenizer: a `WordTokenizer` (default: `WordTokenizer()`).

    Returns:
        The number of texts with more than `max_length` tokens.

    Raises:
        SeqkitError: for a `max_length` below 1.

    Example:

    ```python
    from seqkit.preprocessing import count_truncated

    count_truncated(["a b c", "a"], max_length=2)  # 1
    ```
    """
    if int(max_length) < 1:
        raise SeqkitError(
            f"max_length must be at least 1; received {max_length!r}"
        )
    lengths = token_lengths(texts, tokenizer)
    return int(np.sum(lengths > int(max_length)))


def token_lengths(texts, tokenizer=None):
    """Counts the tokens of each text (in the graph, a batch at a time).

    Args:
        texts: a list of strings.
        tokenizer: a `WordTokenizer` (default: `WordTokenizer()`).

    Returns:
        An int64 NumPy array, one length per text.

    Example:

    ```python
    from seqkit.preprocessing import token_lengths

    token_lengths(["a b c", "a"])  # array([3, 1])
    ```
    """
    tokenizer = tokenizer or WordTokenizer()
    lengths = [len(tokens) for tokens in tokenizer.iter_tokenize(texts)]
    return np.asarray(lengths, dtype=np.int64)


def _vocabulary_words(vocabulary):
    if vocabulary is None:
        raise SeqkitError(
            "TextVectorizer needs a vocabulary: pass a "
            "seqkit.preprocessing.Vocabulary (Vocabulary.from_texts) or its "
            "list of words"
        )
    if isinstance(vocabulary, Vocabulary):
        return vocabulary.words
    if isinstance(vocabulary, str):
        raise SeqkitError(
            "vocabulary must be a Vocabulary or a list of words, not a "
            "string; for a file use Vocabulary.load(path)"
        )
    words = [str(w) for w in vocabulary]
    # Also accept the list with its two reserved tokens first, ours or the
    # one `TextVectorization.get_vocabulary()` returns.
    if words[:2] in (list(RESERVED), ["", "[UNK]"]):
        words = words[2:]
    # Vocabulary validates the words (unique, no reserved token, no space).
    return Vocabulary(words).words
