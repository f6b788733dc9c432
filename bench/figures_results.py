"""The numbers of the results files under docs/results/, for bench/figures.py.

A results file is JSON (every number, those inside strings too) or
Markdown and other text (every number; a table cell's named by its column
header). Each number keeps what names it (its JSON key path, its column
header or its line), so that a figure with a unit is matched only with
numbers that name the same kind of quantity.
"""

import json
import math
import re
from bisect import bisect_left
from dataclasses import dataclass

# The units a stored number may be in, per family, besides the figure's
# own: seconds for a time, bytes or MB for a size, GFLOP/s for FLOP/s. A
# bare decimal is a "score": a fraction or a percentage.
READINGS = {
    "ratio": (1.0,),
    "score": (1.0, 0.01),
    "time": (1.0,),
    "size": (1.0, 1e6, 2.0**20),
    "flops": (1e9,),
    "rate": (1.0,),
    "difference": (1.0,),
}
# Families a whole stored number may back: a size in bytes or a rate may
# be stored whole; elsewhere a whole number is a count, a setting or a
# year, never a score, a time or a ratio.
WHOLE_BACKS = {"size", "rate"}
# What a stored number's key (JSON key path, table header) must name to
# back a figure of a family with units; scores and differences need none.
KEY_HINTS = {
    "time": r"\b(?:s|ms|sec|seconds?|min|minutes?|hours?|time|wall)\b",
    "size": r"\b(?:kb|mb|mib|gb|gib|bytes?|size|memory|rss)\b",
    "flops": r"flop",
    "rate": r"\b(?:per s|req|requests|texts|tokens)\b|/s\b",
    "ratio": r"\b(?:ratio|speedup|speed up|factor|x)\b",
}
# A stored number: whole tokens only (not the digits of a commit hash),
# and not the parts of a date or a time of day.
STORED_NUMBER = re.compile(
    r"(?<![\w.:-])(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
    r"(?:[eE][-+]?\d+)?)(?![\w:-]|\.\d)"
)


def is_decimal(text):
    """Whether a written number has a decimal point or an exponent."""
    return "." in text or "e" in text.lower()


@dataclass(frozen=True)
class Stored:
    """A number of a results file, and what names it there."""

    value: float
    decimal: bool  # written with a decimal point (not a count)
    key: str  # its JSON key path, table column header or line


def json_numbers(value, key=""):
    """The numbers of a parsed JSON value; strings' numbers included."""
    if isinstance(value, bool) or value is None:
        return []
    if isinstance(value, float):
        return [Stored(value, True, key)] if math.isfinite(value) else []
    if isinstance(value, int):
        return [Stored(float(value), False, key)]
    if isinstance(value, str):
        return text_numbers(value, f"{key} {value}")
    if isinstance(value, dict):
        return [
            n
            for k, item in value.items()
            for n in json_numbers(item, f"{key} {k}")
        ]
    return [n for item in value for n in json_numbers(item, key)]


def text_numbers(text, key):
    """The numbers of a piece of text, each named by `key`."""
    return [
        Stored(float(m.group(0).replace(",", "")), is_decimal(m.group(0)), key)
        for m in STORED_NUMBER.finditer(text)
    ]


def markdown_numbers(text):
    """The numbers of a Markdown file: a table cell's named by its header."""
    found, header = [], None
    for line in text.splitlines():
        if not line.lstrip().startswith("|"):
            header = None
            found += text_numbers(line, line)
            continue
        cells = line.strip().strip("|").split("|")
        header = header or cells
        for column, cell in enumerate(cells):
            name = header[column] if column < len(header) else ""
            found += text_numbers(cell, name)
    return found


def stored_numbers(path):
    """The numbers of one results file (JSON, or Markdown or other text)."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        return json_numbers(json.loads(text))
    return markdown_numbers(text)


def names_family(key, family):
    """Whether a stored number's key fits a figure's family."""
    hint = KEY_HINTS.get(family)
    if hint is None:
        return True
    words = re.sub(r"[^a-z0-9/]+", " ", key.lower())
    if family == "time" and re.search(KEY_HINTS["rate"], words):
        return False  # texts_per_s is a rate, not a time
    return bool(re.search(hint, words))


class Results:
    """The numbers of the files under docs/results/, read once each."""

    def __init__(self, root):
        self.base = root / "docs" / "results"
        self._stored = {}
        self._numbers = {}

    def files(self, cited):
        """The files a citation names (a folder names all its files)."""
        target = self.base / cited
        if target.is_dir():
            # A folder's README says where its files come from; it is
            # not a result.
            return sorted(
                p
                for p in target.rglob("*")
                if p.is_file() and p.name != "README.md"
            )
        return [target] if target.is_file() else []

    def numbers(self, file, family):
        """The sorted numbers of `file` that may back a figure of `family`.

        A whole number (a count, a setting, a year) backs only a size or
        a rate; a number backs a time, size, rate, ratio or FLOP/s only
        where its key names one (`wall_seconds`, `peak_rss_mb`, `speedup`,
        a column `step (ms)`).
        """
        if file not in self._stored:
            self._stored[file] = stored_numbers(file)
        if (file, family) not in self._numbers:
            self._numbers[file, family] = sorted(
                {
                    abs(n.value)
                    for n in self._stored[file]
                    if (n.decimal or family in WHOLE_BACKS)
                    and names_family(n.key, family)
                }
            )
        return self._numbers[file, family]

    def backs(self, figure, file):
        """Whether a stored number of `file` is `figure`, within rounding."""
        numbers = self.numbers(file, figure.family)
        readings = {figure.scale or 1.0, *READINGS[figure.family]}
        return any(
            _any_between(numbers, low / reading, high / reading)
            for low, high in figure.intervals()
            for reading in readings
        )

    def back(self, figure):
        """Whether a file `figure` cites holds it."""
        return any(
            self.backs(figure, file)
            for cited in figure.cited
            for file in self.files(cited)
        )


def _any_between(sorted_numbers, low, high):
    at = bisect_left(sorted_numbers, low)
    return at < len(sorted_numbers) and sorted_numbers[at] <= high
