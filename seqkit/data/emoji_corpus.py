"""Emoji distant supervision: raw texts with emoji -> labelled examples.

DeepMoji's rule (Felbo et al. 2017): a text that holds emoji gives one
example per distinct emoji it holds, among the K most frequent; the
example's input is the text with every emoji removed, its label the emoji.
Emoji are recognised with the `emoji` package; skin-tone modifiers and
variation selectors are dropped, so "👍🏽" and "👍" are one label.
"""

import csv
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from seqkit.data.prepare import hash_split
from seqkit.errors import SeqkitError

_MODIFIERS = re.compile("[\ufe0e\ufe0f\U0001f3fb-\U0001f3ff]")
_SPACES = re.compile(r"\s+")


@dataclass
class EmojiCorpusCounts:
    """What `build_emoji_corpus` read, skipped and wrote.

    Attributes:
        lines: lines read.
        empty: blank lines, skipped.
        no_emoji: lines without emoji, skipped.
        only_emoji: lines with nothing left once emoji are removed, skipped.
        no_top_emoji: lines whose emoji are all outside the top K, skipped.
        examples: examples written (one per distinct top-K emoji a line
            holds).
        labels: examples per label (emoji), most frequent first.
        splits: examples per split.
    """

    lines: int = 0
    empty: int = 0
    no_emoji: int = 0
    only_emoji: int = 0
    no_top_emoji: int = 0
    examples: int = 0
    labels: dict = field(default_factory=dict)
    splits: dict = field(default_factory=dict)

    def to_dict(self):
        return dict(self.__dict__)


def normalize_emoji(text):
    """An emoji without skin-tone modifiers and variation selectors."""
    return _MODIFIERS.sub("", text)


def split_emoji(text):
    """`(text without emoji, distinct emoji in order of appearance)`.

    Example:

    >>> split_emoji("so good 😂😂 👍🏽")
    ('so good', ['😂', '👍'])
    """
    import emoji

    found, kept, start = [], [], 0
    for match in emoji.emoji_list(text):
        kept.append(text[start : match["match_start"]])
        start = match["match_end"]
        label = normalize_emoji(match["emoji"])
        if label and label not in found:
            found.append(label)
    kept.append(text[start:])
    # Stray modifiers (a lone skin tone) are no words either.
    plain = normalize_emoji(" ".join(kept))
    return _SPACES.sub(" ", plain).strip(), found


def _read_lines(path):
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(2, "No such file", str(path))
    with open(path, "rb") as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                yield number, raw.decode("utf-8").rstrip("\r\n")
            except UnicodeDecodeError as error:
                raise SeqkitError(
                    f"{path}, line {number}: not valid UTF-8 (byte "
                    f"{error.start}); emoji corpora must be UTF-8 text"
                ) from None


def build_emoji_corpus(input_path, top_k, out, seed=0):
    """Builds an emoji-labelled corpus from raw texts, one text per line.

    Writes `out/train.csv`, `out/valid.csv` and `out/test.csv` (columns
    `text`, `label`; an 80/10/10 split decided by hashing each source
    text, so the examples of one text share a split), `out/labels.txt`
    (the top-K emoji, most frequent first) and `out/counts.json`.

    Args:
        input_path: a UTF-8 text file, one raw text per line.
        top_k: how many of the most frequent emoji become labels.
        out: the output folder (created).
        seed: the split's hash seed.

    Returns:
        `EmojiCorpusCounts`.

    Raises:
        SeqkitError: bad `top_k`, undecodable bytes (with the line), or
            fewer than 2 emoji labels found.
    """
    if isinstance(top_k, bool) or not isinstance(top_k, int) or top_k < 2:
        raise SeqkitError(
            f"--top-k must be an integer >= 2; received {top_k!r}"
        )
    counts = EmojiCorpusCounts()
    texts, frequency = [], Counter()
    for _, line in _read_lines(input_path):
        counts.lines += 1
        if not line.strip():
            counts.empty += 1
            continue
        plain, found = split_emoji(line)
        if not found:
            counts.no_emoji += 1
        elif not plain:
            counts.only_emoji += 1
        else:
            texts.append((plain, found))
            frequency.update(found)
    # Most frequent first; ties in order of first appearance.
    top = [label for label, _ in frequency.most_common(top_k)]
    if len(top) < 2:
        raise SeqkitError(
            f"{input_path}: found {len(top)} distinct emoji in texts with "
            "words; an emoji corpus needs at least 2 labels"
        )
    chosen = set(top)
    examples = []
    for plain, found in texts:
        labels = [label for label in found if label in chosen]
        if not labels:
            counts.no_top_emoji += 1
        examples.extend((plain, label) for label in labels)
    counts.examples = len(examples)
    counts.labels = dict(Counter(label for _, label in examples).most_common())
    _write(Path(out), examples, top, counts, seed)
    return counts


def _write(out, examples, top, counts, seed):
    out.mkdir(parents=True, exist_ok=True)
    sources = sorted({text for text, _ in examples})
    parts = hash_split(sources, ["all"] * len(sources), seed=seed)
    split_of = {}
    for name, indices in zip(("train", "valid", "test"), parts):
        split_of.update({sources[i]: name for i in indices})
    rows = {"train": [], "valid": [], "test": []}
    for text, label in examples:
        rows[split_of[text]].append((text, label))
    for name, split_rows in rows.items():
        with open(out / f"{name}.csv", "w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(["text", "label"])
            writer.writerows(split_rows)
        counts.splits[name] = len(split_rows)
    with open(out / "labels.txt", "w", encoding="utf-8") as handle:
        handle.writelines(f"{label}\n" for label in top)
    with open(out / "counts.json", "w", encoding="utf-8") as handle:
        json.dump(counts.to_dict(), handle, indent=2, ensure_ascii=False)
        handle.write("\n")
