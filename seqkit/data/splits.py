"""Train / valid / test splits read together and checked against each other."""

import dataclasses
import logging

from seqkit.data.errors import DataError
from seqkit.data.readers import read_examples

logger = logging.getLogger(__name__)

# How many unseen labels an error message lists before "...".
_SHOWN_LABELS = 10


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
    seen = set(train.texts)
    shared = sum(1 for text in split.texts if text in seen)
    if shared:
        logger.warning(
            "%s: %d of %d %s texts also occur in the training set %s; "
            "scores on this split will be inflated",
            split.source,
            shared,
            len(split),
            name,
            train.source,
        )
