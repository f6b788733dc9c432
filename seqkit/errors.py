"""Errors that seqkit raises for problems a user can fix.

The command line turns these (and the `ValueError`s and missing-file errors
raised by library code) into one clear message and a non-zero exit status,
without a traceback.
"""


class SeqkitError(ValueError):
    """A problem with the user's input, settings or files.

    It subclasses `ValueError`, so code that catches `ValueError` (the usual
    type for a bad argument) catches it too.

    Example:

    ```python
    from seqkit.errors import SeqkitError

    try:
        raise SeqkitError("--text-column 'body' is not a column of train.csv")
    except ValueError as error:  # a SeqkitError is a ValueError too
        message = str(error)
    ```
    """
