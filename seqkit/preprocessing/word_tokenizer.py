"""A word tokenizer made of TensorFlow string ops, so it runs in the graph.

The same ops serve three uses: inside a Keras model that takes raw strings
(as the `split` of `keras.layers.TextVectorization`), inside `tf.data`, and
from Python through `WordTokenizer.tokenize`, which runs them eagerly, so
the Python view and the graph cannot disagree.
"""

import tensorflow as tf
import tensorflow_text as tf_text

from seqkit.errors import SeqkitError
from seqkit.registry import register

NORMALIZATIONS = ("NFC", "NFKC", "NFD", "NFKD")

# Typographic apostrophes and quotes become ASCII, so "don’t" and "don't"
# are one word (and one vocabulary entry).
_APOSTROPHES = r"[\x{2018}\x{2019}\x{02BC}]"
_QUOTES = r"[\x{201C}\x{201D}]"
# Every kind of white space (Unicode separators, controls, zero-width space,
# byte-order mark) becomes one ASCII space, the only separator the final
# split knows. The soft hyphen is invisible: it is dropped.
#
# A lone ASCII space is already what the rule makes, so the pattern does
# not match it: a run of two or more white-space characters, or one that
# is not an ASCII space (`[^\PZ ]` is a separator other than " "; RE2 has
# no class subtraction). The output is that of `[...]+` -> " " (tested on
# random strings), but text spaced the usual way has no match, and the op
# took 0.02 instead of 0.18 ms for a batch of 64 snippets.
_SPACE = r"\s\pZ\p{Cc}\x{200B}\x{FEFF}"
_SPACES = rf"[{_SPACE}]{{2,}}|[^\PZ ]|[\p{{Cc}}\x{{200B}}\x{{FEFF}}]"
_SOFT_HYPHEN = r"\x{00AD}"

# Markup (`strip_markup=True`): an HTML or XML tag ("<br />", "<i>",
# "</p>") becomes a space, and the five character references HTML text
# carries most ("&amp;", "&lt;", "&gt;", "&quot;", "&#39;") become their
# characters. A tag opens with a letter, "/" or "!", so "a < b > c" and
# "<3" are not tags.
_MARKUP_TAG = r"<[/!]?[A-Za-z][^<>]{0,200}>"
_MARKUP_ENTITIES = (
    ("&nbsp;", " "),
    ("&quot;", '"'),
    ("&#39;", "'"),
    ("&apos;", "'"),
    ("&lt;", "<"),
    ("&gt;", ">"),
    ("&amp;", "&"),
)


def strip_markup(texts):
    """Replaces HTML tags by spaces and decodes common entities, in the graph.

    Example:

    ```python
    import tensorflow as tf

    from seqkit.preprocessing.word_tokenizer import strip_markup

    strip_markup(tf.constant("Great<br /><br />fun &amp; games"))
    # <tf.Tensor: ... numpy=b"Great  fun & games">
    ```
    """
    texts = tf.strings.regex_replace(texts, _MARKUP_TAG, " ")
    for entity, character in _MARKUP_ENTITIES:
        texts = tf.strings.regex_replace(texts, entity, character)
    return texts


# The token pattern. RE2 has no look-around, so the tokenizer surrounds
# every match of one alternation with spaces and then splits on spaces. RE2
# picks the first alternative that matches at each position, so order
# matters.
#
# A word part is a number with inner separators and an optional letter
# suffix ("3.5", "1,000", "10:30", "9/10", "21st", "1990s"), or a run of
# letters, digits and combining marks. Parts joined by one hyphen or one
# apostrophe stay one word: "well-made", "jean-claude", "don't", "it's",
# "film's", "n't", "rock'n'roll"; "--" between words is not a join.
_PART = r"\pN+(?:[.,:/]\pN+)*[\pL\pN\pM]*|[\pL\pN\pM]+"
_WORD = rf"(?:{_PART})(?:[-'](?:{_PART}))*"
# Abbreviations written with dots: "u.s.", "e.g.", "a.k.a.".
_ABBREVIATION = r"(?:\pL\.){2,}"
# Punctuation runs kept whole: "...", "--", "!!!", "?!".
_RUNS = r"\.{2,}|-{2,}|[!?]+"
# Emoji: a flag (two regional indicators), or a symbol with its modifiers
# (skin tone, variation selector) and zero-width-joined followers.
_EMOJI = (
    r"[\x{1F1E6}-\x{1F1FF}]{2}"
    r"|\p{So}(?:\pM|\p{Sk}|\x{200D}\p{So})*"
)
# A clitic standing alone, as in text already split the Penn Treebank way
# ("it 's", "they 're"): kept whole when a space or the end follows.
_CLITIC = r"'(?i:s|re|ve|ll|m|d)"
#
# The pattern has no capturing group and the rewrite puts spaces around the
# whole match (a clitic's following space with it, which the split then
# ignores): without groups RE2 finds the matches by its DFA alone. With
# three groups and " \1\2\3 " the op took 3.5 times as long (1.33 against
# 0.38 ms for a batch of 64 snippets), for the same tokens on all 12,752
# Rotten Tomatoes snippets and the tokenizer's test cases.
_TOKEN = rf"(?:{_ABBREVIATION}|{_WORD}|{_RUNS}|{_EMOJI})|{_CLITIC}(?: |$)|[^ ]"
_TOKEN_REWRITE = r" \0 "


@register(
    example={
        "init": {"normalization": "NFC"},
        "texts": ["It's a well-made film, isn't it?", "3.5 stars!!!", ""],
        "tokens": [
            ["it's", "a", "well-made", "film", ",", "isn't", "it", "?"],
            ["3.5", "stars", "!!!"],
            [],
        ],
    }
)
class WordTokenizer:
    """Splits text into words with TensorFlow string ops (runs in-graph).

    The steps, in order: invalid UTF-8 bytes become U+FFFD; Unicode
    normalization (`normalization`, NFKC by default, which turns "ﬁ" into
    "fi", full-width letters into ASCII and "…" into "..."); lower-casing
    (`lowercase`, Unicode-aware); typographic apostrophes and double quotes
    become ASCII; every kind of white space becomes a separator; then, when
    `split_punctuation`, punctuation is split off words:

    - contractions and possessives stay whole: "don't", "it's", "film's",
      "n't"; a clitic already split off ("it 's") stays "'s";
    - hyphenated words stay whole ("well-made"); "--" is a token;
    - numbers keep inner separators: "3.5", "1,000", "10:30", "9/10",
      "21st"; "$5" is "$", "5";
    - dotted abbreviations stay whole ("u.s."); runs "...", "--", "!!!" and
      "?!" are one token each; every other punctuation mark is its own
      token; an emoji with its modifiers is one token.

    Without `split_punctuation` the text is only split on white space. Text
    that is already tokenized (space-separated punctuation, as in the Rotten
    Tomatoes snippets) comes out unchanged apart from case.

    The object is callable on a string tensor and is registered for Keras
    serialization, so it can be the `split` of a
    `keras.layers.TextVectorization` that is saved and loaded.

    Args:
        lowercase: whether to lower-case the text.
        normalization: `"NFKC"` (default), `"NFC"`, `"NFD"`, `"NFKD"`, or
            `None` for no Unicode normalization.
        split_punctuation: whether to split punctuation off words.
        strip_markup: whether HTML tags become spaces and the common
            character references (`&amp;` ...) their characters, before
            anything else (`strip_markup`, the function).

    Raises:
        SeqkitError: for an unknown `normalization`.

    Example:

    ```python
    import tensorflow as tf

    from seqkit.preprocessing import WordTokenizer

    tokenizer = WordTokenizer()
    tokenizer.tokenize(["It's a well-made film, isn't it?"])
    # [["it's", "a", "well-made", "film", ",", "isn't", "it", "?"]]
    tokenizer(tf.constant(["a b"]))  # <tf.RaggedTensor [[b"a", b"b"]]>
    ```
    """

    def __init__(
        self,
        lowercase=True,
        normalization="NFKC",
        split_punctuation=True,
        strip_markup=False,
    ):
        if normalization is not None:
            if str(normalization).upper() not in NORMALIZATIONS:
                raise SeqkitError(
                    f"normalization must be one of {NORMALIZATIONS} or None; "
                    f"received normalization={normalization!r}"
                )
            normalization = str(normalization).upper()
        self.lowercase = bool(lowercase)
        self.normalization = normalization
        self.split_punctuation = bool(split_punctuation)
        self.strip_markup = bool(strip_markup)

    def standardize(self, texts):
        """Normalizes text and separates its tokens with spaces.

        Args:
            texts: a string tensor of any shape (or something convertible).

        Returns:
            A string tensor of the same shape whose tokens are separated by
            one or more ASCII spaces.

        Example:

        ```python
        import tensorflow as tf

        from seqkit.preprocessing import WordTokenizer

        WordTokenizer().standardize(tf.constant("Hi, you!"))
        # <tf.Tensor: ... numpy=b" hi  ,   you  ! ">
        ```
        """
        texts = tf.convert_to_tensor(texts, dtype=tf.string)
        texts = tf.strings.unicode_transcode(
            texts, "UTF-8", "UTF-8", errors="replace"
        )
        if self.strip_markup:
            texts = strip_markup(texts)
        if self.normalization is not None:
            texts = tf_text.normalize_utf8(texts, self.normalization)
        if self.lowercase:
            texts = tf.strings.lower(texts, encoding="utf-8")
        texts = tf.strings.regex_replace(texts, _APOSTROPHES, "'")
        texts = tf.strings.regex_replace(texts, _QUOTES, '"')
        texts = tf.strings.regex_replace(texts, _SOFT_HYPHEN, "")
        texts = tf.strings.regex_replace(texts, _SPACES, " ")
        if self.split_punctuation:
            texts = tf.strings.regex_replace(texts, _TOKEN, _TOKEN_REWRITE)
        return texts

    def __call__(self, texts):
        """Tokenizes a string tensor in the graph.

        Args:
            texts: a string tensor: a scalar, or a batch of any rank.

        Returns:
            For a scalar, a 1-D string tensor of tokens; for a batch, a
            `tf.RaggedTensor` with one more (ragged) dimension.
        """
        return tf.strings.split(self.standardize(texts))

    def tokenize(self, texts):
        """Tokenizes Python strings by running the graph ops eagerly.

        Args:
            texts: a list of strings (or one string).

        Returns:
            A list of token lists (or one token list for one string).

        Raises:
            SeqkitError: when `texts` holds something other than strings.

        Example:

        ```python
        from seqkit.preprocessing import WordTokenizer

        WordTokenizer().tokenize(["Great fun!"])  # [["great", "fun", "!"]]
        ```
        """
        single = isinstance(texts, (str, bytes))
        batch = [texts] if single else list(texts)
        for i, text in enumerate(batch):
            if not isinstance(text, (str, bytes)):
                raise SeqkitError(
                    f"tokenize expects strings; item {i} is "
                    f"{type(text).__name__}: {text!r}"
                )
        if not batch:
            return []
        tokens = self(tf.constant(batch, dtype=tf.string)).to_list()
        decoded = [[t.decode("utf-8") for t in row] for row in tokens]
        return decoded[0] if single else decoded

    def iter_tokenize(self, texts, batch_size=4096):
        """Tokenizes an iterable of strings lazily, a batch at a time.

        Args:
            texts: an iterable of strings (a list, a file, a generator).
            batch_size: how many texts go through the graph at once.

        Yields:
            One token list per text, in order.

        Raises:
            SeqkitError: when `texts` holds something other than strings.

        Example:

        ```python
        from seqkit.preprocessing import WordTokenizer

        with open("corpus.txt", "w") as f:
            f.write("A fine film.\\nA dull one.\\n")
        with open("corpus.txt") as lines:
            for tokens in WordTokenizer().iter_tokenize(lines):
                ...  # ["a", "fine", "film", "."], then ["a", "dull", ...]
        ```
        """
        batch = []
        for text in texts:
            batch.append(text)
            if len(batch) == batch_size:
                yield from self.tokenize(batch)
                batch = []
        if batch:
            yield from self.tokenize(batch)

    def get_config(self):
        """Returns the constructor arguments, for Keras serialization."""
        config = {
            "lowercase": self.lowercase,
            "normalization": self.normalization,
            "split_punctuation": self.split_punctuation,
        }
        # Written only when on, so configs saved before the option existed
        # compare equal to today's.
        if self.strip_markup:
            config["strip_markup"] = True
        return config

    @classmethod
    def from_config(cls, config):
        """Rebuilds a tokenizer from `get_config()`."""
        return cls(**config)

    def __eq__(self, other):
        return (
            isinstance(other, WordTokenizer)
            and self.get_config() == other.get_config()
        )

    def __hash__(self):
        return hash(tuple(sorted(self.get_config().items())))

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"WordTokenizer({args})"


def tokenize(
    texts, lowercase=True, normalization="NFKC", split_punctuation=True
):
    """Tokenizes Python strings exactly as the in-graph tokenizer does.

    A shortcut for `WordTokenizer(...).tokenize(texts)`.

    Args:
        texts: a list of strings (or one string).
        lowercase: whether to lower-case the text.
        normalization: `"NFKC"` (default), `"NFC"`, `"NFD"`, `"NFKD"` or
            `None`.
        split_punctuation: whether to split punctuation off words.

    Returns:
        A list of token lists (or one token list for one string).

    Raises:
        SeqkitError: for an unknown `normalization` or a non-string item.

    Example:

    ```python
    from seqkit.preprocessing import tokenize

    tokenize(["The plot is thin , but it's fun."])
    # [["the", "plot", "is", "thin", ",", "but", "it's", "fun", "."]]
    ```
    """
    tokenizer = WordTokenizer(lowercase, normalization, split_punctuation)
    return tokenizer.tokenize(texts)
