"""Settings the training data decides, each with its reason.

A `SentimentConfig` leaves a data-decided setting at `None` (its default)
to have it decided here from the training split; a value the user gave
(command line, `--config` file, preset or Python argument) is kept. The
recipe calls `adapt_settings` before it creates the run folder, so
`RUN/config.json` holds the values used, and its `adapted` entry says why
each was chosen. The rules are pure functions of the training texts and
labels, so a resumed run decides the same.

The rules:

- `strip_html`: on when at least 1% of the training texts carry an HTML
  tag (`<br />`, `<p>`, `<i>` ...).
- `max_length`: the longest training text in tokens, so that no text is
  cut; at most `MAX_LENGTH_CAP`, and lowered until the texts read average
  at most `MEAN_TOKENS_CAP` tokens (long texts make every step of an
  epoch cost more; many short texts do not, and are never cut for their
  number; length-bucketed batches keep the short texts cheap either way).
  The n-gram side reads every text whole.
- `keep`: which tokens a text longer than `max_length` keeps: `start`
  (the first ones) when no training text is cut; else the one of
  `start`, `end` and `start+end` (the first quarter of `max_length` and
  the last three quarters) whose cut texts a linear model classifies
  best in cross-validation on the training texts (`keep_scores`; ties
  go to `start+end`). Movie reviews keep their end (the verdict), a
  news story would keep its start.
- `min_count` and `max_vocab`: every training word, while the vocabulary
  stays within `VOCABULARY_CAP` words; beyond it, the words seen at least
  twice, up to the cap.
- `epochs` and `patience`: about `STEPS_BUDGET` optimizer steps (an epoch
  of a small data set is a few steps, so it gets more epochs), within
  `EPOCH_RANGE`, and no more than `TOKENS_BUDGET` tokens read by a member
  (long texts make long epochs); patience grows with the budget.
- `selection`: the metric that picks the ensemble's weights (`accuracy`
  for two classes of similar size, otherwise `macro_f1`).
"""

import dataclasses
import math
import re

import numpy as np

# Setting -> the value used when adaptation is off (`adapt=False`).
FALLBACKS = {
    "strip_html": False,
    "max_length": 100,
    "keep": "start",
    "min_count": 1,
    "max_vocab": 30000,
    "epochs": 25,
    "patience": 4,
    "selection": "accuracy",
}
ADAPTIVE = tuple(FALLBACKS)

HTML_SHARE = 0.01
_HTML_TAG = re.compile(
    r"</?(?:br|p|i|b|em|strong|div|span|a|u|ul|li|ol|h[1-6]|"
    r"blockquote|font|img|table|tr|td)\b[^<>]{0,200}>",
    re.IGNORECASE,
)
LENGTH_QUANTILE = 99.0
MAX_LENGTH_CAP = 800
MIN_MAX_LENGTH = 8
MEAN_TOKENS_CAP = 300
VOCABULARY_CAP = 50_000
STEPS_BUDGET = 3400
TOKENS_BUDGET = 4_500_000
EPOCH_RANGE = (10, 40)
BALANCE_SHARE = 0.6
KEEP_CHOICES = ("start", "end", "start+end")
KEEP_SAMPLE = 2000
KEEP_FOLDS = 5


def adapt_settings(config, texts, labels, tokenizer_for):
    """Fills the data-decided settings `config` leaves at None.

    Args:
        config: a `SentimentConfig`.
        texts: the training texts.
        labels: their labels.
        tokenizer_for: `strip_html -> tokenizer` (with `iter_tokenize`),
            the tokenizer the run will use.

    Returns:
        `(config, reasons)`: a copy with every setting of `ADAPTIVE` set,
        and `{setting: reason}` for those decided here.
    """
    values, reasons = {}, {}
    if config.strip_html is None:
        values["strip_html"], reasons["strip_html"] = _strip_html(texts)
    strip = values.get("strip_html", config.strip_html)
    counts = lengths = None
    if None in (
        config.max_length,
        config.keep,
        config.min_count,
        config.max_vocab,
        config.epochs,
    ):
        tokenizer = tokenizer_for(bool(strip))
        lengths, counts = _lengths_and_counts(texts, tokenizer, config)
    if config.max_length is None:
        values["max_length"], reasons["max_length"] = _max_length(lengths)
    if config.keep is None:
        length = values.get("max_length", config.max_length)
        values["keep"], reasons["keep"] = _keep(
            lengths, length, texts, labels, tokenizer
        )
    if config.min_count is None or config.max_vocab is None:
        min_count, max_vocab, why = _vocabulary(
            counts, config.max_vocab or VOCABULARY_CAP
        )
        for name, value in (("min_count", min_count), ("max_vocab", max_vocab)):
            if getattr(config, name) is None:
                values[name], reasons[name] = value, why
    if config.epochs is None or config.patience is None:
        read = None
        if lengths is not None:
            length = values.get("max_length", config.max_length)
            read = tokens_read(lengths, length or FALLBACKS["max_length"])
        epochs, patience, why = _epochs(len(texts), config.batch_size, read)
        for name, value in (("epochs", epochs), ("patience", patience)):
            if getattr(config, name) is None:
                values[name], reasons[name] = value, why
    if config.selection is None:
        values["selection"], reasons["selection"] = _selection(labels)
    adapted = dataclasses.replace(
        config, **values, adapted={**config.adapted, **reasons}
    )
    return adapted, reasons


def fallback_settings(config):
    """`config` with every data-decided setting left at None set to its
    fixed default (`FALLBACKS`), for code that runs without data."""
    values = {
        name: value
        for name, value in FALLBACKS.items()
        if getattr(config, name) is None
    }
    return dataclasses.replace(config, **values)


def _strip_html(texts):
    tagged = sum(1 for text in texts if _HTML_TAG.search(text))
    share = tagged / max(len(texts), 1)
    example = next(
        (m.group(0) for t in texts if (m := _HTML_TAG.search(t))), ""
    )
    if share >= HTML_SHARE:
        return True, (
            f"{tagged} of {len(texts)} training texts ({100 * share:.1f}%) "
            f"carry HTML tags such as {example!r}: tags are stripped"
        )
    return False, (
        f"{tagged} of {len(texts)} training texts carry HTML tags (below "
        f"{100 * HTML_SHARE:g}%): texts are read as they are"
    )


def _lengths_and_counts(texts, tokenizer, config):
    from collections import Counter

    lengths, counts = [], Counter()
    for tokens in tokenizer.iter_tokenize(texts):
        lengths.append(len(tokens))
        counts.update(tokens)
    return np.asarray(lengths, dtype=np.int64), counts


def tokens_read(lengths, max_length):
    """Tokens an epoch reads when texts are cut at `max_length`."""
    return int(np.minimum(lengths, max_length).sum())


def _max_length(lengths):
    if len(lengths) == 0:
        return FALLBACKS["max_length"], "no training texts: the fixed default"
    longest = int(lengths.max())
    quantile = int(math.ceil(np.percentile(lengths, LENGTH_QUANTILE)))
    chosen = min(max(longest, MIN_MAX_LENGTH), MAX_LENGTH_CAP)
    limit = ""
    if chosen < longest:
        limit = f", capped at {MAX_LENGTH_CAP}"
    budget = MEAN_TOKENS_CAP * len(lengths)
    while chosen > MIN_MAX_LENGTH and tokens_read(lengths, chosen) > budget:
        chosen = max(MIN_MAX_LENGTH, int(chosen * 0.9))
        limit = (
            f", lowered so that the texts read average at most "
            f"{MEAN_TOKENS_CAP} tokens"
        )
    cut = int(np.sum(lengths > chosen))
    return chosen, (
        f"the {len(lengths):,} training texts have up to {longest} tokens "
        f"(mean {lengths.mean():.1f}, {LENGTH_QUANTILE:g}% at most "
        f"{quantile}){limit}: {chosen} keeps {len(lengths) - cut:,} whole "
        f"and cuts {cut:,}; length-bucketed batches keep short texts cheap"
    )


def _keep(lengths, max_length, texts, labels, tokenizer):
    cut = int(np.sum(lengths > max_length))
    if not cut:
        return "start", (
            f"no training text is longer than {max_length} tokens: a longer "
            "text keeps its first ones"
        )
    scores = keep_scores(texts, labels, tokenizer, max_length)
    head = (
        f"{cut:,} of {len(lengths):,} training texts are longer than "
        f"{max_length} tokens"
    )
    if scores is None:
        return "start+end", (
            f"{head}; too few texts of each class to compare what they "
            f"keep: each keeps its first {max_length // 4} and its last "
            f"{max_length - max_length // 4}"
        )
    best = max(KEEP_CHOICES, key=lambda k: (scores[k], k == "start+end"))
    kept = {
        "start": f"its first {max_length}",
        "end": f"its last {max_length}",
        "start+end": (
            f"its first {max_length // 4} and its last "
            f"{max_length - max_length // 4}"
        ),
    }[best]
    compared = ", ".join(f"{k} {scores[k]:.4f}" for k in KEEP_CHOICES)
    return best, (
        f"{head}: each keeps {kept}, the choice a linear model classified "
        f"best in {KEEP_FOLDS}-fold cross-validation on the training texts "
        f"(accuracy: {compared})"
    )


def keep_scores(texts, labels, tokenizer, max_length):
    """How well each `keep` choice's cut texts can be classified.

    Up to `KEEP_SAMPLE` training texts (drawn with seed 0) are tokenized,
    cut to `max_length` tokens as each choice keeps them, and scored by
    `KEEP_FOLDS`-fold stratified cross-validation of a linear model
    (TF-IDF of words, logistic regression with liblinear, C = 10): the
    texts the recurrent members will read, judged by a model that trains
    in a second. Validation and test texts are not read.

    Returns:
        `{keep: mean accuracy}` for each of `KEEP_CHOICES`, or None when a
        class has fewer than `KEEP_FOLDS` texts in the sample.
    """
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_score
    from sklearn.pipeline import make_pipeline

    from seqkit.preprocessing.text_vectorizer import keep_list

    rng = np.random.default_rng(0)
    chosen = np.sort(
        rng.permutation(len(texts))[: min(KEEP_SAMPLE, len(texts))]
    )
    sample = [str(labels[i]) for i in chosen]
    _, counts = np.unique(sample, return_counts=True)
    if len(counts) < 2 or counts.min() < KEEP_FOLDS:
        return None
    tokens = [
        [t.decode() if isinstance(t, bytes) else t for t in row]
        for row in tokenizer.iter_tokenize([texts[i] for i in chosen])
    ]
    scores = {}
    for keep in KEEP_CHOICES:
        model = make_pipeline(
            TfidfVectorizer(
                sublinear_tf=True,
                token_pattern=None,
                tokenizer=str.split,
                lowercase=False,
            ),
            LogisticRegression(C=10.0, solver="liblinear"),
        )
        cut = [" ".join(keep_list(row, max_length, keep)) for row in tokens]
        folds = StratifiedKFold(KEEP_FOLDS, shuffle=True, random_state=0)
        found = cross_val_score(model, cut, sample, cv=folds)
        scores[keep] = round(float(np.mean(found)), 4)
    return scores


def _vocabulary(counts, cap=VOCABULARY_CAP):
    distinct = len(counts)
    if distinct <= cap:
        return (
            1,
            cap,
            (
                f"the training texts have {distinct:,} distinct words, within "
                f"{cap:,}: every one is kept"
            ),
        )
    repeated = sum(1 for c in counts.values() if c >= 2)
    return (
        2,
        cap,
        (
            f"the training texts have {distinct:,} distinct words, more than "
            f"{cap:,}: words seen at least twice ({repeated:,}), up to "
            f"{cap:,}"
        ),
    )


def _epochs(count, batch_size, tokens=None):
    steps = max(1, math.ceil(count / batch_size))
    low, high = EPOCH_RANGE
    epochs = min(high, max(low, round(STEPS_BUDGET / steps)))
    why = (
        f"{count:,} training texts make {steps} steps an epoch at batch "
        f"size {batch_size}: {epochs} epochs (about {STEPS_BUDGET:,} steps, "
        f"within {low}-{high})"
    )
    if tokens and epochs * tokens > TOKENS_BUDGET:
        epochs = max(low, TOKENS_BUDGET // tokens)
        why = (
            f"an epoch reads {tokens:,} tokens: {epochs} epochs (about "
            f"{TOKENS_BUDGET:,} tokens a member, at least {low})"
        )
    patience = 4 if epochs <= 25 else 6
    return (
        epochs,
        patience,
        (f"{why}, early stopping after {patience} without improvement"),
    )


def choose_selection(labels):
    """`"accuracy"` for two classes of similar size, else `"macro_f1"`."""
    return _selection(labels)[0]


def _selection(labels):
    values, counts = np.unique(
        np.asarray([str(y) for y in labels]), return_counts=True
    )
    share = counts.max() / max(counts.sum(), 1) if len(counts) else 1.0
    if len(values) == 2 and share <= BALANCE_SHARE:
        return "accuracy", (
            f"two classes, the larger {100 * share:.0f}% of training: "
            "accuracy picks the ensemble's weights"
        )
    return "macro_f1", (
        f"{len(values)} classes, the largest {100 * share:.0f}% of "
        "training: macro-F1 picks the ensemble's weights"
    )
