"""Pretrained word vectors: GloVe / word2vec text files, and the embedding
matrix of a vocabulary (the packaged GloVe 6B-50d loads in `glove`).

Reading needs only NumPy, not TensorFlow.
"""

import dataclasses
import math
import os
import re

import numpy as np

from seqkit.errors import SeqkitError
from seqkit.preprocessing.errors import VectorsFileError
from seqkit.preprocessing.vocabulary import PAD_ID, RESERVED, Vocabulary


@dataclasses.dataclass
class WordVectors:
    """Words and their vectors, one row of `matrix` per word.

    Args:
        words: the words, in row order (unique).
        matrix: a float32 array of shape `(len(words), dim)`.
        std: the standard deviation of all the values of the source (the
            whole file, even when only some rows were kept); new random
            vectors use it.
        source: where the vectors come from (a path or a package name).

    Raises:
        SeqkitError: when `words` and `matrix` do not match.

    Example:

    ```python
    import numpy as np

    from seqkit.preprocessing import WordVectors

    vectors = WordVectors(["film", "plot"], np.eye(2, 3), std=0.5)
    vectors.dim, len(vectors), vectors.get("film")  # 3, 2, [1.0, 0.0, 0.0]
    ```
    """

    words: list
    matrix: np.ndarray
    std: float
    source: str = ""

    def __post_init__(self):
        self.matrix = np.asarray(self.matrix, dtype=np.float32)
        if self.matrix.ndim != 2 or self.matrix.shape[0] != len(self.words):
            raise VectorsFileError(
                f"{len(self.words)} words but a matrix of shape "
                f"{self.matrix.shape}; each word needs one row",
                self.source or "word vectors",
            )
        self.index = {w: i for i, w in enumerate(self.words)}

    @property
    def dim(self):
        """The vector size."""
        return int(self.matrix.shape[1])

    def __len__(self):
        return len(self.words)

    def __contains__(self, word):
        return word in self.index

    def get(self, word, default=None):
        """Returns the vector of `word` (a view of its row), or `default`.

        Args:
            word: the exact word (no case folding here).
            default: what to return for a word without a vector.

        Returns:
            A float32 array of shape `(dim,)`, or `default`.
        """
        row = self.index.get(word)
        return default if row is None else self.matrix[row]


def load_word_vectors(path, vocabulary=None, encoding="utf-8"):
    """Reads a GloVe or word2vec text file.

    GloVe rows read `word v1 v2 ... vd`. A word2vec text file starts with a
    header line `count dim`; a first line of exactly two integers is taken
    for that header, and the number of rows is then checked against it.
    Every row must hold one word (words containing spaces are not
    supported) and `dim` finite numbers. Blank lines are skipped; when a
    word appears twice its first row wins.

    Args:
        path: the text file.
        vocabulary: optional `Vocabulary` or iterable of words; only the
            rows `embedding_matrix` can use (each word and its lower-cased
            form) are kept, to save memory.
        encoding: the file's text encoding.

    Returns:
        A `WordVectors`; its `std` covers every row of the file.

    Raises:
        VectorsFileError: for a malformed row, naming the file and line.
        FileNotFoundError: when the file does not exist.

    Example:

    ```python
    from seqkit.preprocessing import Vocabulary, load_word_vectors

    with open("glove.txt", "w") as f:  # GloVe's layout: a word, its vector
        for word in ("the", "film", "plot"):
            f.write(f"{word} 0.1 0.2 0.3\\n")
    vocab = Vocabulary.from_texts(["A fine film"])
    vectors = load_word_vectors("glove.txt", vocabulary=vocab)
    assert vectors.words == ["film"] and vectors.dim == 3
    ```
    """
    wanted = wanted_words(vocabulary)
    reader = _VectorsReader(os.fspath(path))
    words, rows = [], []
    seen = set()
    with open(path, "rb") as f:
        for number, raw in enumerate(f, start=1):
            parsed = reader.parse(_decode(raw, encoding, path, number), number)
            if parsed is None:
                continue
            word, values = parsed
            if word in seen or (wanted is not None and word not in wanted):
                continue
            seen.add(word)
            words.append(word)
            rows.append(values)
    reader.finish()
    matrix = np.stack(rows) if rows else np.zeros((0, reader.dim), np.float32)
    return WordVectors(words, matrix, reader.std(), os.fspath(path))


class _VectorsReader:
    """Parses rows one at a time and keeps what the whole file needs."""

    def __init__(self, path):
        self.path = path
        self.dim = None
        self.expected_rows = None
        self.rows = 0
        self.total = 0.0
        self.total_squares = 0.0

    def parse(self, line, number):
        parts = line.rstrip().split(" ")
        if parts == [""]:
            return None
        if self.dim is None and self._is_header(parts):
            self.expected_rows, self.dim = int(parts[0]), int(parts[1])
            if self.dim < 1:
                raise VectorsFileError(
                    f"the word2vec header gives dimension {self.dim}",
                    self.path,
                    number,
                )
            return None
        if self.dim is None:
            self.dim = len(parts) - 1
            if self.dim < 1:
                raise VectorsFileError(
                    f"the first row {parts[0]!r} has no values", self.path, 1
                )
        values = self._values(parts, number)
        self.rows += 1
        as_double = values.astype(np.float64)
        self.total += float(as_double.sum())
        self.total_squares += float(np.dot(as_double, as_double))
        return parts[0], values

    @staticmethod
    def _is_header(parts):
        return len(parts) == 2 and all(p.isdigit() for p in parts)

    def _values(self, parts, number):
        found = len(parts) - 1
        if found != self.dim:
            raise VectorsFileError(
                f"the row of {parts[0]!r} has {found} values, expected "
                f"{self.dim} (one word, then {self.dim} numbers separated "
                "by single spaces)",
                self.path,
                number,
            )
        try:
            values = np.array(parts[1:], dtype=np.float32)
        except ValueError:
            bad = next(p for p in parts[1:] if not _is_number(p))
            raise VectorsFileError(
                f"{bad!r} in the row of {parts[0]!r} is not a number",
                self.path,
                number,
            ) from None
        if not np.isfinite(values).all():
            raise VectorsFileError(
                f"the row of {parts[0]!r} holds a non-finite value",
                self.path,
                number,
            )
        return values

    def finish(self):
        if self.dim is None:
            raise VectorsFileError("the file holds no vectors", self.path)
        if self.expected_rows is not None and self.rows != self.expected_rows:
            raise VectorsFileError(
                f"the word2vec header announces {self.expected_rows} "
                f"vectors but the file holds {self.rows} (truncated file?)",
                self.path,
            )

    def std(self):
        count = self.rows * self.dim
        if count == 0:
            return 0.0
        mean = self.total / count
        return math.sqrt(max(self.total_squares / count - mean * mean, 0.0))


def _decode(raw, encoding, path, number):
    # Lines are decoded one by one so that an error names its line.
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as error:
        raise VectorsFileError(
            f"not {encoding} text ({error.reason}); binary word2vec files "
            "are not supported: convert them to text first",
            path,
            number,
        ) from None


def _is_number(text):
    try:
        float(text)
    except ValueError:
        return False
    return True


def wanted_words(vocabulary):
    """The words whose rows `embedding_matrix` can use (None: all)."""
    if vocabulary is None:
        return None
    words = (
        vocabulary.words if isinstance(vocabulary, Vocabulary) else vocabulary
    )
    wanted = set()
    for word in words:
        wanted.add(word)
        wanted.add(word.lower())
        wanted.update(word_parts(word.lower()) or ())
    return wanted


# English clitics that GloVe, word2vec and the Penn Treebank split off
# ("doesn't" -> "does" "n't", "film's" -> "film" "'s").
_CLITIC = re.compile(r"^(.+?)(n't|'s|'re|'ve|'ll|'d|'m)$")


def word_parts(word):
    """The parts a vector file may know of a compound word, or None.

    `"doesn't"` -> `["does", "n't"]` (vector files built on Penn-Treebank
    tokens split contractions) and `"by-the-numbers"` -> `["by", "the",
    "numbers"]`; `embedding_matrix` averages the parts' vectors.
    """
    match = _CLITIC.match(word)
    if match is not None:
        return [match.group(1), match.group(2)]
    parts = word.split("-")
    if len(parts) > 1 and all(parts):
        return parts
    return None


@dataclasses.dataclass
class Coverage:
    """How much of a vocabulary pretrained vectors cover.

    Args:
        vocabulary_size: the number of words (reserved ids excluded).
        found: words that got a pretrained vector.
        found_lowercase: of those, words found only in lower case.
        found_from_parts: of those, contractions and hyphenated words given
            the mean of their parts' vectors.
        type_fraction: `found / vocabulary_size`.
        covered_tokens: training tokens whose word got a vector, or `None`
            when the counts are unknown.
        total_tokens: all training tokens (unknown ones included), or
            `None`.
        token_fraction: `covered_tokens / total_tokens`, or `None`.
        missing_examples: up to 10 words without a vector, most frequent
            first.

    Example:

    ```python
    import numpy as np

    from seqkit.preprocessing import Vocabulary, WordVectors, embedding_matrix

    vocab = Vocabulary.from_texts(["a fine film", "a dull film"])
    vectors = WordVectors(["a", "film", "fine"], np.ones((3, 2)), std=1.0)
    _, coverage = embedding_matrix(vocab, vectors)
    coverage.type_fraction, coverage.to_dict()  # 0.75, {...}
    assert coverage.missing_examples == ["dull"]
    ```
    """

    vocabulary_size: int
    found: int
    found_lowercase: int
    found_from_parts: int
    type_fraction: float
    covered_tokens: int | None
    total_tokens: int | None
    token_fraction: float | None
    missing_examples: list

    def to_dict(self):
        """Returns the figures as a JSON-ready dict."""
        return dataclasses.asdict(self)


def embedding_matrix(vocabulary, vectors, seed=None, token_counts=None):
    """Builds an embedding matrix for a vocabulary from pretrained vectors.

    Row `i` belongs to id `i`. A word takes the vector of the exact word,
    else of its lower-cased form, else (for a contraction such as
    "doesn't", which tokenizers like seqkit's keep whole but vector files
    split) the mean of its parts' vectors ("does", "n't"); the padding row
    (id 0) is zeros; every
    other row (the unknown id 1 and words without a vector) is drawn from a
    normal distribution with mean 0 and the vectors' `std`.

    Args:
        vocabulary: a `Vocabulary`.
        vectors: a `WordVectors` (`load_word_vectors`, `load_glove_6b_50d`).
        seed: seed of the random rows.
        token_counts: optional mapping token -> count over all training
            tokens, for the token coverage; by default the vocabulary's own
            counts (its words plus `unknown_count`).

    Returns:
        `(matrix, coverage)`: a float32 array of shape
        `(len(vocabulary), vectors.dim)` and a `Coverage`.

    Raises:
        SeqkitError: when `vocabulary` is not a `Vocabulary`.

    Example:

    ```python
    import keras
    import numpy as np

    from seqkit.preprocessing import Vocabulary, WordVectors, embedding_matrix

    vocab = Vocabulary.from_texts(["a fine film", "a dull film"])
    vectors = WordVectors(["a", "film", "fine"], np.ones((3, 2)), std=1.0)
    matrix, coverage = embedding_matrix(vocab, vectors, seed=0)  # [6, 2]
    keras.layers.Embedding(
        len(vocab), vectors.dim, mask_zero=True,
        embeddings_initializer=keras.initializers.Constant(matrix),
    )
    ```
    """
    if not isinstance(vocabulary, Vocabulary):
        raise SeqkitError(
            "embedding_matrix needs a seqkit.preprocessing.Vocabulary; "
            f"received {type(vocabulary).__name__}"
        )
    rng = np.random.default_rng(seed)
    shape = (len(vocabulary), vectors.dim)
    matrix = rng.normal(0.0, vectors.std, size=shape).astype(np.float32)
    matrix[PAD_ID] = 0.0
    found, lowercase, composed, missing = set(), 0, 0, []
    for row, word in enumerate(vocabulary.words, start=len(RESERVED)):
        vector = vectors.get(word)
        if vector is None:
            vector = vectors.get(word.lower())
            lowercase += vector is not None
        if vector is None:
            vector = _mean_of_parts(word.lower(), vectors)
            composed += vector is not None
        if vector is None:
            missing.append(word)
        else:
            matrix[row] = vector
            found.add(word)
    size = len(vocabulary.words)
    covered, total = _token_coverage(vocabulary, found, token_counts)
    coverage = Coverage(
        vocabulary_size=size,
        found=len(found),
        found_lowercase=int(lowercase),
        found_from_parts=int(composed),
        type_fraction=len(found) / size if size else 0.0,
        covered_tokens=covered,
        total_tokens=total,
        token_fraction=covered / total if total else None,
        missing_examples=missing[:10],
    )
    return matrix, coverage


def _mean_of_parts(word, vectors):
    parts = word_parts(word)
    if parts is None:
        return None
    found = [vectors.get(part) for part in parts]
    if any(vector is None for vector in found):
        return None
    return np.mean(found, axis=0)


def _token_coverage(vocabulary, found, token_counts):
    if token_counts is None:
        if not vocabulary.has_counts:
            return None, None
        counts = vocabulary.counts
        total = sum(counts.values()) + vocabulary.unknown_count
    else:
        counts = token_counts
        total = sum(int(n) for n in counts.values())
    covered = sum(int(counts.get(word, 0)) for word in found)
    return covered, total
