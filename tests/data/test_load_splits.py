import logging

import pytest

from seqkit.data import DataError, Splits, load_splits


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_fixture_splits(fixtures):
    folder = fixtures / "rt-mini"
    splits = load_splits(
        folder / "train.csv", folder / "valid.csv", folder / "test.csv"
    )
    assert isinstance(splits, Splits)
    assert splits.label_names == ["negative", "positive"]
    assert [(name, len(split)) for name, split in splits.items()] == [
        ("train", 16),
        ("valid", 4),
        ("test", 4),
    ]


def test_valid_and_test_are_optional(fixtures):
    splits = load_splits(fixtures / "sample.jsonl")
    assert splits.valid is None and splits.test is None
    assert [name for name, _ in splits.items()] == ["train"]


def test_mixed_formats(fixtures):
    splits = load_splits(fixtures / "folder", valid=fixtures / "sample.tsv")
    assert len(splits.valid) == 6


def test_custom_columns(tmp_path):
    train = write(tmp_path / "t.csv", "review,stars\ngood,5\nbad,1\n")
    splits = load_splits(train, text_column="review", label_column="stars")
    assert splits.label_names == ["1", "5"]


def test_single_class_training_set(tmp_path):
    train = write(tmp_path / "train.csv", "text,label\na,pos\nb,pos\n")
    with pytest.raises(DataError) as info:
        load_splits(train)
    message = str(info.value)
    assert "train.csv" in message
    assert "single class, 'pos'" in message
    assert info.value.field == "label"


@pytest.mark.parametrize("split", ["valid", "test"])
def test_unseen_labels_are_named(tmp_path, split):
    train = write(tmp_path / "train.csv", "text,label\na,pos\nb,neg\n")
    other = write(
        tmp_path / f"{split}.csv",
        "text,label\nc,pos\nd,neutral\ne,mixed\nf,neutral\n",
    )
    with pytest.raises(DataError) as info:
        load_splits(train, **{split: other})
    message = str(info.value)
    assert f"{split}.csv" in message
    assert f"2 label(s) of the {split} set do not occur" in message
    assert f"'neutral' (first at {other}:3)" in message
    assert f"'mixed' (first at {other}:4)" in message
    assert "training labels: neg, pos" in message
    assert info.value.line == 3
    assert info.value.field == "label"


def test_unseen_label_in_folder_names_the_file(tmp_path):
    train = write(tmp_path / "train.csv", "text,label\na,pos\nb,neg\n")
    (tmp_path / "valid" / "other").mkdir(parents=True)
    write(tmp_path / "valid" / "other" / "1.txt", "text")
    with pytest.raises(DataError, match="other/1.txt"):
        load_splits(train, valid=tmp_path / "valid")


def test_unlabelled_split_is_an_error(tmp_path, fixtures):
    with pytest.raises(DataError, match="sample.txt: expected labelled"):
        load_splits(fixtures / "rt-mini" / "train.csv", fixtures / "sample.txt")


def test_label_column_none_is_refused(fixtures):
    with pytest.raises(ValueError, match="label_column"):
        load_splits(fixtures / "sample.jsonl", label_column=None)


def test_reader_errors_pass_through(tmp_path):
    train = write(tmp_path / "train.csv", "text,label\na,pos\nb,neg\n")
    valid = write(tmp_path / "valid.csv", "text,label\na\n")
    with pytest.raises(DataError, match="valid.csv, line 2"):
        load_splits(train, valid)


def test_texts_shared_with_training_are_reported(tmp_path, caplog):
    train = write(tmp_path / "train.csv", "text,label\na,pos\nb,neg\n")
    test = write(tmp_path / "test.csv", "text,label\na,pos\nc,neg\n")
    with caplog.at_level(logging.WARNING, logger="seqkit.data"):
        load_splits(train, test=test)
    assert "1 of 2 test texts also occur in the training set" in caplog.text
    assert "with the same label; scores on this split will be inflated" in (
        caplog.text
    )


def test_shared_texts_with_another_label_are_counted(tmp_path, caplog):
    train = write(
        tmp_path / "train.csv", "text,label\na,pos\nb,neg\nc,pos\nc,neg\n"
    )
    # a: same label; b: relabelled (line 3); c: one of its training labels.
    test = write(
        tmp_path / "test.csv", "text,label\na,pos\nb,pos\nc,neg\nd,neg\n"
    )
    with caplog.at_level(logging.WARNING, logger="seqkit.data"):
        load_splits(train, test=test)
    assert "3 of 4 test texts also occur in the training set" in caplog.text
    assert "2 with a label the training copies have" in caplog.text
    assert "and 1 only with another label (first at " in caplog.text
    assert "test.csv:3;" in caplog.text
