"""Validation data held out of the training data when no `--valid` is given.

The split itself is `seqkit.data.splits.hold_out` (pure, seeded,
stratified, near-identical texts on one side); this module makes the keys
with the run's tokenizer and logs what was held out.
"""

import logging

from seqkit.data.splits import split_off_valid, text_key, tokens_key

log = logging.getLogger(__name__)

# How the keys are made, in words (recorded in `RUN/data.json`).
TOKEN_KEY = (
    "the run's tokens (seqkit.data.splits.tokens_key): lower-cased, "
    "punctuation tokens and spacing ignored"
)
TEXT_KEY = (
    "the text lower-cased, words only (seqkit.data.splits.text_key): "
    "punctuation and spacing ignored"
)


def group_keys(texts, tokenizer=None):
    """One key per text: `tokens_key` of its tokens under `tokenizer`
    (its `iter_tokenize`), or `text_key` without one."""
    if tokenizer is None:
        return [text_key(text) for text in texts]
    return [
        tokens_key(tokens, text)
        for tokens, text in zip(
            tokenizer.iter_tokenize(texts), texts, strict=True
        )
    ]


def hold_out_valid(splits, fraction, seed, tokenizer=None):
    """`splits` with validation examples held out of the training set.

    Args:
        splits: `seqkit.data.Splits` without `valid`.
        fraction: the share of the training examples to hold out.
        seed: the seed of the hold-out.
        tokenizer: the run's tokenizer, or None for `text_key`.

    Returns:
        `(splits, record)`: the new splits and what `RUN/data.json`
        records under `valid_held_out`.
    """
    keys = group_keys(splits.train.texts, tokenizer)
    new, record = split_off_valid(
        splits,
        fraction,
        seed,
        keys,
        TEXT_KEY if tokenizer is None else TOKEN_KEY,
    )
    log.info(
        "no --valid: held out %d of %d training examples (%g, stratified "
        "by label, seed %d; texts with the same tokens kept together) for "
        "validation",
        len(new.valid),
        len(splits.train),
        fraction,
        seed,
    )
    return new, record
