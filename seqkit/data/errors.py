"""The error raised for bad input data and failed data-set fetches."""

from seqkit.errors import SeqkitError


class DataError(SeqkitError):
    """A data file or data set that seqkit cannot use, and why.

    A `SeqkitError` (so a `ValueError`): the command line shows its message
    as one clear error, without a traceback.

    The message names where the problem is (file, line, field, when known)
    and what was expected, so a user can fix the file without reading code.
    The parts are also kept as attributes for programs and tests.

    Args:
        message: what is wrong and what was expected.
        path: the file or folder concerned, if any.
        line: the 1-based line number in `path`, if any.
        field: the column or JSON key concerned, if any.

    Example:

    >>> from seqkit.data import DataError
    >>> str(DataError("empty text", path="train.csv", line=4, field="text"))
    "train.csv, line 4, field 'text': empty text"
    """

    def __init__(self, message, *, path=None, line=None, field=None):
        self.message = message
        self.path = None if path is None else str(path)
        self.line = line
        self.field = field
        super().__init__(self._format())

    def _format(self):
        where = []
        if self.path is not None:
            where.append(self.path)
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.field is not None:
            where.append(f"field {self.field!r}")
        if not where:
            return self.message
        return f"{', '.join(where)}: {self.message}"

    def __reduce__(self):
        # Keep the parts when the error crosses a process boundary.
        return (
            _rebuild,
            (type(self), self.message, self.path, self.line, self.field),
        )


def _rebuild(cls, message, path, line, field):
    return cls(message, path=path, line=line, field=field)
