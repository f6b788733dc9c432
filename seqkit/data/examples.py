"""`Examples`, what every reader returns, and how readers build one."""

import dataclasses
import logging
import os

from seqkit.data.errors import DataError

logger = logging.getLogger(__name__)

# How many line numbers of skipped rows a log message or an error names.
_SHOWN_LINES = 5


@dataclasses.dataclass
class Examples:
    """Texts read from one source, with their labels and skipped rows.

    Attributes:
        texts: the example texts, as written in the file.
        labels: one class name (a string) per text, or `None` when the
            source is unlabelled.
        source: the file or folder read.
        skipped: `(line, reason)` for each row left out, in file order.
        lines: the 1-based line on which each example starts. For a
            folder source every example starts on line 1 of its own file.
        files: for a folder source, each example's file relative to
            `source`; `None` otherwise.
    """

    texts: list[str]
    labels: list[str] | None
    source: str
    skipped: list[tuple[int, str]] = dataclasses.field(default_factory=list)
    lines: list[int] = dataclasses.field(default_factory=list)
    files: list[str] | None = None

    def __len__(self):
        return len(self.texts)

    @property
    def label_names(self):
        """The sorted distinct labels, or `None` for unlabelled data."""
        if self.labels is None:
            return None
        return sorted(set(self.labels))

    def subset(self, indices):
        """The examples at `indices` (in that order), from the same source.

        Skipped rows stay with the whole set: the subset has none.
        """
        indices = list(indices)
        return Examples(
            texts=[self.texts[i] for i in indices],
            labels=None
            if self.labels is None
            else [self.labels[i] for i in indices],
            source=self.source,
            skipped=[],
            lines=[self.lines[i] for i in indices] if self.lines else [],
            files=None
            if self.files is None
            else [self.files[i] for i in indices],
        )

    def location(self, index):
        """Where example `index` comes from, as `FILE:LINE` or a file path."""
        if self.files is not None:
            return os.path.join(self.source, self.files[index])
        return f"{self.source}:{self.lines[index]}"


class Collector:
    """Gathers examples and skipped rows, then checks the result."""

    def __init__(self, path, labelled):
        self.path = str(path)
        self.texts = []
        self.labels = [] if labelled else None
        self.lines = []
        self.skipped = []

    def add(self, text, label, line, name=None):
        """Keeps the example, or skips it when its text is blank.

        `name` (a file within a folder source) prefixes the skip reason.
        Returns whether the example was kept.
        """
        if not text.strip():
            reason = "empty text" if not text else "whitespace-only text"
            self.skip(line, reason if name is None else f"{name}: {reason}")
            return False
        self.texts.append(text)
        self.lines.append(line)
        if self.labels is not None:
            self.labels.append(label)
        return True

    def skip(self, line, reason):
        self.skipped.append((line, reason))

    def finish(self, unit="rows", files=None):
        total = len(self.texts) + len(self.skipped)
        if total == 0:
            raise DataError(f"no examples: found no {unit}", path=self.path)
        if self.skipped:
            summary = _summarise_skipped(self.skipped)
            if not self.texts:
                raise DataError(
                    f"no usable examples: all {total} {unit} were skipped "
                    f"({summary})",
                    path=self.path,
                )
            logger.warning(
                "%s: skipped %d of %d %s (%s)",
                self.path,
                len(self.skipped),
                total,
                unit,
                summary,
            )
        return Examples(
            texts=self.texts,
            labels=self.labels,
            source=self.path,
            skipped=self.skipped,
            lines=self.lines,
            files=files,
        )


def _summarise_skipped(skipped):
    """'3 empty text, 1 blank line; first at lines 4, 9, 12, 20'.

    Reasons of the form 'FILE: reason' (folder sources) are counted by
    reason and located by file.
    """
    counts = {}
    places = []
    for _, reason in skipped:
        place, _, kind = reason.rpartition(": ")
        counts[kind] = counts.get(kind, 0) + 1
        places.append(place)
    reasons = ", ".join(f"{n} {reason}" for reason, n in counts.items())
    if any(places):
        shown = ", ".join(places[:_SHOWN_LINES])
    else:
        shown = "lines " + ", ".join(
            str(line) for line, _ in skipped[:_SHOWN_LINES]
        )
    more = ", ..." if len(skipped) > _SHOWN_LINES else ""
    return f"{reasons}; first at {shown}{more}"
