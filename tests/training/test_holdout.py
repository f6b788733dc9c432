"""`seqkit.training.holdout`: the run's tokenizer decides which texts are
alike when validation examples are held out."""

from seqkit.data import Examples, Splits
from seqkit.preprocessing.text_vectorizer import make_tokenizer
from seqkit.training.holdout import group_keys, hold_out_valid


def test_word_tokens_group_case_spacing_and_punctuation_variants():
    tokenizer = make_tokenizer("word", True, "NFKC")
    keys = group_keys(
        [
            "It's a well-made film, isn't it?",
            "IT\u2019S  a well-made film , isn't it",
            "it's a well-made film isn't it ...",
            "It's a well made film, is it?",
        ],
        tokenizer,
    )
    assert keys[0] == keys[1] == keys[2] == "it s a well made film isn t it"
    assert keys[3] != keys[0]


def test_tweet_tokens_group_repeats_mentions_and_links():
    tokenizer = make_tokenizer("tweet", True, "NFC")
    keys = group_keys(
        [
            "@anna sooooo good!!! http://t.co/x",
            "@bob Soooo GOOD https://example.com",
            "so good",
        ],
        tokenizer,
    )
    assert keys[0] == keys[1] != keys[2]


def test_hold_out_valid_keeps_variants_together_and_stratifies():
    texts, labels = [], []
    for i in range(40):
        label = "pos" if i < 30 else "neg"
        for variant in (
            f"Film {i} is fine.",
            f"film {i} is FINE",
            f"Film {i}, is fine!",
        ):
            texts.append(variant)
            labels.append(label)
    splits = Splits(
        train=Examples(
            texts, labels, "t.csv", lines=list(range(2, len(texts) + 2))
        )
    )
    tokenizer = make_tokenizer("word", True, "NFKC")
    new, record = hold_out_valid(splits, 0.1, 1337, tokenizer)
    keys = dict(zip(texts, group_keys(texts, tokenizer), strict=True))
    held = {keys[t] for t in new.valid.texts}
    assert held and not held & {keys[t] for t in new.train.texts}
    # Groups of three: 9 of the 90 positive rows, 3 of the 30 negative.
    assert record["counts"]["valid"] == {"neg": 3, "pos": 9}
    assert record["key"].startswith("the run's tokens")
    again, _ = hold_out_valid(splits, 0.1, 1337, tokenizer)
    assert again.valid.texts == new.valid.texts
