import logging

import pytest

from seqkit.data import (
    DataError,
    read_delimited,
    read_examples,
    read_folder,
    read_jsonl,
    read_text_lines,
)


def write(path, text, encoding="utf-8"):
    path.write_bytes(text.encode(encoding))
    return path


def expect_error(call, *parts, line=None, field=None):
    """Runs `call`, checks the DataError's message parts and location."""
    with pytest.raises(DataError) as info:
        call()
    message = str(info.value)
    for part in parts:
        assert str(part) in message, message
    if line is not None:
        assert info.value.line == line
        assert f"line {line}" in message
    if field is not None:
        assert info.value.field == field
        assert repr(field) in message
    return info.value


# The formats, on the committed real fixtures.


def test_csv_fixture(fixtures):
    examples = read_examples(fixtures / "rt-mini" / "train.csv")
    assert len(examples) == 16
    assert examples.label_names == ["negative", "positive"]
    assert examples.labels.count("positive") == 8
    # The first row is quoted because its text holds a comma.
    assert examples.texts[0].startswith("We are left with a superficial")
    assert ", however engaging," in examples.texts[0]
    assert examples.lines[:2] == [2, 3]
    assert examples.skipped == []
    assert examples.location(0).endswith("train.csv:2")


def test_tsv_fixture(fixtures):
    examples = read_examples(fixtures / "sample.tsv")
    csv_rows = read_examples(fixtures / "rt-mini" / "train.csv")
    assert examples.texts == csv_rows.texts[5:11]
    assert examples.labels == csv_rows.labels[5:11]


def test_jsonl_fixture_ignores_other_keys(fixtures):
    examples = read_examples(fixtures / "sample.jsonl")
    tsv = read_examples(fixtures / "sample.tsv")
    assert examples.texts == tsv.texts
    assert examples.labels == tsv.labels
    assert examples.lines == [1, 2, 3, 4, 5, 6]


def test_text_fixture_is_unlabelled(fixtures):
    examples = read_examples(fixtures / "sample.txt")
    assert examples.labels is None
    assert examples.label_names is None
    assert examples.texts == read_examples(fixtures / "sample.tsv").texts


def test_folder_fixture(fixtures):
    examples = read_examples(fixtures / "folder")
    assert len(examples) == 6
    assert examples.labels == ["negative"] * 3 + ["positive"] * 3
    assert examples.files[0] == "negative/000.txt"
    assert examples.location(0).endswith("negative/000.txt")
    # Each file is one example, read whole.
    assert examples.texts[0].endswith("\n")


def test_json_extension_reads_json_lines(tmp_path):
    path = write(tmp_path / "d.json", '{"text": "a", "label": "x"}\n')
    assert read_examples(path).texts == ["a"]


def test_custom_columns(tmp_path):
    path = write(tmp_path / "d.csv", "id,review,stars\n1,good,5\n2,bad,1\n")
    examples = read_examples(path, text_column="review", label_column="stars")
    assert examples.texts == ["good", "bad"]
    assert examples.labels == ["5", "1"]


def test_label_column_none_reads_texts_alone(tmp_path):
    path = write(tmp_path / "d.csv", "text\nhello\n")
    examples = read_delimited(path, label_column=None)
    assert examples.texts == ["hello"]
    assert examples.labels is None


def test_csv_quoted_newline_keeps_line_numbers(tmp_path):
    path = write(
        tmp_path / "d.csv",
        'text,label\n"two\nlines",a\n,b\nthird,c\n',
    )
    examples = read_delimited(path)
    assert examples.texts == ["two\nlines", "third"]
    assert examples.lines == [2, 5]
    assert examples.skipped == [(4, "empty text")]


def test_crlf_and_byte_order_mark(tmp_path):
    path = write(tmp_path / "d.csv", "\ufefftext,label\r\nhi,a\r\n")
    examples = read_delimited(path)
    assert examples.texts == ["hi"]
    assert examples.labels == ["a"]


def test_tsv_does_not_interpret_quotes(tmp_path):
    path = write(tmp_path / "d.tsv", 'text\tlabel\n"quoted" word\ta\n')
    assert read_examples(path).texts == ['"quoted" word']


def test_integer_json_labels_become_strings(tmp_path):
    path = write(tmp_path / "d.jsonl", '{"text": "a", "label": 1}\n')
    assert read_jsonl(path).labels == ["1"]


def test_labels_are_stripped_texts_are_not(tmp_path):
    path = write(tmp_path / "d.csv", "text,label\n  spaced  , pos \n")
    examples = read_delimited(path)
    assert examples.texts == ["  spaced  "]
    assert examples.labels == ["pos"]


# Errors: each names the file, the line and the field where they apply.


@pytest.mark.parametrize("name", ["missing.csv", "missing.jsonl", "missing"])
def test_missing_file(tmp_path, name):
    expect_error(lambda: read_examples(tmp_path / name), name, "no such")


def test_missing_folder(tmp_path):
    expect_error(lambda: read_folder(tmp_path / "nope"), "nope", "no such")


def test_unknown_extension(tmp_path):
    path = write(tmp_path / "d.xlsx", "x")
    expect_error(lambda: read_examples(path), "d.xlsx", "'.xlsx'", ".csv")


def test_missing_column_lists_columns_found(tmp_path):
    path = write(tmp_path / "d.csv", "review,label\ngood,a\n")
    expect_error(
        lambda: read_examples(path),
        "d.csv",
        "found columns: review, label",
        line=1,
        field="text",
    )


def test_missing_label_column(tmp_path):
    path = write(tmp_path / "d.tsv", "text\tstars\ngood\t5\n")
    expect_error(
        lambda: read_examples(path),
        "d.tsv",
        "found columns: text, stars",
        line=1,
        field="label",
    )


def test_duplicated_header(tmp_path):
    path = write(tmp_path / "d.csv", "text,text,label\na,b,c\n")
    expect_error(lambda: read_examples(path), "d.csv", "duplicated", line=1)


def test_empty_file(tmp_path):
    path = write(tmp_path / "d.csv", "")
    expect_error(lambda: read_examples(path), "d.csv", "header")


def test_header_only(tmp_path):
    path = write(tmp_path / "d.csv", "text,label\n")
    expect_error(lambda: read_examples(path), "d.csv", "no examples")


def test_ragged_csv_row(tmp_path):
    path = write(tmp_path / "d.csv", "text,label\nok,a\ntoo,many,b\n")
    expect_error(
        lambda: read_examples(path),
        "d.csv",
        "expected 2 fields (text, label), found 3",
        line=3,
    )


def test_short_tsv_row(tmp_path):
    path = write(tmp_path / "d.tsv", "text\tlabel\nok\ta\nnolabel\n")
    expect_error(lambda: read_examples(path), "d.tsv", "found 1", line=3)


def test_malformed_csv_quoting(tmp_path):
    path = write(tmp_path / "d.csv", 'text,label\n"bad"quote,a\n')
    expect_error(lambda: read_examples(path), "d.csv", "malformed CSV", line=2)


@pytest.mark.parametrize("value", ["", "   "])
def test_missing_label_in_csv(tmp_path, value):
    path = write(tmp_path / "d.csv", f"text,label\nok,a\nfine,{value}\n")
    expect_error(
        lambda: read_examples(path),
        "d.csv",
        "missing label",
        line=3,
        field="label",
    )


def test_missing_label_in_jsonl(tmp_path):
    path = write(
        tmp_path / "d.jsonl",
        '{"text": "a", "label": "x"}\n{"text": "b", "stars": 3}\n',
    )
    expect_error(
        lambda: read_examples(path),
        "d.jsonl",
        "missing label",
        "found keys: text, stars",
        line=2,
        field="label",
    )


@pytest.mark.parametrize(
    "value, found", [("null", "null"), ("0.5", "float 0.5"), ("true", "bool")]
)
def test_bad_label_type_in_jsonl(tmp_path, value, found):
    path = write(tmp_path / "d.jsonl", f'{{"text": "a", "label": {value}}}\n')
    expect_error(
        lambda: read_examples(path),
        "d.jsonl",
        found,
        "string or an integer",
        line=1,
        field="label",
    )


def test_missing_text_key_in_jsonl(tmp_path):
    path = write(tmp_path / "d.jsonl", '{"body": "a", "label": "x"}\n')
    expect_error(
        lambda: read_examples(path), "d.jsonl", "body", line=1, field="text"
    )


def test_text_not_a_string_in_jsonl(tmp_path):
    path = write(tmp_path / "d.jsonl", '{"text": 5, "label": "x"}\n')
    expect_error(
        lambda: read_examples(path), "JSON string", line=1, field="text"
    )


def test_bad_json(tmp_path):
    path = write(
        tmp_path / "d.jsonl",
        '{"text": "a", "label": "x"}\n{"text": "b", "label": }\n',
    )
    expect_error(lambda: read_examples(path), "d.jsonl", "invalid JSON", line=2)


def test_json_line_not_an_object(tmp_path):
    path = write(tmp_path / "d.jsonl", '{"text": "a", "label": "x"}\n["b"]\n')
    expect_error(lambda: read_examples(path), "JSON object", line=2)


def test_json_array_file(tmp_path):
    path = write(tmp_path / "d.json", '[{"text": "a", "label": "x"}]\n')
    expect_error(lambda: read_examples(path), "JSON array", line=1)


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".jsonl", ".txt"])
def test_undecodable_bytes_name_line_and_offset(tmp_path, suffix):
    header = {".csv": "text,label\n", ".tsv": "text\tlabel\n"}.get(suffix, "")
    sep = {".csv": ",", ".tsv": "\t"}.get(suffix)
    if suffix == ".jsonl":
        good, bad = '{"text": "ok", "label": "a"}\n', b'{"text": "b\xff"}\n'
    elif sep:
        good, bad = f"ok{sep}a\n", b"b\xff" + sep.encode() + b"a\n"
    else:
        good, bad = "ok\n", b"b\xff\n"
    prefix = (header + good).encode()
    path = tmp_path / f"d{suffix}"
    path.write_bytes(prefix + bad)
    offset = len(prefix) + bad.index(b"\xff")
    expect_error(
        lambda: read_examples(path),
        f"d{suffix}",
        f"byte offset {offset}",
        "ff",
        "utf-8",
        line=3 if header else 2,
    )


def test_undecodable_file_in_folder(tmp_path):
    (tmp_path / "pos").mkdir()
    (tmp_path / "pos" / "a.txt").write_bytes(b"caf\xe9")
    expect_error(lambda: read_folder(tmp_path), "a.txt", "offset 3", line=1)


def test_other_encoding(tmp_path):
    path = write(tmp_path / "d.csv", "text,label\ncafé,a\n", "latin-1")
    assert read_examples(path, encoding="latin-1").texts == ["café"]


def test_folder_without_subfolders(tmp_path):
    write(tmp_path / "a.txt", "loose file")
    expect_error(lambda: read_folder(tmp_path), "subfolder per class")


# Skipped rows: counted, logged, kept; never silent.


def test_blank_texts_are_skipped_and_counted(tmp_path, caplog):
    rows = ["ok,a", ",a", "   ,b", "fine,b", "", "\t,a", ",b", "x,a", ",a"]
    path = write(tmp_path / "d.csv", "text,label\n" + "\n".join(rows) + "\n")
    with caplog.at_level(logging.WARNING, logger="seqkit.data"):
        examples = read_examples(path)
    assert examples.texts == ["ok", "fine", "x"]
    assert examples.skipped == [
        (3, "empty text"),
        (4, "whitespace-only text"),
        (6, "blank line"),
        (7, "whitespace-only text"),
        (8, "empty text"),
        (10, "empty text"),
    ]
    message = caplog.text
    assert "d.csv" in message
    assert "skipped 6 of 9 rows" in message
    assert "3 empty text, 2 whitespace-only text, 1 blank line" in message
    # The first five line numbers are named.
    assert "first at lines 3, 4, 6, 7, 8, ..." in message


def test_blank_lines_in_jsonl_and_text(tmp_path, caplog):
    jsonl = write(
        tmp_path / "d.jsonl",
        '\n{"text": " ", "label": "a"}\n{"text": "b", "label": "a"}\n',
    )
    text = write(tmp_path / "d.txt", "one\n\n  \ntwo\n")
    with caplog.at_level(logging.WARNING, logger="seqkit.data"):
        assert read_jsonl(jsonl).skipped == [
            (1, "blank line"),
            (2, "whitespace-only text"),
        ]
        assert read_text_lines(text).skipped == [
            (2, "empty text"),
            (3, "whitespace-only text"),
        ]
    assert "d.jsonl: skipped 2 of 3 lines" in caplog.text
    assert "d.txt: skipped 2 of 4 lines" in caplog.text


def test_empty_file_in_folder_is_skipped_by_name(tmp_path, caplog):
    for label, name, text in [("a", "1.txt", "x"), ("b", "2.txt", " \n")]:
        (tmp_path / label).mkdir()
        write(tmp_path / label / name, text)
    with caplog.at_level(logging.WARNING, logger="seqkit.data"):
        examples = read_folder(tmp_path)
    assert examples.texts == ["x"]
    assert examples.skipped == [(1, "b/2.txt: whitespace-only text")]
    assert "1 whitespace-only text; first at b/2.txt" in caplog.text


def test_every_row_bad_is_an_error(tmp_path):
    path = write(tmp_path / "d.csv", "text,label\n,a\n  ,b\n")
    expect_error(
        lambda: read_examples(path),
        "d.csv",
        "all 2 rows were skipped",
        "first at lines 2, 3",
    )


def test_every_line_bad_in_text_file(tmp_path):
    path = write(tmp_path / "d.txt", "\n \n")
    expect_error(lambda: read_examples(path), "d.txt", "all 2 lines")
