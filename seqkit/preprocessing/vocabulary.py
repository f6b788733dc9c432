"""A word vocabulary built from training texts, with reserved ids 0 and 1."""

import collections
import os

from seqkit.preprocessing.errors import VocabularyError

PAD_TOKEN = "[PAD]"
UNK_TOKEN = "[UNK]"
PAD_ID = 0
UNK_ID = 1
RESERVED = (PAD_TOKEN, UNK_TOKEN)


class Vocabulary:
    """Maps words to ids: 0 is padding, 1 is unknown, words from 2 on.

    Words are ordered by training frequency (most frequent first), ties
    alphabetically, so the same texts always give the same ids. The counts
    travel with the vocabulary: `counts[word]` for each word, and
    `unknown_count`, the number of training tokens that map to id 1 (the
    words dropped by `min_count` or `max_size`); they give the token
    coverage of pretrained vectors (`seqkit.preprocessing.embedding_matrix`).

    The ids are those of `keras.layers.TextVectorization` given
    `vocabulary=vocab.words` (which calls them `""` and `"[UNK]"`).

    Args:
        words: the words in id order (ids 2, 3, ...), without the reserved
            tokens; each unique, non-empty, without white space.
        counts: optional mapping word -> training count.
        unknown_count: training tokens that map to the unknown id.

    Raises:
        VocabularyError: for an empty, duplicated, reserved or white-space
            word.

    Example:

    ```python
    from seqkit.preprocessing import Vocabulary

    vocab = Vocabulary.from_texts(["a fine film", "a dull film"])
    vocab.words  # ["a", "film", "dull", "fine"]
    vocab.encode(["a", "great", "film"])  # [2, 1, 3]
    assert vocab.decode([2, 1, 3]) == ["a", "[UNK]", "film"]
    ```
    """

    def __init__(self, words, counts=None, unknown_count=0):
        words = list(words)
        seen = set()
        for word in words:
            _check_word(word)
            if word in seen:
                raise VocabularyError(
                    f"the word {word!r} appears twice; each word needs "
                    "exactly one id"
                )
            seen.add(word)
        counts = dict(counts or {})
        self._words = words
        self._ids = {word: i + len(RESERVED) for i, word in enumerate(words)}
        self._counts = {word: int(counts.get(word, 0)) for word in words}
        self._has_counts = bool(counts) or unknown_count > 0
        self.unknown_count = int(unknown_count)

    @classmethod
    def from_counts(cls, counts, min_count=1, max_size=None):
        """Builds a vocabulary from word counts.

        Args:
            counts: a mapping word -> count over the training texts.
            min_count: keep words seen at least this often.
            max_size: the most ids, the two reserved ones included (so at
                most `max_size - 2` words); `None` for no limit.

        Returns:
            A `Vocabulary`.

        Raises:
            VocabularyError: for `min_count < 1` or `max_size < 2`.

        Example:

        ```python
        from seqkit.preprocessing import Vocabulary

        vocab = Vocabulary.from_counts({"film": 3, "a": 3, "dull": 1},
                                       min_count=2)
        vocab.words, vocab.unknown_count  # ["a", "film"], 1
        ```
        """
        _check_limits(min_count, max_size)
        counts = {w: int(n) for w, n in counts.items() if w not in RESERVED}
        ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
        kept = [(w, n) for w, n in ranked if n >= min_count]
        if max_size is not None:
            kept = kept[: max_size - len(RESERVED)]
        dropped = sum(counts.values()) - sum(n for _, n in kept)
        return cls([w for w, _ in kept], dict(kept), unknown_count=dropped)

    @classmethod
    def from_texts(cls, texts, tokenizer=None, min_count=1, max_size=None):
        """Builds a vocabulary from training texts.

        Args:
            texts: an iterable of strings.
            tokenizer: a `WordTokenizer` (default: `WordTokenizer()`); use
                the one the model uses, so the words match.
            min_count: keep words seen at least this often.
            max_size: the most ids, the two reserved ones included;
                `None` for no limit.

        Returns:
            A `Vocabulary`.

        Raises:
            VocabularyError: for `min_count < 1` or `max_size < 2`.

        Example:

        ```python
        from seqkit.preprocessing import Vocabulary

        train_texts = ["A fine film.", "A dull film!"]
        vocab = Vocabulary.from_texts(train_texts, min_count=2,
                                      max_size=20000)
        vocab.tokens  # ["[PAD]", "[UNK]", "a", "film"]
        ```
        """
        _check_limits(min_count, max_size)
        return cls.from_counts(
            count_tokens(texts, tokenizer), min_count, max_size
        )

    @property
    def words(self):
        """The words in id order (ids 2, 3, ...), reserved tokens excluded."""
        return list(self._words)

    @property
    def tokens(self):
        """Every id's token in id order: `"[PAD]"`, `"[UNK]"`, the words."""
        return [*RESERVED, *self._words]

    @property
    def counts(self):
        """A dict word -> training count (zeros when counts are unknown)."""
        return dict(self._counts)

    @property
    def has_counts(self):
        """Whether the vocabulary knows its training counts."""
        return self._has_counts

    def __len__(self):
        return len(self._words) + len(RESERVED)

    def __contains__(self, word):
        return word in self._ids

    def __iter__(self):
        return iter(self.tokens)

    def __eq__(self, other):
        return isinstance(other, Vocabulary) and (
            self._words,
            self._counts,
            self.unknown_count,
        ) == (other._words, other._counts, other.unknown_count)

    def __repr__(self):
        return f"Vocabulary(size={len(self)}, words={self._words[:5]!r}...)"

    def token_to_id(self, token):
        """Returns the id of a token (1 for an unknown one).

        Args:
            token: a string.

        Returns:
            Its id: 0 for `"[PAD]"`, 1 for `"[UNK]"` or an unknown word.

        Example:

        ```python
        from seqkit.preprocessing import Vocabulary

        vocab = Vocabulary(["a", "film"])
        vocab.token_to_id("film")  # 3
        ```
        """
        if token == PAD_TOKEN:
            return PAD_ID
        return self._ids.get(token, UNK_ID)

    def id_to_token(self, index):
        """Returns the token of an id.

        Args:
            index: an int id.

        Returns:
            The token (`"[PAD]"`, `"[UNK]"` or a word).

        Raises:
            VocabularyError: for an id outside `0 .. len(vocab) - 1`.
        """
        if not 0 <= int(index) < len(self):
            raise VocabularyError(
                f"id {index} is outside this vocabulary (ids 0 to "
                f"{len(self) - 1})"
            )
        return self.tokens[int(index)]

    def encode(self, tokens):
        """Maps a list of tokens to a list of ids (1 for unknown ones).

        Args:
            tokens: a list of strings.

        Returns:
            A list of ints.

        Example:

        ```python
        from seqkit.preprocessing import Vocabulary

        vocab = Vocabulary(["a", "film"])
        vocab.encode(["a", "never-seen"])  # [2, 1]
        ```
        """
        return [self.token_to_id(token) for token in tokens]

    def decode(self, ids):
        """Maps a list of ids to a list of tokens (unknown ids skipped).

        Args:
            ids: a list of ints (or a NumPy array).

        Returns:
            A list of strings.

        Example:

        ```python
        from seqkit.preprocessing import Vocabulary

        vocab = Vocabulary(["a", "film"])
        vocab.decode([2, 1, 0])  # ["a", "[UNK]", "[PAD]"]
        ```
        """
        tokens = self.tokens
        return [tokens[int(i)] for i in ids if 0 <= int(i) < len(tokens)]

    def save(self, path):
        """Writes the vocabulary to a UTF-8 text file, one id per line.

        Each line is `token<TAB>count`, in id order, starting with
        `[PAD]` and `[UNK]` (whose count is `unknown_count`).

        Args:
            path: the file to write.

        Example:

        ```python
        from seqkit.preprocessing import Vocabulary

        vocab = Vocabulary.from_texts(["a fine film", "a dull film"])
        vocab.save("vocabulary.txt")
        assert Vocabulary.load("vocabulary.txt") == vocab
        ```
        """
        lines = [f"{PAD_TOKEN}\t0", f"{UNK_TOKEN}\t{self.unknown_count}"]
        lines += [f"{w}\t{self._counts[w]}" for w in self._words]
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            f.write("\n".join(lines) + "\n")

    @classmethod
    def load(cls, path):
        """Reads a vocabulary written by `save`.

        Also accepts a plain word list (one word per line, no counts, with
        or without the two reserved lines first).

        Args:
            path: the file to read.

        Returns:
            A `Vocabulary`.

        Raises:
            VocabularyError: for a malformed line, naming file and line.
            FileNotFoundError: when the file does not exist.
        """
        words, counts = [], {}
        with open(path, encoding="utf-8") as f:
            rows = [line.rstrip("\r\n") for line in f]
        for number, row in enumerate(rows, start=1):
            word, count = _parse_line(row, path, number)
            words.append(word)
            if count is not None:
                counts[word] = count
        unknown = counts.pop(UNK_TOKEN, 0)
        counts.pop(PAD_TOKEN, None)
        if words[: len(RESERVED)] == list(RESERVED):
            words = words[len(RESERVED) :]
        try:
            return cls(words, counts, unknown_count=unknown)
        except VocabularyError as error:
            raise VocabularyError(f"{os.fspath(path)}: {error}") from None


def count_tokens(texts, tokenizer=None):
    """Counts tokens over texts, tokenizing a batch at a time in the graph.

    Args:
        texts: an iterable of strings.
        tokenizer: a `WordTokenizer` (default: `WordTokenizer()`).

    Returns:
        A `collections.Counter` token -> count.

    Example:

    ```python
    from seqkit.preprocessing import count_tokens

    count_tokens(["a b", "a"])  # Counter({"a": 2, "b": 1})
    ```
    """
    if tokenizer is None:
        from seqkit.preprocessing.word_tokenizer import WordTokenizer

        tokenizer = WordTokenizer()
    counts = collections.Counter()
    for tokens in tokenizer.iter_tokenize(texts):
        counts.update(tokens)
    return counts


def _check_word(word):
    if not isinstance(word, str) or not word:
        raise VocabularyError(
            f"vocabulary words must be non-empty strings; received {word!r}"
        )
    if word in RESERVED:
        raise VocabularyError(
            f"{word!r} is reserved (ids 0 and 1); leave it out of the words"
        )
    if any(c.isspace() for c in word):
        raise VocabularyError(
            f"the word {word!r} contains white space; tokens never do, so "
            "it could never be looked up"
        )


def _check_limits(min_count, max_size):
    if int(min_count) < 1:
        raise VocabularyError(
            f"min_count must be at least 1; received min_count={min_count}"
        )
    if max_size is not None and int(max_size) < len(RESERVED):
        raise VocabularyError(
            "max_size counts the reserved ids 0 and 1, so it must be at "
            f"least 2; received max_size={max_size}"
        )


def _parse_line(row, path, number):
    word, tab, count = row.partition("\t")
    if not word:
        raise VocabularyError(
            f"{os.fspath(path)}, line {number}: empty token; a vocabulary "
            "file holds one token per line"
        )
    if not tab:
        return word, None
    try:
        return word, int(count)
    except ValueError:
        raise VocabularyError(
            f"{os.fspath(path)}, line {number}: the count {count!r} is not "
            "an integer; lines read 'token<TAB>count'"
        ) from None
