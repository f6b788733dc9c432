"""`seqkit.data.splits.hold_out`: validation data held out of training."""

import random

import pytest

from seqkit.data import Examples, Splits
from seqkit.data.errors import DataError
from seqkit.data.splits import (
    LISTED_ROWS,
    hold_out,
    holdout_record,
    split_off_valid,
    text_key,
)


def _rows(positive=200, negative=100):
    texts = [f"a good film number {i}" for i in range(positive)]
    texts += [f"a bad film number {i}" for i in range(negative)]
    labels = ["pos"] * positive + ["neg"] * negative
    return texts, labels


def test_each_class_keeps_its_share():
    texts, labels = _rows(200, 100)
    kept, held = hold_out([text_key(t) for t in texts], labels, 0.1, seed=3)
    held_labels = [labels[i] for i in held]
    assert held_labels.count("pos") == 20
    assert held_labels.count("neg") == 10
    assert sorted(kept + held) == list(range(300))
    # A skewed fraction keeps the shares too.
    _, held = hold_out(texts, labels, 0.25, seed=3)
    assert [labels[i] for i in held].count("pos") == 50
    assert [labels[i] for i in held].count("neg") == 25


def test_the_seed_decides_and_the_row_order_does_not():
    texts, labels = _rows()
    first = hold_out(texts, labels, 0.1, seed=7)
    assert hold_out(texts, labels, 0.1, seed=7) == first
    assert hold_out(texts, labels, 0.1, seed=8)[1] != first[1]
    order = list(range(len(texts)))
    random.Random(0).shuffle(order)
    _, shuffled = hold_out(
        [texts[i] for i in order], [labels[i] for i in order], 0.1, seed=7
    )
    assert sorted(texts[order[i]] for i in shuffled) == sorted(
        texts[i] for i in first[1]
    )


def test_texts_alike_but_for_case_and_punctuation_stay_on_one_side():
    texts, labels = [], []
    for i in range(60):
        base = f"the plot of film {i} drags on"
        variants = [
            base,
            base.upper() + "!!!",
            f"The  plot of film {i}, drags on.",
        ]
        for variant in variants:
            texts.append(variant)
            labels.append("pos" if i % 2 else "neg")
    assert len({text_key(t) for t in texts}) == 60
    for seed in range(5):
        kept, held = hold_out(
            [text_key(t) for t in texts], labels, 0.2, seed=seed
        )
        held_keys = {text_key(texts[i]) for i in held}
        kept_keys = {text_key(texts[i]) for i in kept}
        assert held and not held_keys & kept_keys
        # Whole groups of three: 20% of each class's 90 rows.
        assert len(held) == 36


def test_every_label_keeps_a_training_row():
    keys = ["a", "b", "c", "d", "e"]
    labels = ["x", "x", "x", "x", "rare"]
    for seed in range(20):
        kept, held = hold_out(keys, labels, 0.5, seed=seed)
        assert 4 in kept
        assert len(held) == 2


def test_a_group_too_large_for_the_share_stays_in_training():
    keys = ["same"] * 8 + [f"k{i}" for i in range(12)]
    kept, held = hold_out(keys, None, 0.1, seed=0)
    assert len(held) == 2
    assert all(keys[i] != "same" for i in held)


@pytest.mark.parametrize("fraction", [0, 1, -0.1, 1.5])
def test_the_fraction_is_checked(fraction):
    with pytest.raises(ValueError, match=r"fraction must be in \(0, 1\)"):
        hold_out(["a", "b"], None, fraction)


def test_text_key_ignores_case_punctuation_and_spacing():
    assert (
        text_key("A  fine film!")
        == text_key("a fine film .")
        == ("a fine film")
    )
    assert text_key("a fine film") != text_key("a fine films")
    assert text_key(" :) ") == ":)"


def _examples(texts, labels):
    return Examples(
        texts=list(texts),
        labels=list(labels),
        source="train.csv",
        skipped=[(3, "empty text")],
        lines=[i + 2 for i in range(len(texts))],
    )


def test_split_off_valid_records_what_was_held_out():
    texts, labels = _rows(40, 20)
    splits = Splits(train=_examples(texts, labels))
    new, record = split_off_valid(
        splits, 0.1, 5, [text_key(t) for t in texts], "words"
    )
    assert len(new.train) == 54 and len(new.valid) == 6
    assert record["counts"] == {
        "train": {"neg": 18, "pos": 36},
        "valid": {"neg": 2, "pos": 4},
    }
    assert (record["fraction"], record["seed"], record["key"]) == (
        0.1,
        5,
        "words",
    )
    # The rows are the file lines of the held-out examples.
    assert record["rows"] == new.valid.lines
    assert [texts[line - 2] for line in record["rows"]] == new.valid.texts
    assert new.train.skipped == [(3, "empty text")]
    assert new.valid.skipped == []
    assert new.valid.source == "train.csv"
    again, repeated = split_off_valid(
        splits, 0.1, 5, [text_key(t) for t in texts], "words"
    )
    assert repeated == record and again.valid.texts == new.valid.texts


def test_too_few_examples_to_hold_out_is_one_clear_error():
    splits = Splits(train=_examples(["a", "b", "c"], ["x", "y", "x"]))
    with pytest.raises(DataError, match="give --valid FILE"):
        split_off_valid(splits, 0.1, 0, ["a", "b", "c"], "text")


def test_the_record_lists_at_most_the_listed_rows():
    count = LISTED_ROWS + 5
    texts = [str(i) for i in range(count)]
    record = holdout_record(texts, None, [], list(range(count)), 0.5, 0, "text")
    assert len(record["rows"]) == LISTED_ROWS
    assert record["rows_listed"] == f"the first {LISTED_ROWS} of {count}"
    assert record["counts"] == {"train": 0, "valid": count}
