"""Documents -> sentences -> word ids, in the graph.

`split_sentences` cuts raw documents into sentences with punctuation rules
written as RE2 regular expressions (`tf.strings`), so a SavedModel splits
exactly as training did. `DocumentVectorizer` then maps every sentence to
word ids with a `TextVectorizer` and packs a batch into a dense
`[documents, sentences, words]` tensor, right-padded with 0 at both
levels.

The rules, in order:

1. With `line_breaks`, every line break ends a sentence (the Pang & Lee
   reviews hold one sentence per line).
2. Periods that do not end a sentence are protected: those of the
   abbreviations in `abbreviations` ("Mr.", "Dr.", "e.g.", ... matched
   without regard to case), of single-letter initials ("J. R. R.", A to
   Z but "I"), and
   of decimals ("3.5": no space follows, so they never match below).
3. A sentence ends after a run of `.`, `!` or `?` (an ellipsis is one
   run), with any closing quotes or brackets that follow, when white
   space and then the start of a new sentence follow. With
   `require_capital` (the default) a new sentence starts with an
   upper-case letter, a digit, or an opening quote or bracket; without it
   any letter or digit starts one (for lower-cased text). So
   "It was... fine" stays one sentence, "It ended... Then" is two, and
   `He said "Stop." Then` ends after the closing quote.
4. Sentences are stripped of surrounding white space; empty ones are
   dropped.
"""

import keras
import tensorflow as tf

from seqkit.preprocessing.text_vectorizer import TextVectorizer
from seqkit.registry import register

# Marks sentence boundaries and protected periods while splitting; both
# are ASCII control characters that text does not contain in practice
# (they are removed from the input first).
_BOUNDARY = "\x1e"
_PERIOD = "\x1f"

ABBREVIATIONS = (
    "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "mt", "vs", "etc",
    "e.g", "i.e", "cf", "al", "inc", "ltd", "co", "corp", "no", "vol",
    "fig", "approx", "dept", "est", "jan", "feb", "mar", "apr", "jun",
    "jul", "aug", "sep", "sept", "oct", "nov", "dec", "u.s", "u.k",
)  # fmt: skip

_CLOSERS = "\"'”’»)\\]"
_CAPITAL_START = "[\\p{Lu}\\p{N}\"'“‘«(\\[]"
_ANY_START = "[\\p{L}\\p{N}\"'“‘«(\\[]"


def _abbreviation_pattern(abbreviations):
    words = sorted(
        {a.strip().rstrip(".").lower() for a in abbreviations if a.strip()},
        key=len,
        reverse=True,
    )
    if not words:
        return None
    escaped = "|".join(w.replace(".", "\\.") for w in words)
    # The abbreviation must start a word: at the start or after a
    # character that is not a letter.
    return f"(?i)(^|[^\\p{{L}}])({escaped})\\."


def split_sentences(
    text,
    line_breaks=True,
    require_capital=True,
    abbreviations=ABBREVIATIONS,
):
    """Splits each document of `text` into sentences (see the module).

    Args:
        text: a string tensor `[batch]` (or a list of strings).
        line_breaks: a line break always ends a sentence.
        require_capital: a new sentence must start with a capital letter,
            a digit, or an opening quote or bracket (False: any letter).
        abbreviations: words whose final period never ends a sentence.

    Returns:
        A `tf.RaggedTensor` of strings, `[batch, (sentences)]`.

    Example:

    ```python
    from seqkit.preprocessing import split_sentences

    split_sentences(["Mr. Smith paid $3.50. He left... Then it rained."])
    # <tf.RaggedTensor
    #  [[b"Mr. Smith paid $3.50.", b"He left...", b"Then it rained."]]>
    ```
    """
    text = tf.convert_to_tensor(text, dtype=tf.string)
    text = tf.strings.regex_replace(text, f"[{_BOUNDARY}{_PERIOD}]", " ")
    if line_breaks:
        text = tf.strings.regex_replace(text, "\\r\\n|\\r|\\n", _BOUNDARY)
    pattern = _abbreviation_pattern(abbreviations)
    if pattern is not None:
        text = tf.strings.regex_replace(text, pattern, f"\\1\\2{_PERIOD}")
    # Initials: one capital letter and a period, as a word of its own
    # (not "I": "so did I. Then" ends a sentence). Each match takes the
    # space after it, so a run of initials ("J. R. R.") needs a second
    # pass for every other one.
    for _ in range(2):
        text = tf.strings.regex_replace(
            text, "(^|[\\s(])([A-HJ-Z])\\.(\\s)", f"\\1\\2{_PERIOD}\\3"
        )
    start = _CAPITAL_START if require_capital else _ANY_START
    text = tf.strings.regex_replace(
        text,
        f"([.!?]+[{_CLOSERS}]*)[^\\S{_BOUNDARY}]+({start})",
        f"\\1{_BOUNDARY}\\2",
    )
    text = tf.strings.regex_replace(text, _PERIOD, ".")
    sentences = tf.strings.split(text, _BOUNDARY)
    sentences = tf.strings.strip(sentences)
    return tf.ragged.boolean_mask(sentences, tf.strings.length(sentences) > 0)


@register(
    example={
        "init": {
            "vectorizer": {
                "class_name": "seqkit>TextVectorizer",
                "config": {"vocabulary": ["good", "bad", "film", "."]},
            },
            "max_sentences": 3,
        },
        "input_shape": (2,),
        "input_dtype": "str",
    }
)
class DocumentVectorizer(keras.layers.Layer):
    """Raw documents -> word ids `[documents, sentences, words]`.

    Splits each document into sentences (`split_sentences`), keeps the
    first `max_sentences`, and maps each sentence to ids with `vectorizer`
    (a `TextVectorizer`, whose `max_length` limits the words of a
    sentence). The result is padded with 0 to the batch's longest document
    and longest sentence (at least one of each).

    Masks: padding is id 0 at both levels; a padding sentence is all 0
    (the models mask a sentence whose ids are all 0). The layer emits no
    Keras mask.

    Args:
        vectorizer: a `TextVectorizer` (or its config) for the words.
        max_sentences: keep at most this many sentences (None: all).
        line_breaks: a line break always ends a sentence.
        require_capital: a sentence must start with a capital, a digit, a
            quote or a bracket (False for lower-cased text).
        abbreviations: words whose period never ends a sentence.
        **kwargs: base layer arguments (`name`).

    Example:

    ```python
    import numpy as np

    from seqkit.preprocessing import DocumentVectorizer, TextVectorizer

    vectorizer = TextVectorizer(["a", "fine", "film", "dull"], max_length=20)
    documents = DocumentVectorizer(vectorizer, max_sentences=50)
    ids = documents(np.array(["A fine film. Sharp and warm.", "Dull."]))
    assert ids.shape == (2, 2, 4)  # [documents, sentences, words]
    ```
    """

    def __init__(
        self,
        vectorizer,
        max_sentences=None,
        line_breaks=True,
        require_capital=True,
        abbreviations=ABBREVIATIONS,
        **kwargs,
    ):
        kwargs.setdefault("trainable", False)
        super().__init__(**kwargs)
        if isinstance(vectorizer, dict):
            vectorizer = keras.saving.deserialize_keras_object(vectorizer)
        if not isinstance(vectorizer, TextVectorizer):
            raise TypeError(
                "vectorizer must be a TextVectorizer; received "
                f"{type(vectorizer).__name__}"
            )
        if max_sentences is not None and (
            not isinstance(max_sentences, int) or max_sentences < 1
        ):
            raise ValueError(
                "max_sentences must be a positive integer or None; "
                f"received {max_sentences!r}"
            )
        self.vectorizer = vectorizer
        self.max_sentences = max_sentences
        self.line_breaks = line_breaks
        self.require_capital = require_capital
        self.abbreviations = list(abbreviations)

    @property
    def max_words(self):
        return self.vectorizer.max_length

    def sentences(self, text):
        """The kept sentences of each document: ragged `[batch, (n)]`."""
        found = split_sentences(
            text, self.line_breaks, self.require_capital, self.abbreviations
        )
        if self.max_sentences is not None:
            found = found[:, : self.max_sentences]
        return found

    def call(self, text):
        text = tf.convert_to_tensor(text, dtype=tf.string)
        if text.shape.rank == 2 and text.shape[-1] == 1:
            text = tf.squeeze(text, -1)
        sentences = self.sentences(text)
        ids = self.vectorizer(sentences.flat_values)
        ids = tf.RaggedTensor.from_row_splits(ids, sentences.row_splits)
        dense = ids.to_tensor(0)
        # At least one sentence per batch, so that every axis is non-empty.
        missing = tf.maximum(1 - tf.shape(dense)[1], 0)
        return tf.pad(dense, [[0, 0], [0, missing], [0, 0]])

    def compute_output_shape(self, input_shape):
        return (input_shape[0], None, None)

    def count_truncated(self, texts):
        """How many documents lose sentences, and sentences lose words.

        Returns:
            A dict: `documents` (documents with more than
            `max_sentences`), `sentences_cut` (sentences dropped in all),
            `sentences` (kept sentences with more than `max_words`
            words), `words_cut` (words dropped in all).
        """
        found = {"documents": 0, "sentences_cut": 0}
        found.update({"sentences": 0, "words_cut": 0})
        for first in range(0, len(texts), 256):
            chunk = tf.constant(list(texts[first : first + 256]))
            every = split_sentences(
                chunk,
                self.line_breaks,
                self.require_capital,
                self.abbreviations,
            )
            counts = every.row_lengths().numpy()
            if self.max_sentences is not None:
                over = counts - self.max_sentences
                found["documents"] += int((over > 0).sum())
                found["sentences_cut"] += int(over[over > 0].sum())
                every = every[:, : self.max_sentences]
            if self.max_words is not None:
                words = self.vectorizer.tokenizer(every.flat_values)
                lengths = words.row_lengths().numpy() - self.max_words
                found["sentences"] += int((lengths > 0).sum())
                found["words_cut"] += int(lengths[lengths > 0].sum())
        return found

    def get_config(self):
        return {
            **super().get_config(),
            "vectorizer": keras.saving.serialize_keras_object(self.vectorizer),
            "max_sentences": self.max_sentences,
            "line_breaks": self.line_breaks,
            "require_capital": self.require_capital,
            "abbreviations": list(self.abbreviations),
        }
