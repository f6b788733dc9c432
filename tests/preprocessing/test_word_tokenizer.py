import csv
import importlib
from pathlib import Path

import keras
import pytest
import tensorflow as tf

from seqkit.errors import SeqkitError
from seqkit.preprocessing import WordTokenizer, tokenize

CASES = [
    # Rotten Tomatoes style: already tokenized, stays as it is.
    (
        "the film's plot is thin , but the acting -- especially by murphy "
        "-- is terrific .",
        "the film's plot is thin , but the acting -- especially by murphy "
        "-- is terrific .".split(),
    ),
    # Punctuation split off; contractions and hyphenated words kept.
    (
        "It's a well-made film, isn't it? Don't miss it!!!",
        ["it's", "a", "well-made", "film", ",", "isn't", "it", "?"]
        + ["don't", "miss", "it", "!!!"],
    ),
    ("Really?! Wow...", ["really", "?!", "wow", "..."]),
    (
        '(great) [fun] "yes"',
        ["(", "great", ")", "[", "fun", "]"] + ['"', "yes", '"'],
    ),
    ("acting--especially", ["acting", "--", "especially"]),
    ("-dash- and/or", ["-", "dash", "-", "and", "/", "or"]),
    ("students' work", ["students", "'", "work"]),
    ("'quoted'", ["'", "quoted", "'"]),
    ("rock'n'roll o'clock", ["rock'n'roll", "o'clock"]),
    # Penn Treebank clitics already split off stay whole.
    ("it 's they 're does n't", ["it", "'s", "they", "'re", "does", "n't"]),
    # Numbers.
    (
        "$5.50 for 1,000 at 10:30pm, 9/10 in the 1990s; 21st-century 3.",
        ["$", "5.50", "for", "1,000", "at", "10:30pm", ",", "9/10", "in"]
        + ["the", "1990s", ";", "21st-century", "3", "."],
    ),
    ("the U.S. e.g. fine", ["the", "u.s.", "e.g.", "fine"]),
    # Unicode: NFKC, typographic apostrophes, accents, exotic spaces.
    ("ﬁne ＦＵＬＬ … café", ["fine", "full", "...", "café"]),
    ("Don\u2019t \u201cquote\u201d", ["don't", '"', "quote", '"']),
    ("x\u00a0y\u2003z\u3000w\tv\nu", ["x", "y", "z", "w", "v", "u"]),
    ("soft\u00adhyphen zero\u200bwidth", ["softhyphen", "zero", "width"]),
    ("naïve ÉCOLE Straße", ["naïve", "école", "straße"]),
    ("thumbs 👍🏽 flag 🇫🇷", ["thumbs", "👍🏽", "flag", "🇫🇷"]),
    # Empty and blank texts.
    ("", []),
    ("   \t\n  ", []),
]


@pytest.mark.parametrize("text, expected", CASES)
def test_tokenizes(text, expected):
    assert WordTokenizer().tokenize([text]) == [expected]


def test_case_is_kept_when_asked():
    tokenizer = WordTokenizer(lowercase=False)
    assert tokenizer.tokenize("It 'S Big, OK?") == [
        "It",
        "'S",
        "Big",
        ",",
        "OK",
        "?",
    ]


def test_without_normalization_compatibility_forms_stay():
    assert WordTokenizer(normalization=None).tokenize("ﬁne") == ["ﬁne"]
    assert WordTokenizer(normalization="nfc").normalization == "NFC"


def test_without_punctuation_splitting_only_white_space_splits():
    tokenizer = WordTokenizer(split_punctuation=False)
    assert tokenizer.tokenize("It's thin, but OK.") == [
        "it's",
        "thin,",
        "but",
        "ok.",
    ]


def test_very_long_input():
    text = "word, " * 50_000
    tokens = WordTokenizer().tokenize(text)
    assert len(tokens) == 100_000
    assert tokens[:4] == ["word", ",", "word", ","]


def test_invalid_utf8_is_replaced_not_fatal():
    tokens = WordTokenizer()(tf.constant([b"bad\xffbyte"])).to_list()
    assert tokens == [[b"bad", "\ufffd".encode(), b"byte"]]


def test_graph_and_python_views_agree_on_a_batch():
    texts = [text for text, _ in CASES] + ["Mixed CASE, 'tis ok!?"]
    tokenizer = WordTokenizer()
    graph = tf.function(
        tokenizer, input_signature=[tf.TensorSpec([None], tf.string)]
    )
    in_graph = [
        [t.decode("utf-8") for t in row]
        for row in graph(tf.constant(texts)).to_list()
    ]
    assert tokenizer.tokenize(texts) == in_graph
    assert tokenize(texts) == in_graph


def test_runs_inside_tf_data():
    texts = [text for text, _ in CASES]
    tokenizer = WordTokenizer()
    dataset = tf.data.Dataset.from_tensor_slices(texts).map(tokenizer)
    from_data = [
        [t.decode("utf-8") for t in row] for row in dataset.as_numpy_iterator()
    ]
    assert from_data == tokenizer.tokenize(texts)


def test_scalar_gives_a_flat_token_tensor():
    tokens = WordTokenizer()(tf.constant("a b."))
    assert tokens.shape.rank == 1
    assert tokens.numpy().tolist() == [b"a", b"b", b"."]


def test_keras_serialization_round_trip():
    tokenizer = WordTokenizer(lowercase=False, split_punctuation=False)
    config = keras.saving.serialize_keras_object(tokenizer)
    assert config["registered_name"] == "seqkit>WordTokenizer"
    assert keras.saving.deserialize_keras_object(config) == tokenizer


def test_bad_arguments_raise_clear_errors():
    with pytest.raises(SeqkitError, match="normalization"):
        WordTokenizer(normalization="NFX")
    with pytest.raises(SeqkitError, match="item 1"):
        WordTokenizer().tokenize(["ok", 3])
    assert WordTokenizer().tokenize([]) == []


def bundled_texts(folder):
    texts = []
    for split in ("train", "valid", "test"):
        path = Path(__file__).resolve().parents[2] / "data" / folder
        with open(path / f"{split}.csv", encoding="utf-8") as handle:
            texts.extend(row["text"] for row in csv.DictReader(handle))
    return texts


def _word_groups(module):
    return (
        rf"({module._ABBREVIATION}|{module._WORD}|{module._RUNS}"
        rf"|{module._EMOJI})|({module._CLITIC})(?: |$)|([^ ])",
        r" \1\2\3 ",
    )


def _tweet_groups(module):
    return (
        rf"({module._PLACEHOLDER}|{module._EMOJI}|{module._EMOTICON}"
        rf"|{module._HASHTAG}|{module._WORD}|{module._RUNS})|([^ ])",
        r" \1\2 ",
    )


@pytest.mark.parametrize(
    "module_name, name, folder, grouped, least",
    [
        (
            "word_tokenizer",
            "WordTokenizer",
            "rt-snippets",
            _word_groups,
            250_000,
        ),
        (
            "tweet_tokenizer",
            "TweetTokenizer",
            "vader-tweets",
            _tweet_groups,
            40_000,
        ),
    ],
)
def test_group_free_pattern_splits_as_the_grouped_one(
    monkeypatch, module_name, name, folder, grouped, least
):
    # The token patterns have no capturing group, so RE2 can match them by
    # its DFA alone; the forms with groups (" \1\2\3 ", " \1\2 ") must give
    # the same tokens, here on every bundled snippet or tweet.
    module = importlib.import_module(f"seqkit.preprocessing.{module_name}")
    tokenizer = getattr(module, name)
    texts = bundled_texts(folder)
    texts += [text.upper() for text in texts[:2000]]
    texts += [text for text, _ in CASES] + ["it 's they 're 'S 'Re x' 'sx"]
    tokens = tokenizer().tokenize(texts)
    pattern, rewrite = grouped(module)
    monkeypatch.setattr(module, "_TOKEN", pattern)
    monkeypatch.setattr(module, "_TOKEN_REWRITE", rewrite)
    assert tokenizer().tokenize(texts) == tokens
    assert sum(map(len, tokens)) > least


def _collapse_white_space(text):
    """The rule, in Python: each run of white space becomes one space."""
    import unicodedata

    def white(char):
        category = unicodedata.category(char)
        return category in ("Zs", "Zl", "Zp", "Cc") or char in "\u200b\ufeff"

    out, in_run = [], False
    for char in text:
        if white(char):
            if not in_run:
                out.append(" ")
            in_run = True
        else:
            out.append(char)
            in_run = False
    return "".join(out)


def test_white_space_pattern_collapses_every_run_to_one_space():
    # The pattern leaves a lone ASCII space alone (nothing to rewrite) and
    # rewrites every other run; the result must be the plain rule's.
    import random
    import unicodedata

    from seqkit.preprocessing import word_tokenizer

    white = [
        chr(c)
        for c in range(0x3100)
        if unicodedata.category(chr(c)) in ("Zs", "Zl", "Zp", "Cc", "Cf")
    ] + ["\u200b", "\ufeff"]
    pool = white + list("ab é,") * 20 + [" "] * 40
    rng = random.Random(0)
    texts = [
        "".join(rng.choice(pool) for _ in range(rng.randint(0, 14)))
        for _ in range(5000)
    ] + ["a b", "a  b", " a ", "a\u00a0b", "a \t\u3000 b", "x\u200by"]
    got = tf.strings.regex_replace(
        tf.constant([t.encode("utf-8") for t in texts]),
        word_tokenizer._SPACES,
        " ",
    ).numpy()
    expected = [_collapse_white_space(t).encode("utf-8") for t in texts]
    assert [g for g in got] == expected
