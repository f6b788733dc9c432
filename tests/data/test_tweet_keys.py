"""`tweet_group_key`: the key that keeps copies of one tweet in one split."""

import csv
import re
import unicodedata
from pathlib import Path

import pytest

from seqkit.data import tweet_group_key

COMMITTED = Path(__file__).resolve().parents[2] / "data" / "vader-tweets"


@pytest.mark.parametrize(
    "texts",
    [
        [
            "Damn, running late sucks.",
            "Damn! running late sucks!",
            "DAMN! running late SUCKS!",
            "DAMN!!! running late SUCKS!!!",
            "damn running  late sucks",
            "Damn ... running late, sucks ?!",
        ],
        ["Sooooo good", "SOOO GOOD!!", "so-o good"],
        ["@bob thanks http://t.co/abc", "@ann THANKS! https://x.co/def"],
        ["yay. 300 followers =D", "YAY! 5 followers =D"],
        ["Caf\u00e9 time \u2019til 5", "CAFE\u0301 TIME 'TIL 9"],
        ["ok \U0001f44d\U0001f3fd", "OK! \U0001f44d"],
        ["say hi to @anonymous", "Say hi to @anonymous!"],
    ],
)
def test_variants_of_one_tweet_share_a_key(texts):
    keys = {tweet_group_key(text) for text in texts}
    assert len(keys) == 1, dict(zip(texts, map(tweet_group_key, texts)))


@pytest.mark.parametrize(
    "first, second",
    [
        ("running late sucks", "running late rocks"),
        ("love it \U0001f602", "love it \U0001f621"),
        ("thanks <3", "thanks :3"),
        ("@bob hi", "bob hi"),
        ("good", "good good"),
    ],
)
def test_other_tweets_get_other_keys(first, second):
    assert tweet_group_key(first) != tweet_group_key(second)


def test_the_key_is_the_standardized_letters_and_symbols():
    assert tweet_group_key("@bob Sooooo good :) http://t.co/x 10") == (
        "<user>soogood<url>"
    )
    assert tweet_group_key("!!! 2 ...") == ""


def _punctuation_only(token):
    return all(unicodedata.category(char).startswith("P") for char in token)


def test_tokenizer_equal_tweets_share_a_key():
    # The promise the split rests on, checked against the TensorFlow
    # tokenizer itself: variants of the committed tweets that it maps to
    # the same tokens (punctuation tokens dropped) get the same key.
    from seqkit.preprocessing import TweetTokenizer

    texts = []
    for split in ("train", "valid", "test"):
        with open(COMMITTED / f"{split}.csv", encoding="utf-8") as handle:
            texts.extend(row["text"] for row in csv.DictReader(handle))
    variants = [
        lambda t: t.upper(),
        lambda t: t.replace(".", "!!!").replace(",", " ;"),
        lambda t: f'"{t}" ...',
        # Doubled letters stretched ("good" -> "goooood"), spaces doubled.
        lambda t: re.sub(r"(\w)\1", r"\1\1\1\1\1", t).replace(" ", "  "),
    ]
    pairs = [(text, variant(text)) for text in texts for variant in variants]
    tokens = TweetTokenizer().tokenize(
        [text for pair in pairs for text in pair]
    )
    kept = [tuple(t for t in seq if not _punctuation_only(t)) for seq in tokens]
    same_tokens = 0
    for index, (text, variant) in enumerate(pairs):
        if kept[2 * index] == kept[2 * index + 1]:
            same_tokens += 1
            assert tweet_group_key(text) == tweet_group_key(variant), (
                text,
                variant,
            )
    # Nearly every variant is one the tokenizer cannot tell apart.
    assert same_tokens > 0.95 * len(pairs), (same_tokens, len(pairs))
