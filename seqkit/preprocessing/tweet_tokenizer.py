"""A tweet tokenizer made of TensorFlow string ops (DeepMoji's rules).

Like `WordTokenizer`, the same ops run inside a model (so an export
tokenizes raw tweets) and, eagerly, behind `TweetTokenizer.tokenize`, so
the Python view and the graph cannot disagree.
"""

import tensorflow as tf
import tensorflow_text as tf_text

from seqkit.preprocessing.word_tokenizer import (
    _APOSTROPHES,
    _QUOTES,
    _SPACES,
    _WORD,
    WordTokenizer,
    strip_markup,
)
from seqkit.registry import register

URL = "<url>"
USER = "<user>"
NUMBER = "<number>"

# Removed before anything else: variation selectors (text or emoji
# presentation) and skin-tone modifiers, so "👍🏽" and "👍" are one token.
_EMOJI_MODIFIERS = r"[\x{FE0E}\x{FE0F}\x{1F3FB}-\x{1F3FF}]"
_URL = r"(?i)(?:https?://|www\.)[^\s]+"
# RE2 has no look-behind: the character before the "@" is kept by \1, so
# "me@mail.com" is no mention.
_MENTION = r"(^|[^\pL\pN_@])@[\pL\pN_]+"
# A pictograph, or a flag (two regional indicators), or a keycap, then any
# zero-width-joined followers ("👩‍💻", "🏳‍🌈").
_PICTOGRAPH = r"[\p{So}\x{1F000}-\x{1FAFF}\x{2600}-\x{27BF}]"
_EMOJI = (
    r"[\x{1F1E6}-\x{1F1FF}]{2}"
    rf"|[0-9#*]\x{{20E3}}"
    rf"|{_PICTOGRAPH}(?:\x{{200D}}{_PICTOGRAPH})*"
)
# Emoticons (either case): eyes, an optional nose, a mouth (":)", ":-(",
# ";d", ":p", ":'(", ":/"), hearts, and eye-mouth-eye faces ("^_^", "-_-",
# "o_o", "t_t"). "xd" needs no rule: it is a word.
_EMOTICON = (
    r"[:;=][-'^oO]?[()\[\]dDpPoO3*|/\\@$]+"
    r"|</?3+"
    r"|[\^\-oOtT>]_+[\^\-oOtT<]"
    r"|\^\^"
)
_HASHTAG = r"#[\pL\pN_]+"
_PLACEHOLDER = r"<url>|<user>"
_RUNS = r"\.{2,}|[!?]+"
# No capturing group (see `word_tokenizer._TOKEN`): the rewrite puts spaces
# around the whole match.
_TOKEN = (
    rf"(?:{_PLACEHOLDER}|{_EMOJI}|{_EMOTICON}|{_HASHTAG}|{_WORD}|{_RUNS})"
    r"|[^ ]"
)
_TOKEN_REWRITE = r" \0 "
_NUMBER = r"\pN+(?:[.,:/]\pN+)*"


@register(
    example={
        "init": {},
        "texts": ["sooooo good @bob :) #tbt http://x.co 10", ""],
        "tokens": [
            ["soo", "good", "<user>", ":)", "#tbt", "<url>", "<number>"],
            [],
        ],
    }
)
class TweetTokenizer(WordTokenizer):
    """Splits tweets into tokens with TensorFlow string ops (runs in-graph).

    The rules, in order:
    1. Invalid UTF-8 becomes U+FFFD, and Unicode normalization is applied
       (`normalization`, NFC by default: NFKC would rewrite some symbols).
    2. Emoji variation selectors and skin-tone modifiers are removed.
    3. URLs become `<url>` and @mentions `<user>`.
    4. Text is lower-cased (`lowercase`).
    5. A character repeated 3 or more times is cut to 2: "sooooo" becomes
       "soo", "!!!!" becomes "!!".
    6. Tokens are split off: every emoji is one token (including
       zero-width-joined sequences, flags and keycaps); emoticons are one
       token (":)", ":-(", ";d", ":p", "<3", "^_^", "-_-", "xd");
       hashtags stay whole ("#tbt"), and so do contractions ("don't");
       other punctuation is split off words, with "..." and "!?" runs
       kept whole.
    7. A token that is a number becomes `<number>`.

    Args:
        lowercase: whether to lower-case the text.
        normalization: `"NFC"` (default), `"NFKC"`, `"NFD"`, `"NFKD"` or
            `None`.
        strip_markup: whether HTML tags and character references are
            removed first (as `WordTokenizer` does).

    Example:

    ```python
    from seqkit.preprocessing import TweetTokenizer

    TweetTokenizer().tokenize(["@bob sooooo good!!!! 😂😂 http://t.co/x"])
    # [["<user>", "soo", "good", "!!", "😂", "😂", "<url>"]]
    ```
    """

    def __init__(self, lowercase=True, normalization="NFC", strip_markup=False):
        super().__init__(
            lowercase,
            normalization,
            split_punctuation=True,
            strip_markup=strip_markup,
        )

    def standardize(self, texts):
        """Applies rules 1-6; tokens are separated by spaces.

        Args:
            texts: a string tensor of any shape (or something convertible).

        Returns:
            A string tensor of the same shape.
        """
        texts = tf.convert_to_tensor(texts, dtype=tf.string)
        texts = tf.strings.unicode_transcode(
            texts, "UTF-8", "UTF-8", errors="replace"
        )
        if self.strip_markup:
            texts = strip_markup(texts)
        if self.normalization is not None:
            texts = tf_text.normalize_utf8(texts, self.normalization)
        texts = tf.strings.regex_replace(texts, _EMOJI_MODIFIERS, "")
        texts = tf.strings.regex_replace(texts, _URL, f" {URL} ")
        texts = tf.strings.regex_replace(texts, _MENTION, rf"\1 {USER} ")
        if self.lowercase:
            texts = tf.strings.lower(texts, encoding="utf-8")
        texts = tf.strings.regex_replace(texts, _APOSTROPHES, "'")
        texts = tf.strings.regex_replace(texts, _QUOTES, '"')
        texts = tf.strings.regex_replace(texts, _SPACES, " ")
        texts = cut_repeats(texts)
        return tf.strings.regex_replace(texts, _TOKEN, _TOKEN_REWRITE)

    def __call__(self, texts):
        """Tokenizes a string tensor in the graph (see `WordTokenizer`)."""
        tokens = tf.strings.split(self.standardize(texts))
        is_number = tf.strings.regex_full_match(tokens, _NUMBER)
        if isinstance(tokens, tf.RaggedTensor):
            return tf.ragged.map_flat_values(
                tf.where, is_number, NUMBER, tokens
            )
        return tf.where(is_number, NUMBER, tokens)

    def get_config(self):
        """Returns the constructor arguments, for Keras serialization."""
        config = {
            "lowercase": self.lowercase,
            "normalization": self.normalization,
        }
        if self.strip_markup:
            config["strip_markup"] = True
        return config

    def __eq__(self, other):
        return (
            isinstance(other, TweetTokenizer)
            and self.get_config() == other.get_config()
        )

    def __hash__(self):
        return hash(("tweet", *sorted(self.get_config().items())))

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"TweetTokenizer({args})"


def cut_repeats(texts, keep=2):
    """Cuts every run of one character longer than `keep` to `keep`.

    RE2 has no back-references, so this compares each character with the
    `keep` before it, on the Unicode characters of each string.

    Args:
        texts: a string tensor of any shape.
        keep: the longest run kept.

    Returns:
        A string tensor of the same shape.
    """
    shape = tf.shape(texts)
    flat = tf.reshape(texts, [-1])
    chars = tf.strings.unicode_split(flat, "UTF-8")
    values = chars.flat_values
    positions = tf.range(tf.size(values, out_type=tf.int64)) - tf.repeat(
        chars.row_starts(), chars.row_lengths()
    )
    repeated = tf.ones_like(values, dtype=tf.bool)
    for back in range(1, keep + 1):
        earlier = tf.concat([tf.fill([back], ""), values], 0)
        earlier = earlier[: tf.size(values)]
        repeated &= tf.equal(values, earlier) & (positions >= back)
    kept = tf.ragged.boolean_mask(
        chars, chars.with_flat_values(tf.logical_not(repeated))
    )
    return tf.reshape(tf.strings.reduce_join(kept, axis=-1), shape)
