"""Readers for labelled and unlabelled text: CSV, TSV, JSONL, text, folders.

Every reader returns an `Examples`: the texts, their labels (strings, or
`None` for unlabelled input), and an account of the rows it skipped. The
format follows the file name:

| input              | format                                            |
|--------------------|---------------------------------------------------|
| `*.csv`            | comma-separated, header line, RFC 4180 quoting    |
| `*.tsv`            | tab-separated, header line, no quoting            |
| `*.jsonl`, `*.json`, `*.ndjson` | one JSON object per line             |
| `*.txt`            | one unlabelled example per line                   |
| a folder           | one subfolder per class, one example per `.txt`   |

Policy for bad rows. A row whose text is empty or only whitespace (and a
blank line) is skipped and counted: the count and the first line numbers go
to the log and stay in `Examples.skipped`. A file in which no row is usable
is an error. Everything else that is wrong (a missing column, a ragged row,
bad JSON, a missing label, bytes that are not valid in the encoding) raises
`DataError` naming the file, the line and the field.
"""

import csv
import io
import json
import logging
from pathlib import Path

from seqkit.data.errors import DataError
from seqkit.data.examples import Collector

logger = logging.getLogger(__name__)

FORMATS = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".jsonl": "jsonl",
    ".json": "jsonl",
    ".ndjson": "jsonl",
    ".txt": "text",
}


def _decode(path, encoding):
    """The text of `path`; undecodable bytes raise with line and offset."""
    data = Path(path).read_bytes()
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        line_start = data.rfind(b"\n", 0, error.start) + 1
        bad = data[error.start : error.end].hex(" ")
        raise DataError(
            f"cannot decode byte(s) {bad} at byte offset {error.start} "
            f"(byte {error.start - line_start} of the line) as {encoding}; "
            f"expected {encoding} text (re-save the file as {encoding})",
            path=path,
            line=line,
        ) from None
    # A byte-order mark is an encoding artefact, not part of the header.
    return text.removeprefix("\ufeff")


def _split_lines(text):
    """Lines split on '\\n' only, so numbers match what editors show."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line.removesuffix("\r") for line in lines]


def _check_exists(path, want_dir=False):
    path = Path(path)
    if not path.exists():
        kind = "folder" if want_dir else "file"
        raise DataError(f"no such {kind}", path=path)
    return path


def read_delimited(
    path,
    delimiter=",",
    text_column="text",
    label_column="label",
    encoding="utf-8",
):
    """Reads a CSV or TSV file with a header line.

    With `delimiter=","` fields may be quoted the CSV way (RFC 4180), so a
    text may hold commas, quotes and newlines. With `delimiter="\\t"`
    quoting is off, as in most TSV data sets: a field is everything between
    two tabs, so a text cannot hold a tab or a newline.

    Args:
        path: the file.
        delimiter: `","` for CSV, `"\\t"` for TSV.
        text_column: the header name of the text column.
        label_column: the header name of the label column, or `None` to
            read the texts alone.
        encoding: the file's text encoding.

    Returns:
        An `Examples`.

    Raises:
        DataError: the file is missing or cannot be decoded, a column is
            missing, a row has the wrong number of fields, a label is
            empty, or no row has text.

    Example:

    >>> from seqkit.data import read_delimited
    >>> examples = read_delimited("train.csv")  # doctest: +SKIP
    """
    path = _check_exists(path)
    text = _decode(path, encoding)
    quoting = csv.QUOTE_MINIMAL if delimiter == "," else csv.QUOTE_NONE
    reader = csv.reader(
        io.StringIO(text, newline=""),
        delimiter=delimiter,
        quoting=quoting,
        strict=True,
    )
    try:
        header = next(reader, None)
        if header is None:
            raise DataError(
                "the file is empty; expected a header line", path=path
            )
        header = [name.strip() for name in header]
        text_index, label_index = _column_indices(
            header, text_column, label_column, path
        )
        collector = Collector(path, labelled=label_column is not None)
        previous_end = reader.line_num
        for row in reader:
            line, previous_end = previous_end + 1, reader.line_num
            if not row:
                collector.skip(line, "blank line")
                continue
            if len(row) != len(header):
                raise DataError(
                    f"expected {len(header)} fields ({', '.join(header)}), "
                    f"found {len(row)}",
                    path=path,
                    line=line,
                )
            label = None
            if label_index is not None:
                label = _clean_label(row[label_index], path, line, label_column)
            collector.add(row[text_index], label, line)
    except csv.Error as error:
        raise DataError(
            f"malformed {'CSV' if delimiter == ',' else 'TSV'}: {error}",
            path=path,
            line=reader.line_num,
        ) from None
    return collector.finish()


def _column_indices(header, text_column, label_column, path):
    duplicated = sorted({name for name in header if header.count(name) > 1})
    if duplicated:
        raise DataError(
            f"duplicated column name(s) in the header: {', '.join(duplicated)}",
            path=path,
            line=1,
        )
    indices = []
    for column in (text_column, label_column):
        if column is None:
            indices.append(None)
        elif column not in header:
            raise DataError(
                f"missing column; expected a column named {column!r}, "
                f"found columns: {', '.join(header)}",
                path=path,
                line=1,
                field=column,
            )
        else:
            indices.append(header.index(column))
    return indices


def _clean_label(value, path, line, field):
    """A label as a stripped string; empty or unusable values raise."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        if value is None:
            found = "null"
        else:
            found = f"{type(value).__name__} {json.dumps(value)}"
        raise DataError(
            f"expected a label (a string or an integer), found {found}",
            path=path,
            line=line,
            field=field,
        )
    label = str(value).strip()
    if not label:
        raise DataError(
            "missing label: expected a class name, found an empty value",
            path=path,
            line=line,
            field=field,
        )
    return label


def read_jsonl(
    path, text_column="text", label_column="label", encoding="utf-8"
):
    """Reads JSON lines: one JSON object per line.

    Args:
        path: the file.
        text_column: the key of the text.
        label_column: the key of the label (a string or an integer, kept as
            a string), or `None` to read the texts alone.
        encoding: the file's text encoding.

    Returns:
        An `Examples`.

    Raises:
        DataError: the file is missing or cannot be decoded, a line is not
            a JSON object, a key is missing, a value has the wrong type, or
            no line has text.

    Example:

    >>> from seqkit.data import read_jsonl
    >>> examples = read_jsonl("train.jsonl")  # doctest: +SKIP
    """
    path = _check_exists(path)
    lines = _split_lines(_decode(path, encoding))
    if lines and lines[0].lstrip().startswith("["):
        raise DataError(
            "found a JSON array; expected JSON lines (one object per line)",
            path=path,
            line=1,
        )
    collector = Collector(path, labelled=label_column is not None)
    for line, raw in enumerate(lines, start=1):
        if not raw.strip():
            collector.skip(line, "blank line")
            continue
        record = _parse_json_object(raw, path, line)
        text = _json_field(record, text_column, path, line)
        if not isinstance(text, str):
            raise DataError(
                f"expected the text as a JSON string, found {json.dumps(text)}",
                path=path,
                line=line,
                field=text_column,
            )
        label = None
        if label_column is not None:
            value = _json_field(
                record, label_column, path, line, "missing label"
            )
            label = _clean_label(value, path, line, label_column)
        collector.add(text, label, line)
    return collector.finish(unit="lines")


def _parse_json_object(raw, path, line):
    try:
        record = json.loads(raw)
    except json.JSONDecodeError as error:
        raise DataError(
            f"invalid JSON at column {error.colno}: {error.msg}; expected "
            "one JSON object per line",
            path=path,
            line=line,
        ) from None
    if not isinstance(record, dict):
        raise DataError(
            f"expected a JSON object, found {type(record).__name__}",
            path=path,
            line=line,
        )
    return record


def _json_field(record, key, path, line, problem="missing field"):
    if key not in record:
        found = ", ".join(record) or "none"
        raise DataError(
            f"{problem}; expected a key {key!r}, found keys: {found}",
            path=path,
            line=line,
            field=key,
        )
    return record[key]


def read_text_lines(path, encoding="utf-8"):
    """Reads unlabelled text, one example per line.

    Args:
        path: the file.
        encoding: the file's text encoding.

    Returns:
        An `Examples` with `labels=None`.

    Raises:
        DataError: the file is missing or cannot be decoded, or has no line
            with text.

    Example:

    >>> from seqkit.data import read_text_lines
    >>> examples = read_text_lines("corpus.txt")  # doctest: +SKIP
    """
    path = _check_exists(path)
    collector = Collector(path, labelled=False)
    for line, text in enumerate(_split_lines(_decode(path, encoding)), 1):
        collector.add(text, None, line)
    return collector.finish(unit="lines")


def read_folder(path, encoding="utf-8"):
    """Reads a folder with one subfolder per class.

    Each subfolder's name is a label and each `.txt` file directly inside
    it is one example (the whole file). Hidden entries and other files are
    ignored; a subfolder without `.txt` files is reported in the log.

    Args:
        path: the folder.
        encoding: the files' text encoding.

    Returns:
        An `Examples` whose `files` lists each example's file.

    Raises:
        DataError: the folder is missing or has no class subfolders, a file
            cannot be decoded, or no file has text.

    Example:

    >>> from seqkit.data import read_folder
    >>> examples = read_folder("reviews/")  # doctest: +SKIP
    """
    path = _check_exists(path, want_dir=True)
    classes = sorted(
        entry
        for entry in path.iterdir()
        if entry.is_dir() and not entry.name.startswith(".")
    )
    if not classes:
        raise DataError(
            "expected one subfolder per class holding .txt files, found "
            "no subfolders",
            path=path,
        )
    collector = Collector(path, labelled=True)
    files = []
    for folder in classes:
        names = sorted(
            entry.name
            for entry in folder.iterdir()
            if entry.suffix == ".txt" and not entry.name.startswith(".")
        )
        if not names:
            logger.warning("%s: no .txt files, class ignored", folder)
        for name in names:
            relative = f"{folder.name}/{name}"
            text = _decode(folder / name, encoding)
            if collector.add(text, folder.name, 1, name=relative):
                files.append(relative)
    return collector.finish(unit=".txt files", files=files)


def read_examples(
    path, text_column="text", label_column="label", encoding="utf-8"
):
    """Reads examples, choosing the reader from the path.

    A folder is read with `read_folder`; a file by its extension: `.csv`,
    `.tsv`, `.jsonl` / `.json` / `.ndjson` (JSON lines), `.txt` (one
    unlabelled example per line; the column arguments do not apply).

    Args:
        path: a file or a folder.
        text_column: the column or key holding the text.
        label_column: the column or key holding the label, or `None` to
            read the texts alone.
        encoding: the text encoding.

    Returns:
        An `Examples`.

    Raises:
        DataError: the path is missing, its format is unknown, or the
            reader finds a problem (see each reader).

    Example:

    >>> from seqkit.data import read_examples
    >>> train = read_examples("data/rt-snippets/train.csv")  # doctest: +SKIP
    >>> len(train), train.label_names  # doctest: +SKIP
    (10201, ['negative', 'positive'])
    """
    path = _check_exists(path)
    if path.is_dir():
        return read_folder(path, encoding=encoding)
    kind = FORMATS.get(path.suffix.lower())
    if kind is None:
        raise DataError(
            f"unknown format {path.suffix or '(no extension)'!r}; expected "
            f"one of {', '.join(FORMATS)} or a folder with one subfolder "
            "per class",
            path=path,
        )
    if kind == "text":
        return read_text_lines(path, encoding=encoding)
    if kind == "jsonl":
        return read_jsonl(path, text_column, label_column, encoding)
    delimiter = "," if kind == "csv" else "\t"
    return read_delimited(path, delimiter, text_column, label_column, encoding)
