"""Corpus BLEU and exact match, against values computed by hand."""

import math

import pytest

from seqkit.models.metrics import caption_metrics


def test_bleu_by_hand():
    # Unigrams: 3/4 + 2/2 = 5/6; bigrams: 2/3 + 1/1 = 3/4; trigrams:
    # 1/2 + 0/0 = 1/2; 4-grams: 0/1. Lengths 6 and 6: no brevity penalty.
    found = caption_metrics(["a b c d", "a b"], ["a b c e", "a b"])
    assert found["n"] == 2
    assert found["bleu_1"] == pytest.approx(100 * 5 / 6, abs=1e-3)
    assert found["bleu_2"] == pytest.approx(
        100 * math.sqrt(5 / 6 * 3 / 4), abs=1e-3
    )
    assert found["bleu_3"] == pytest.approx(
        100 * (5 / 6 * 3 / 4 * 1 / 2) ** (1 / 3), abs=1e-3
    )
    # No 4-gram matches and no smoothing: corpus BLEU-4 is 0.
    assert found["bleu_4"] == 0.0 and found["bleu"] == 0.0
    assert found["exact_match"] == 0.5


def test_clipping_and_the_brevity_penalty():
    # "the" counts at most twice (the reference has it twice): 2/3; the
    # hypothesis has 3 words for 6: penalty exp(1 - 6/3).
    found = caption_metrics(["the cat is on the mat"], ["the the the"])
    assert found["bleu_1"] == pytest.approx(
        100 * 2 / 3 * math.exp(-1), abs=1e-3
    )
    assert found["exact_match"] == 0.0


def test_perfect_captions_score_100():
    captions = ["seven two nine one", "three three four five six"]
    found = caption_metrics(captions, [" seven  two nine one", *captions[1:]])
    assert found["bleu"] == pytest.approx(100.0)
    assert found["exact_match"] == 1.0


def test_mismatched_lists_are_refused():
    with pytest.raises(ValueError, match="1 captions for 2 references"):
        caption_metrics(["a", "b"], ["a"])
    with pytest.raises(ValueError, match="non-zero"):
        caption_metrics([], [])
