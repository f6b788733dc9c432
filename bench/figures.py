"""Every figure in README.md and docs/ comes from a stored result.

Usage:
    python bench/figures.py [--root DIR]

Scans README.md and docs/**/*.md (not docs/results/, which holds the
results themselves) for figures, and checks that each one is a number of a
results file that its paragraph or its section cites by path
(`docs/results/NAME` or a folder of them; in docs/, `results/NAME` too).
Exits 0 when every figure is found, 1 with one line per figure that is not:
`FILE:LINE: FIGURE: why`.

What counts as a figure, outside fenced and indented code blocks and
`inline code`:

- a number with a unit of measure: a ratio (`4.2x`), a percentage, points,
  a time (`ms`, `s`, `min`, `h`, microseconds), a size (`MB`, `GiB`,
  ...), FLOP/s, or a rate (`req/s`, `texts/s`, `tokens/s`); in a table, a
  column whose header names a unit (`step (ms)`, `req/s`) lends it to its
  bare numbers; in a range (`11-13x`) the first number takes the second's
  unit;
- any other number written with a decimal point or an exponent (`0.7994`,
  `79.9`, `3e-4`): scores, margins, differences.

Not figures: whole numbers without a unit (counts, sizes of data sets,
settings such as `--top-k 5`), version numbers (after a product name such
as Python or Keras, or with two dots), a number at the start of a
heading, dimensions (`28x128`), a bound written with a comparison sign
(`>= 0.88`, `< -0.5`: a target or a threshold), the value of a command
option written right after it (`` `--batch-wait-ms` (2 ms) ``), and a
number right after a setting's name (`dropout 0.5`, `Adam 1e-3`).

Matching tolerates rounding and scale, not invention: a figure written
with d decimals matches a stored number within half a unit of its last
digit, after converting units (`34 min` matches 2065.9 seconds, `1.5 GB`
1544.6 MB) and, for scores, between fractions and percentages (`79.9`
and `0.7994` both match 0.799373). Signs are ignored (a margin of -1.6
is "1.6 behind"). A stored number backs a time, a size, a rate, a ratio
or FLOP/s only where its JSON key or table header names one
(`wall_seconds`, `peak_rss_mb`, `texts_per_s`, `speedup`, `seqkit s`),
and a whole stored number (a count, a setting, a year) only a size or a
rate; a number in exponent form (`3e-4`, a difference) matches only
itself, never read as a percentage. A figure with few digits is checked
only as finely as it is written.

A figure that no results file can back (a download size, a constant of
the code) goes in `bench/figures_allowed.txt`: one line each, `FILE |
FIGURE | reason`. An entry that matches no figure fails the check too, so
the list cannot go stale.
"""

import argparse
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from figures_results import Results, is_decimal

ROOT = Path(__file__).resolve().parents[1]
ALLOWED = Path("bench") / "figures_allowed.txt"

# Each unit: its family and its size in the family's base unit. A stored
# number is read in the figure's own unit and in the family's usual ones
# (`figures_results.READINGS`).
UNITS = {
    **dict.fromkeys(["x", "×"], ("ratio", 1.0)),
    **dict.fromkeys(["%", "percent", "points", "point"], ("score", 0.01)),
    **dict.fromkeys(["µs", "microseconds", "microsecond"], ("time", 1e-6)),
    "ms": ("time", 1e-3),
    **dict.fromkeys(["s", "seconds", "second"], ("time", 1.0)),
    **dict.fromkeys(["min", "minutes", "minute"], ("time", 60.0)),
    **dict.fromkeys(["h", "hours", "hour"], ("time", 3600.0)),
    "bytes": ("size", 1.0),
    **{f"{p}B": ("size", 1000.0**k) for k, p in enumerate("KMGT", 1)},
    **{f"{p}iB": ("size", 1024.0**k) for k, p in enumerate("KMG", 1)},
    **dict.fromkeys(["GFLOP", "GFLOP/s"], ("flops", 1e9)),
    **dict.fromkeys(["TFLOP", "TFLOP/s"], ("flops", 1e12)),
    **dict.fromkeys(
        ["req/s", "requests/s", "texts/s", "tokens/s"], ("rate", 1.0)
    ),
}
# Decimal and binary prefixes are mixed up in practice (MB for MiB).
SIZE_TWINS = {1e3: 2.0**10, 1e6: 2.0**20, 1e9: 2.0**30, 1e12: 2.0**40}

_UNIT = "|".join(re.escape(u) for u in sorted(UNITS, key=len, reverse=True))
# A number, its own unit (a ratio's `x` touches the number; other units
# may follow a space or a line break), and no letter or digit after it.
NUMBER = re.compile(
    r"(?<![\w.,/+^])(?<![A-Za-z_]-)(?P<sign>[-+−])?"
    r"(?P<number>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?(?:[eE]-?\d+)?)"
    rf"(?:(?P<ratio>[x×])|\s?(?P<unit>{_UNIT}))?"
    r"(?![\w.]\w|\w|[x×]?\s?\d)"
)
RANGE_GAP = re.compile(r"\s?[-–]\s?| to ")
CITATION = re.compile(r"(?<![\w/])(?:docs/)?results/(?P<path>[\w.\-/]*[\w/])")
VERSION_BEFORE = re.compile(
    r"(?:python|tensorflow|keras|pytorch|torch|jax|cuda|cudnn|numpy|nltk|"
    r"scikit-learn|debian|ubuntu|version|seqkit|v)\s*$",
    re.IGNORECASE,
)
BOUND_BEFORE = re.compile(r"(?:>=|<=|[<>≥≤])\s*$")
OPTION_BEFORE = re.compile(r"`--[\w-]+[^`]*`\s*(?:\((?:default\s+)?|,\s*)$")
SETTING_BEFORE = re.compile(
    r"(?:dropout|momentum|adam|learning[ _]rate|temperature|penalty)"
    r"(?:\s+is)?\s*[=:]?\s*$",
    re.IGNORECASE,
)
DEFAULT_BEFORE = re.compile(r"\bdefault\s*$")
DEFAULT_AFTER = re.compile(r"\s*by default")
HEADING = re.compile(r"^(#{1,6})\s")
FENCE = re.compile(r"^\s*(```|~~~)")
INLINE_CODE = re.compile(r"`[^`\n]*`")


@dataclass
class Figure:
    """One figure of a document: where it is and what it may match."""

    path: str
    line: int
    text: str
    family: str
    value: float
    tolerance: float
    scale: float | None = None
    cited: list = field(default_factory=list)

    def intervals(self):
        """[low, high] in the family's base unit, for each reading."""
        scales = [1.0]
        if self.family == "score" and self.scale is None:
            scales = [1.0, 0.01]  # a bare decimal: fraction or percentage
        elif self.family == "size":
            scales = [1.0, SIZE_TWINS.get(self.scale, self.scale) / self.scale]
        low = (abs(self.value) - self.tolerance) * (1 - 1e-9)
        high = (abs(self.value) + self.tolerance) * (1 + 1e-9)
        base = self.scale or 1.0
        return [(low * base * s, high * base * s) for s in scales]


def number_value(text):
    """The value of a written number and half a unit of its last digit."""
    plain = text.replace(",", "")
    mantissa, _, exponent = plain.lower().partition("e")
    decimals = len(mantissa.partition(".")[2])
    power = int(exponent) if exponent else 0
    return float(plain), 0.5 * 10.0 ** (power - decimals)


def code_lines(lines):
    """Indices of the lines in fenced or indented code blocks."""
    code, fenced = set(), False
    for index, line in enumerate(lines):
        after_blank = index == 0 or not lines[index - 1].strip()
        if FENCE.match(line):
            fenced = not fenced
            code.add(index)
        elif fenced:
            code.add(index)
        elif line.startswith("    ") and (after_blank or index - 1 in code):
            code.add(index)
    return code


class Document:
    """A Markdown file's lines, code, paragraphs, sections and citations.

    A paragraph is a run of non-blank lines (a table is one). A section
    is a heading's own text, up to the next heading of any level; a
    figure may be backed by what its paragraph, its section or the
    sections above it cite (not the page's level-1 title section).
    """

    def __init__(self, path, root):
        self.name = path.relative_to(root).as_posix()
        self.lines = path.read_text(encoding="utf-8").splitlines()
        self.code = code_lines(self.lines)
        self.paragraph, self.section, self.parents = [], [], {0: []}
        self._split()
        self.cites = {}
        for index, line in enumerate(self.lines):
            for key in self.owners(index):
                self.cites.setdefault(key, set()).update(citations(line))
        self.table_units = table_units(self.lines, self.code)

    def _split(self):
        paragraph, section, stack = 0, 0, []
        for index, line in enumerate(self.lines):
            heading = self.heading(index)
            if not line.strip() or heading:
                paragraph += 1
            if heading:
                level = len(heading.group(1))
                stack = [(lv, s) for lv, s in stack if lv < level]
                section += 1
                self.parents[section] = [s for lv, s in stack if lv >= 2]
                stack.append((level, section))
            self.paragraph.append(paragraph)
            self.section.append(section)

    def heading(self, index):
        if index in self.code:
            return None
        return HEADING.match(self.lines[index])

    def owners(self, index):
        """The blocks whose own text holds line `index`."""
        return [("paragraph", self.paragraph[index]), self.section[index]]

    def cited_at(self, index):
        """The results paths that back a figure on line `index`."""
        section = self.section[index]
        keys = [("paragraph", self.paragraph[index]), section]
        keys += self.parents[section]
        return sorted(set().union(*(self.cites.get(k, set()) for k in keys)))

    def context(self, index):
        """(previous, line, next): a prose line with its prose neighbours.

        A table row or a heading is read alone.
        """

        def prose(at):
            if not 0 <= at < len(self.lines) or at in self.code:
                return ""
            if self.heading(at) or self.lines[at].lstrip().startswith("|"):
                return ""
            return self.lines[at]

        line = self.lines[index]
        if index in self.table_units or self.heading(index):
            return "", line, ""
        return prose(index - 1), line, prose(index + 1)

    def figures(self):
        """Every figure outside code, each with the paths it may cite."""
        found = []
        for index in range(len(self.lines)):
            if index in self.code:
                continue
            units = self.table_units.get(index)
            context = self.context(index)
            for figure in line_figures(self.name, index, context, units):
                figure.cited = self.cited_at(index)
                found.append(figure)
        return found

    def citation_lines(self):
        """(line number, cited path) for every citation, code included."""
        return [
            (index + 1, cited)
            for index, line in enumerate(self.lines)
            for cited in sorted(citations(line))
        ]


def citations(text):
    """The results paths a piece of text names, relative to docs/results."""
    return {m.group("path") for m in CITATION.finditer(text)}


def header_units(header):
    """The unit each column's header names, or None."""
    units = []
    for cell in header.strip().strip("|").split("|"):
        cell = INLINE_CODE.sub(" ", cell).strip()
        found = re.search(rf"(?:\(|\s|^)({_UNIT})\)?$", cell)
        units.append(found.group(1) if found else None)
    return units


def table_units(lines, code):
    """{table row: its columns' units}, from each table's header row."""
    by_line, header = {}, None
    for index, line in enumerate(lines):
        if line.lstrip().startswith("|") and index not in code:
            header = header or header_units(line)
            by_line[index] = header
        else:
            header = None
    return by_line


def mask(text):
    """The text with inline code, link targets and URLs blanked."""

    def blank(match):
        return " " * len(match.group(0))

    text = INLINE_CODE.sub(blank, text)
    text = re.sub(r"\]\([^)]*\)", blank, text)
    return re.sub(r"https?://\S+", blank, text)


def skipped(original, masked, match):
    """Whether a number is excluded by the rules of the docstring."""
    before = masked[: match.start()]
    return bool(
        VERSION_BEFORE.search(before)
        or BOUND_BEFORE.search(before)
        or OPTION_BEFORE.search(original[: match.start()])
        or SETTING_BEFORE.search(before)
        or DEFAULT_BEFORE.search(before)
        or DEFAULT_AFTER.match(masked[match.end() :])
    )


def unit_of(match, following, masked, units):
    """A number's unit: its own, a range's, or its table column's."""
    unit = match.group("unit") or match.group("ratio")
    if unit is None and following is not None:
        if RANGE_GAP.fullmatch(masked[match.end() : following.start()]):
            unit = following.group("unit") or following.group("ratio")
    if unit is None and units is not None:
        column = masked[: match.start()].count("|") - 1
        if 0 <= column < len(units):
            unit = units[column]
    return unit


def line_figures(name, index, context, units=None):
    """The figures of line `index`, given (previous, line, next) text.

    The neighbours are read too, so that an option or a unit on the next
    line still counts; only numbers on the line itself are returned.
    """
    previous, line, following_line = context
    original = f"{previous} {line} {following_line}"
    masked = mask(original)
    first, last = len(previous) + 1, len(previous) + 1 + len(line)
    heading = HEADING.match(line)
    matches = list(NUMBER.finditer(masked))
    found = []
    for position, match in enumerate(matches):
        if not first <= match.start() < last:
            continue
        if heading and not masked[first : match.start()].strip("# "):
            continue  # a heading's own number: "## 2.1 Layers"
        following = (
            matches[position + 1] if position + 1 < len(matches) else None
        )
        unit = unit_of(match, following, masked, units)
        number = match.group("number")
        if unit is None and not is_decimal(number):
            continue
        if not skipped(original, masked, match):
            found.append(make_figure(name, index + 1, match, unit))
    return found


def make_figure(name, line, match, unit):
    number = match.group("number")
    value, tolerance = number_value(number)
    if unit:
        family, scale = UNITS[unit]
    elif "e" in number.lower():
        family, scale = "difference", None  # 3e-4: never a percentage
    else:
        family, scale = "score", None
    text = match.group(0).strip()
    return Figure(name, line, text, family, value, tolerance, scale)


def read_allowed(path):
    """{(file, figure): reason} from the allow-list, '#' lines ignored."""
    allowed = {}
    if not path.is_file():
        return allowed
    for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        parts = [part.strip() for part in line.split("|")]
        if len(parts) != 3 or not all(parts):
            raise ValueError(f"{path}:{number}: want 'FILE | FIGURE | reason'")
        allowed[(parts[0], normal(parts[1]))] = parts[2]
    return allowed


def normal(text):
    return re.sub(r"\s+", "", text).replace("−", "-").lower()


def documents(root):
    """README.md and docs/**/*.md, without docs/results/."""
    found = [root / "README.md"] if (root / "README.md").is_file() else []
    docs = root / "docs"
    results = docs / "results"
    for path in sorted(docs.rglob("*.md")) if docs.is_dir() else []:
        if results not in path.parents:
            found.append(path)
    return found


def problems(root, allowed_path=None):
    """(problem lines, figures checked) for the repository at `root`."""
    allowed = read_allowed(allowed_path or root / ALLOWED)
    used, found, results = set(), [], Results(root)
    pages = [Document(path, root) for path in documents(root)]
    for page in pages:
        for line, cited in page.citation_lines():
            if not results.files(cited):
                found.append(
                    f"{page.name}:{line}: cites docs/results/{cited}, "
                    "which holds no file"
                )
    figures = [figure for page in pages for figure in page.figures()]
    for figure in figures:
        key = (figure.path, normal(figure.text))
        if key in allowed:
            used.add(key)
        elif not results.back(figure):
            found.append(
                f"{figure.path}:{figure.line}: {figure.text}: "
                + why_unbacked(figure)
            )
    for file, text in sorted(set(allowed) - used):
        found.append(f"{ALLOWED}: '{file} | {text}' matches no figure")
    return found, len(figures)


def why_unbacked(figure):
    if not figure.cited:
        return "its paragraph and sections cite no docs/results/ file"
    names = ", ".join(f"docs/results/{c}" for c in figure.cited)
    return f"not found in {names}"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=ROOT)
    args = parser.parse_args(argv)
    found, count = problems(args.root.resolve())
    for line in found:
        print(line)
    if found:
        print(f"{len(found)} unbacked of {count} figures", file=sys.stderr)
        return 1
    print(f"{count} figures, each found in a results file it cites")
    return 0


if __name__ == "__main__":
    sys.exit(main())
