"""Errors raised by seqkit's text preprocessing.

All of them subclass `seqkit.errors.SeqkitError` (itself a `ValueError`), so
the command line reports them as one clear message.
"""

from seqkit.errors import SeqkitError


class VocabularyError(SeqkitError):
    """A vocabulary cannot be built, read or used as asked.

    Example:

    ```python
    from seqkit.preprocessing import Vocabulary, VocabularyError

    try:
        Vocabulary.from_counts({"film": 3}, max_size=1)
    except VocabularyError as error:
        message = str(error)  # "max_size counts the reserved ids 0 and 1..."
    ```
    """


class VectorsFileError(SeqkitError):
    """A word-vectors file is malformed; the message names the file and line.

    Args:
        message: what is wrong and how to fix it.
        path: the file, as a string.
        line: the 1-based line number, or `None` for the whole file.

    Example:

    ```python
    from seqkit.preprocessing import VectorsFileError, load_word_vectors

    with open("vectors.txt", "w") as f:
        f.write("film 0.1 0.2\\n")
        f.write("plot 0.3\\n")  # one value short
    try:
        load_word_vectors("vectors.txt")
    except VectorsFileError as error:
        assert (error.path, error.line) == ("vectors.txt", 2)
    ```
    """

    def __init__(self, message, path, line=None):
        where = f"{path}" if line is None else f"{path}, line {line}"
        super().__init__(f"{where}: {message}")
        self.path = str(path)
        self.line = line


class MissingExtraError(SeqkitError, ImportError):
    """An optional dependency of seqkit is not installed.

    It is both a `ValueError` (like every seqkit error) and an `ImportError`
    (what it really is), so either `except` catches it.

    Example:

    ```python
    from seqkit.preprocessing import MissingExtraError

    error = MissingExtraError('GloVe needs: pip install "seqkit[glove]"')
    assert isinstance(error, ImportError) and isinstance(error, ValueError)
    ```
    """
