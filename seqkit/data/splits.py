"""Train / valid / test splits read together and checked against each other."""

import collections
import dataclasses
import hashlib
import logging
import re

from seqkit.data.errors import DataError
from seqkit.data.readers import read_examples

logger = logging.getLogger(__name__)

# How many unseen labels an error message lists before "...".
_SHOWN_LABELS = 10
# The most held-out rows `holdout_record` lists one by one; past it the
# seed, the method and the digest of the texts still fix the split.
LISTED_ROWS = 10000
# How `hold_out` chooses, in words (recorded in `RUN/data.json`).
HOLD_OUT_METHOD = (
    "rows with the same key form a group, and a group stays on one side; "
    "each group belongs to its most frequent label; per label, groups in "
    "the order of sha1(f'{seed}:{key}') are held out while the label's "
    "held-out rows stay within round(fraction * its rows) and every label "
    "keeps a training row (seqkit.data.splits.hold_out)"
)
_WORDS = re.compile(r"\w+")


@dataclasses.dataclass
class Splits:
    """Labelled examples for training and, optionally, validation and test.

    Attributes:
        train: the training examples.
        valid: the validation examples, or `None`.
        test: the test examples, or `None`.
    """

    train: object
    valid: object = None
    test: object = None

    @property
    def label_names(self):
        """The sorted class names of the training set."""
        return self.train.label_names

    def items(self):
        """`(name, examples)` for each split present, train first."""
        pairs = (
            ("train", self.train),
            ("valid", self.valid),
            ("test", self.test),
        )
        return [(name, split) for name, split in pairs if split is not None]


def load_splits(
    train,
    valid=None,
    test=None,
    text_column="text",
    label_column="label",
    encoding="utf-8",
):
    """Reads labelled splits and checks them against each other.

    Checks, beyond what each reader checks: every split is labelled, the
    training set has at least two classes, and every label in the
    validation and test sets occurs in the training set. Texts that occur
    both in training and in another split are reported in the log, since
    they inflate the scores measured on that split.

    Args:
        train: the training file or folder.
        valid: the validation file or folder, or `None`.
        test: the test file or folder, or `None`.
        text_column: the column or key holding the text.
        label_column: the column or key holding the label.
        encoding: the text encoding of the files.

    Returns:
        A `Splits`.

    Raises:
        DataError: a reader finds a problem, a split has no labels, the
            training set has a single class, or a validation or test label
            does not occur in the training set.

    Example:

    >>> from seqkit.data import load_splits
    >>> splits = load_splits(
    ...     "data/rt-snippets/train.csv",
    ...     valid="data/rt-snippets/valid.csv",
    ... )  # doctest: +SKIP
    >>> splits.label_names  # doctest: +SKIP
    ['negative', 'positive']
    """
    if label_column is None:
        raise ValueError(
            "load_splits reads labelled data: label_column must name the "
            "label column, received None"
        )

    def read(path):
        if path is None:
            return None
        examples = read_examples(path, text_column, label_column, encoding)
        if examples.labels is None:
            raise DataError(
                f"expected labelled data (a column {label_column!r}); plain "
                ".txt files hold texts only",
                path=examples.source,
            )
        return examples

    splits = Splits(train=read(train), valid=read(valid), test=read(test))
    classes = splits.label_names
    if len(classes) < 2:
        raise DataError(
            f"the training set has a single class, {classes[0]!r}; a "
            "classifier needs at least two",
            path=splits.train.source,
            field=label_column,
        )
    for name, split in splits.items()[1:]:
        _check_known_labels(name, split, set(classes), label_column)
        _report_overlap(name, split, splits.train)
    return splits


def _check_known_labels(name, split, known, label_column):
    first = {}
    for index, label in enumerate(split.labels):
        if label not in known:
            first.setdefault(label, index)
    if not first:
        return
    unseen = sorted(first, key=first.get)
    listed = ", ".join(
        f"{label!r} (first at {split.location(first[label])})"
        for label in unseen[:_SHOWN_LABELS]
    )
    more = ", ..." if len(unseen) > _SHOWN_LABELS else ""
    raise DataError(
        f"{len(unseen)} label(s) of the {name} set do not occur in the "
        f"training set: {listed}{more}; training labels: "
        f"{', '.join(sorted(known))}",
        path=split.source,
        line=split.lines[first[unseen[0]]] if split.files is None else None,
        field=label_column,
    )


def _report_overlap(name, split, train):
    """Warns of `split`'s texts that occur in training, and says how many
    of them carry a label the training copies never do (a relabelled
    duplicate lowers scores where a faithful one inflates them)."""
    labels = collections.defaultdict(set)
    for text, label in zip(train.texts, train.labels):
        labels[text].add(label)
    shared = [i for i, text in enumerate(split.texts) if text in labels]
    if not shared:
        return
    other = [i for i in shared if split.labels[i] not in labels[split.texts[i]]]
    if not other:
        logger.warning(
            "%s: %d of %d %s texts also occur in the training set %s, with "
            "the same label; scores on this split will be inflated",
            split.source,
            len(shared),
            len(split),
            name,
            train.source,
        )
        return
    logger.warning(
        "%s: %d of %d %s texts also occur in the training set %s: %d with "
        "a label the training copies have (they inflate scores on this "
        "split) and %d only with another label (first at %s; a model that "
        "learnt the training labels gets them wrong)",
        split.source,
        len(shared),
        len(split),
        name,
        train.source,
        len(shared) - len(other),
        len(other),
        split.location(other[0]),
    )


def text_key(text):
    """The key under which near-identical texts are one group.

    The text lower-cased, reduced to its words (`\\w+` runs: letters,
    digits and underscores), joined by single spaces: case, punctuation
    and white space are ignored, so "A fine film!" and "a fine film ."
    share a key. A text without any word keeps itself, stripped, as key.

    Example:

    >>> from seqkit.data.splits import text_key
    >>> text_key("A  fine film!") == text_key("a fine film .")
    True
    """
    words = " ".join(_WORDS.findall(text.lower()))
    return words or text.strip()


def tokens_key(tokens, text=""):
    """The `text_key` of a text's tokens: texts a tokenizer gives the same
    tokens (punctuation tokens and case aside) share it; `text` is the
    fallback key when the tokens hold no word."""
    return text_key(" ".join(tokens)) or text.strip()


def _group_hash(key, seed):
    return hashlib.sha1(f"{seed}:{key}".encode()).hexdigest()


def hold_out(keys, labels=None, fraction=0.1, seed=0):
    """A seeded, stratified hold-out that keeps groups of a key together.

    Rows that share a key (e.g. `text_key` of their text) form a group,
    and a group goes wholly to one side. Each group counts for its most
    frequent label (ties: the first in sorted order). Per label, its
    groups are taken in the order of the sha1 hex digest of
    `f"{seed}:{key}"`, each held out when the label's held-out rows stay
    within `round(fraction * rows)` and every label keeps at least one
    row in training; a group too large to fit is left in training. The
    result depends only on the keys, labels, fraction and seed (not on the
    row order, NumPy or a library version).

    Args:
        keys: one key (a string) per row.
        labels: one label per row, or None (one class).
        fraction: the share of the rows to hold out, in (0, 1).
        seed: mixed into the order; another seed holds out other rows.

    Returns:
        `(kept, held)`: sorted row indices.

    Example:

    >>> from seqkit.data.splits import hold_out
    >>> kept, held = hold_out(list("abcdefghij"), ["x"] * 5 + ["y"] * 5, 0.2)
    >>> len(held), sorted(kept + held) == list(range(10))
    (2, True)
    """
    if not 0.0 < fraction < 1.0:
        raise ValueError(f"fraction must be in (0, 1); received {fraction!r}")
    labels = [""] * len(keys) if labels is None else list(labels)
    if len(labels) != len(keys):
        raise ValueError(
            f"{len(keys)} keys and {len(labels)} labels: one of each per row"
        )
    groups = {}
    for index, key in enumerate(keys):
        groups.setdefault(key, []).append(index)
    remaining = collections.Counter(labels)
    by_label = {}
    for key, rows in groups.items():
        counts = collections.Counter(labels[i] for i in rows)
        owner = min(counts, key=lambda label: (-counts[label], label))
        by_label.setdefault(owner, []).append(key)
    held = []
    for label in sorted(by_label):
        keys_of_label = sorted(
            by_label[label], key=lambda key: _group_hash(key, seed)
        )
        target = round(
            fraction * sum(len(groups[key]) for key in keys_of_label)
        )
        taken = 0
        for key in keys_of_label:
            if taken >= target:
                break
            rows = groups[key]
            counts = collections.Counter(labels[i] for i in rows)
            fits = taken + len(rows) <= target
            if fits and all(remaining[y] > n for y, n in counts.items()):
                held.extend(rows)
                taken += len(rows)
                remaining.subtract(counts)
    held_set = set(held)
    kept = [i for i in range(len(keys)) if i not in held_set]
    return kept, sorted(held)


def holdout_record(texts, labels, kept, held, fraction, seed, key, rows=None):
    """What `RUN/data.json` records of a hold-out, enough to redo it.

    Args:
        texts: the rows' texts (their digest is recorded).
        labels: the rows' labels, or None.
        kept: the rows left for training (`hold_out`).
        held: the rows held out.
        fraction: the fraction asked for.
        seed: the seed of the hold-out.
        key: the key in words (e.g. "the run's tokens, lower-cased").
        rows: what names each row in the source (e.g. its line in the
            file), or None for its 0-based index.

    Returns:
        A dict: `fraction`, `seed`, `method`, `key`, `counts` (per side,
        per label), `rows` (the held-out rows, at most `LISTED_ROWS` of
        them) and `sha256` of the held-out texts in row order, joined by
        newlines.
    """

    def counts(indices):
        if labels is None:
            return len(indices)
        found = collections.Counter(labels[i] for i in indices)
        return {label: found[label] for label in sorted(found)}

    digest = hashlib.sha256(
        "\n".join(texts[i] for i in held).encode("utf-8")
    ).hexdigest()
    named = [i if rows is None else rows[i] for i in held]
    record = {
        "fraction": fraction,
        "seed": seed,
        "method": HOLD_OUT_METHOD,
        "key": key,
        "counts": {"train": counts(kept), "valid": counts(held)},
        "rows": named[:LISTED_ROWS],
        "sha256": digest,
    }
    if len(named) > LISTED_ROWS:
        record["rows_listed"] = f"the first {LISTED_ROWS} of {len(named)}"
    return record


def split_off_valid(splits, fraction, seed, keys, key):
    """Holds out validation examples from `splits.train` (`hold_out`).

    Args:
        splits: `Splits` without `valid`.
        fraction: the share of the training examples to hold out.
        seed: the seed of the hold-out.
        keys: one group key per training example.
        key: how the keys were made, in words (recorded).

    Returns:
        `(splits, record)`: new `Splits` with the remaining training
        examples and the held-out `valid`, and the `holdout_record` (its
        `rows` are the file lines of the held-out examples; for a folder
        source, their files).

    Raises:
        DataError: no example could be held out (too few examples).
    """
    train = splits.train
    kept, held = hold_out(keys, train.labels, fraction, seed)
    if not held:
        raise DataError(
            f"{len(train)} training examples are too few to hold out "
            f"{fraction:g} of them for validation; give --valid FILE",
            path=train.source,
        )
    rows = train.files if train.files is not None else train.lines
    record = holdout_record(
        train.texts, train.labels, kept, held, fraction, seed, key, rows
    )
    record["source"] = train.source
    new = Splits(
        train=train.subset(kept), valid=train.subset(held), test=splits.test
    )
    new.train.skipped = list(train.skipped)
    return new, record
