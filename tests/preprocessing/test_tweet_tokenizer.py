"""TweetTokenizer: every rule, and the same tokens in Python and in-graph."""

import keras
import pytest
import tensorflow as tf

from seqkit.preprocessing import TweetTokenizer
from seqkit.preprocessing.tweet_tokenizer import cut_repeats

CASES = [
    # lower-case
    ("Great MOVIE", ["great", "movie"]),
    # URLs and mentions
    ("see http://t.co/AbC?x=1 now", ["see", "<url>", "now"]),
    ("www.example.org/page and https://x.y", ["<url>", "and", "<url>"]),
    ("@Bob_99 hi @al", ["<user>", "hi", "<user>"]),
    ("(@bob)", ["(", "<user>", ")"]),
    ("mail me@host.com", ["mail", "me", "@", "host", ".", "com"]),
    # numbers
    ("2012 3.5 1,000 10:30", ["<number>"] * 4),
    ("-4", ["-", "<number>"]),
    ("21st 2day", ["21st", "2day"]),
    # repeats cut to two
    ("sooooo goooood", ["soo", "good"]),
    ("!!!! ???", ["!!", "??"]),
    ("hahaha", ["hahaha"]),
    ("ééé", ["éé"]),
    # hashtags and contractions
    ("#TBT #love_it", ["#tbt", "#love_it"]),
    ("don't it's y'all can’t", ["don't", "it's", "y'all", "can't"]),
    # emoticons
    (
        ":) :-( ;D :P <3 ^_^ -_- xD :'( :/",
        [":)", ":-(", ";d", ":p", "<3", "^_^", "-_-", "xd", ":'(", ":/"],
    ),
    ("great:)", ["great", ":)"]),
    # emoji: one token each, modifiers and selectors removed
    ("😂😂", ["😂", "😂"]),
    ("👍🏽 👍🏿 👍", ["👍", "👍", "👍"]),
    ("❤️", ["❤"]),
    ("👩‍💻 👨‍👩‍👧", ["👩\u200d💻", "👨\u200d👩\u200d👧"]),
    ("🇫🇷🇩🇪", ["🇫🇷", "🇩🇪"]),
    ("1️⃣", ["1\u20e3"]),
    ("love🎉it", ["love", "🎉", "it"]),
    # other punctuation split off
    (
        "wow, really?! (yes)...",
        ["wow", ",", "really", "?!", "(", "yes", ")", ".."],
    ),
    ("", []),
]


@pytest.mark.parametrize(
    "text, tokens", CASES, ids=[c[0] or "empty" for c in CASES]
)
def test_rules_in_python(text, tokens):
    assert TweetTokenizer().tokenize(text) == tokens


def test_the_graph_gives_the_same_tokens():
    tokenizer = TweetTokenizer()
    texts = [text for text, _ in CASES]

    @tf.function(input_signature=[tf.TensorSpec([None], tf.string)])
    def in_graph(batch):
        return tokenizer(batch).to_tensor("")

    rows = in_graph(tf.constant(texts)).numpy().tolist()
    got = [[t.decode("utf-8") for t in row if t] for row in rows]
    assert got == [tokens for _, tokens in CASES]
    assert got == tokenizer.tokenize(texts)


def test_inside_a_keras_text_vectorization_layer():
    tokenizer = TweetTokenizer()
    layer = keras.layers.TextVectorization(
        standardize=None,
        split=tokenizer,
        vocabulary=["<user>", "soo", "good", "😂"],
    )
    ids = layer(tf.constant(["@ann sooooo GOOD 😂😂 !"])).numpy().tolist()
    # 0 padding, 1 unknown, then the vocabulary from 2.
    assert ids == [[2, 3, 4, 5, 5, 1]]


def test_config_round_trip_and_keras_serialization():
    tokenizer = TweetTokenizer(lowercase=False, normalization=None)
    config = keras.saving.serialize_keras_object(tokenizer)
    rebuilt = keras.saving.deserialize_keras_object(config)
    assert rebuilt == tokenizer and rebuilt.get_config() == {
        "lowercase": False,
        "normalization": None,
    }
    assert rebuilt.tokenize("Sooo :D") == ["Soo", ":D"]
    assert TweetTokenizer() != TweetTokenizer(lowercase=False)


def test_unknown_normalization():
    with pytest.raises(ValueError, match="normalization must be one of"):
        TweetTokenizer(normalization="NFX")


def test_non_string_items_are_refused():
    with pytest.raises(ValueError, match="item 1 is int"):
        TweetTokenizer().tokenize(["ok", 3])


@pytest.mark.parametrize(
    "text, keep, expected",
    [
        ("aaaa", 2, "aa"),
        ("aaaa", 1, "a"),
        ("abba", 1, "aba"),
        ("", 2, ""),
        ("xxyyyzz", 2, "xxyyzz"),
    ],
)
def test_cut_repeats(text, keep, expected):
    out = cut_repeats(tf.constant([[text]]), keep)
    assert out.shape == (1, 1)
    assert out.numpy()[0, 0].decode("utf-8") == expected
