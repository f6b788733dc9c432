import collections
import random

import pytest

from seqkit.preprocessing import (
    PAD_ID,
    UNK_ID,
    Vocabulary,
    VocabularyError,
    WordTokenizer,
    count_tokens,
)

TEXTS = [
    "a fine film , a fine cast .",
    "a dull film .",
    "The film is dull",
    "zany , odd",
]


def test_reserved_ids_and_order():
    vocab = Vocabulary.from_texts(TEXTS)
    counts = collections.Counter(
        t for text in TEXTS for t in text.lower().split()
    )
    expected = sorted(counts, key=lambda w: (-counts[w], w))
    assert vocab.words == expected
    assert vocab.words[:3] == ["a", "film", ","]
    assert vocab.tokens[:2] == ["[PAD]", "[UNK]"]
    assert (PAD_ID, UNK_ID) == (0, 1)
    assert len(vocab) == len(expected) + 2
    assert vocab.token_to_id("a") == 2
    assert vocab.encode(["a", "unseen", "film"]) == [2, UNK_ID, 3]
    assert vocab.decode([2, 1, 0]) == ["a", "[UNK]", "[PAD]"]
    assert vocab.id_to_token(3) == "film"
    assert vocab.counts["film"] == 3


def test_min_count_and_max_size():
    vocab = Vocabulary.from_texts(TEXTS, min_count=2)
    assert vocab.words == ["a", "film", ",", ".", "dull", "fine"]
    assert vocab.unknown_count == 5  # the, is, cast, zany, odd: once each
    capped = Vocabulary.from_texts(TEXTS, max_size=4)
    assert capped.words == ["a", "film"]
    assert len(capped) == 4
    total = sum(len(t.split()) for t in TEXTS)
    assert capped.unknown_count == total - 3 - 3
    assert len(Vocabulary.from_texts(TEXTS, max_size=2)) == 2


def test_is_deterministic():
    shuffled = list(TEXTS)
    random.Random(3).shuffle(shuffled)
    assert Vocabulary.from_texts(shuffled) == Vocabulary.from_texts(TEXTS)


def test_uses_the_given_tokenizer():
    vocab = Vocabulary.from_texts(
        ["The the"], tokenizer=WordTokenizer(lowercase=False)
    )
    assert vocab.words == ["The", "the"]


def test_reserved_tokens_are_never_words():
    vocab = Vocabulary.from_counts({"[UNK]": 5, "[PAD]": 4, "x": 1})
    assert vocab.words == ["x"]


def test_save_and_load(tmp_path):
    vocab = Vocabulary.from_texts(TEXTS, min_count=2)
    path = tmp_path / "vocab.txt"
    vocab.save(path)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[:3] == ["[PAD]\t0", "[UNK]\t5", "a\t3"]
    assert Vocabulary.load(path) == vocab


def test_loads_a_plain_word_list(tmp_path):
    path = tmp_path / "words.txt"
    path.write_text("b\na\n", encoding="utf-8")
    vocab = Vocabulary.load(path)
    assert vocab.words == ["b", "a"]
    assert not vocab.has_counts


def test_bad_file_names_file_and_line(tmp_path):
    path = tmp_path / "vocab.txt"
    path.write_text("[PAD]\t0\n[UNK]\t0\nword\tmany\n", encoding="utf-8")
    with pytest.raises(VocabularyError, match=r"vocab\.txt, line 3"):
        Vocabulary.load(path)
    path.write_text("a\n\nb\n", encoding="utf-8")
    with pytest.raises(VocabularyError, match="line 2"):
        Vocabulary.load(path)
    path.write_text("a\na\n", encoding="utf-8")
    with pytest.raises(VocabularyError, match="twice"):
        Vocabulary.load(path)


def test_bad_arguments():
    with pytest.raises(VocabularyError, match="min_count"):
        Vocabulary.from_texts(TEXTS, min_count=0)
    with pytest.raises(VocabularyError, match="max_size"):
        Vocabulary.from_texts(TEXTS, max_size=1)
    with pytest.raises(VocabularyError, match="reserved"):
        Vocabulary(["[UNK]"])
    with pytest.raises(VocabularyError, match="white space"):
        Vocabulary(["a b"])
    with pytest.raises(VocabularyError, match="outside"):
        Vocabulary(["a"]).id_to_token(3)
    with pytest.raises(ValueError):  # every seqkit error is a ValueError
        Vocabulary([""])


def test_count_tokens_batches():
    counts = count_tokens(["a b"] * 5000)
    assert counts == {"a": 5000, "b": 5000}
