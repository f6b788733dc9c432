"""Prepared splits on disk: `train.csv`, `valid.csv`, `test.csv`.

What every preparation of a public data set writes and reports, whether it
draws its own split (`seqkit.data.prepare`) or keeps an official one
(`seqkit.data.tweeteval`).
"""

import csv
import dataclasses
from pathlib import Path

SPLITS = ("train", "valid", "test")


@dataclasses.dataclass
class Prepared:
    """What a preparation read, dropped and wrote.

    Attributes:
        source: the file (or folder) read.
        rows_read: data rows in the source.
        dropped: rows left out, by reason.
        counts: per split, the number of rows per label.
        seed: the split seed; `None` for an official split, kept as
            published.
        method: the split method, in words.
        files: the files written, per split.
    """

    source: str
    rows_read: int
    dropped: dict
    counts: dict
    seed: int | None
    method: str
    files: dict

    def to_dict(self):
        """A JSON-ready dict."""
        return dataclasses.asdict(self)


def write_splits(out_dir, splits, header):
    """Writes `{split: rows}` as `SPLIT.csv` (rows `(text, label, ...)`);
    returns `(counts, files)`: rows per label of each split, and paths."""
    labels = sorted({row[1] for rows in splits.values() for row in rows})
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    counts, files = {}, {}
    for name, rows in splits.items():
        path = out_dir / f"{name}.csv"
        write_csv(path, rows, header)
        counts[name] = {
            label: sum(1 for row in rows if row[1] == label) for label in labels
        }
        files[name] = str(path)
    return counts, files


def write_csv(path, rows, header=("text", "label")):
    """Writes `rows` under `header` as UTF-8 CSV, `\\n` line ends."""
    with open(path, "w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file, lineterminator="\n")
        writer.writerow(list(header))
        writer.writerows(rows)
