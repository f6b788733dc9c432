"""Sentence splitting and document packing, in the graph."""

import numpy as np
import pytest

from seqkit.preprocessing import (
    DocumentVectorizer,
    TextVectorizer,
    split_sentences,
)


def _split(text, **options):
    return [
        s.decode("utf-8") for s in split_sentences([text], **options)[0].numpy()
    ]


@pytest.mark.parametrize(
    "text, expected",
    [
        # Abbreviations keep their period.
        (
            "Mr. Smith met Dr. Jones. They talked.",
            ["Mr. Smith met Dr. Jones.", "They talked."],
        ),
        ("We saw lions, tigers, etc. and more. Fine.", None),
        # Decimals and amounts.
        (
            "It cost $3.50 and grew 2.5% in 2020. Next year it fell.",
            ["It cost $3.50 and grew 2.5% in 2020.", "Next year it fell."],
        ),
        # Closing quotes stay with their sentence.
        (
            'He said "Stop." Then he left! Did he? Yes.',
            ['He said "Stop."', "Then he left!", "Did he?", "Yes."],
        ),
        ("She asked 'why?' Nobody knew.", ["She asked 'why?'", "Nobody knew."]),
        # An ellipsis before a lower-case word does not end the sentence.
        (
            "It was... fine, really. It ended... Then silence.",
            ["It was... fine, really.", "It ended...", "Then silence."],
        ),
        # Initials, but "I" ends a sentence.
        (
            "J. R. R. Tolkien wrote it. So did I. Then we met.",
            ["J. R. R. Tolkien wrote it.", "So did I.", "Then we met."],
        ),
        # Brackets and digits start sentences.
        (
            "Done. (Really.) 42 people came.",
            ["Done.", "(Really.)", "42 people came."],
        ),
        ("e.g. this. I.e. that.", ["e.g. this.", "I.e. that."]),
        ("", []),
        ("   ", []),
        ("no final stop", ["no final stop"]),
    ],
)
def test_punctuation_rules(text, expected):
    if expected is None:
        expected = ["We saw lions, tigers, etc. and more.", "Fine."]
    assert _split(text) == expected


def test_line_breaks_are_boundaries_when_asked():
    text = "first line\nsecond line\r\n\nthird. still third"
    assert _split(text) == ["first line", "second line", "third. still third"]
    assert _split(text, line_breaks=False) == [
        "first line\nsecond line\r\n\nthird. still third"
    ]


def test_lower_cased_text_needs_any_start():
    text = "a fine film. sharp and warm. i liked it !"
    assert _split(text) == [text]
    assert _split(text, require_capital=False) == [
        "a fine film.",
        "sharp and warm.",
        "i liked it !",
    ]


def test_custom_abbreviations():
    text = "Ask Prof. Smith. Now."
    assert _split(text) == ["Ask Prof. Smith.", "Now."]
    assert _split(text, abbreviations=()) == ["Ask Prof.", "Smith.", "Now."]
    assert _split("Ask Sgt. Pepper. Now.", abbreviations=("sgt",)) == [
        "Ask Sgt. Pepper.",
        "Now.",
    ]


def _texts(*texts):
    return np.array(texts, dtype=object)


def _documents(max_sentences=None, max_words=None):
    words = ["good", "bad", "film", "a", "very", "."]
    return DocumentVectorizer(
        TextVectorizer(words, max_length=max_words), max_sentences=max_sentences
    )


def test_documents_are_packed_and_padded_at_both_levels():
    documents = _documents()
    ids = np.asarray(
        documents(_texts("A good film. A very bad film.", "Bad.", ""))
    )
    # 3 documents, 2 sentences at most, 5 words at most (with ".").
    assert ids.shape == (3, 2, 5)
    vocabulary = documents.vectorizer.get_vocabulary()
    first = [[vocabulary[i] for i in row if i] for row in ids[0]]
    assert first == [
        ["a", "good", "film", "."],
        ["a", "very", "bad", "film", "."],
    ]
    assert ids[1, 1].sum() == 0 and ids[2].sum() == 0
    # A batch of empty documents still has a sentence and a word axis.
    assert np.asarray(documents(_texts("", ""))).shape == (2, 1, 1)


def test_truncation_is_applied_and_counted():
    documents = _documents(max_sentences=2, max_words=3)
    texts = ["A good film. A very bad film. Bad. Good.", "Good film."]
    ids = np.asarray(documents(_texts(*texts)))
    assert ids.shape == (2, 2, 3)
    assert documents.count_truncated(texts) == {
        "documents": 1,
        "sentences_cut": 2,
        "sentences": 2,
        "words_cut": 3,
    }


def test_bad_settings_are_named():
    with pytest.raises(ValueError, match="max_sentences"):
        _documents(max_sentences=0)
    with pytest.raises(TypeError, match="TextVectorizer"):
        DocumentVectorizer("words")
