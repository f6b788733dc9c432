"""The panel's data sets: which valid and test texts also occur in
training, and whether they keep their training label.

Usage:
    PYTHONPATH=. python bench/split_overlap.py [--shared DIR] [--out PATH]

For each data set of `bench/panel.py` (pang-lee-documents reads the same
reviews as pang-lee-reviews, so it is left out) and each of its valid
and test splits, it counts the texts that occur in the training split:

- `exact`: the same text (as `seqkit.data.load_splits` warns of);
- `near`: the same `seqkit.data.splits.text_key` (case, punctuation and
  white space ignored, as `hold_out` groups texts);

and, of those, how many carry a label that the training copies have
(`same_label`: a model that learnt the training labels is right on them)
and how many carry only another label (`other_label`: it is wrong on
them), with a few examples of the second kind. It also gives each
split's class shares. A split whose duplicates change label was labelled
differently from training: validation cannot see that, and no choice
made on it can follow.

Writes `--out` (default `docs/results/split-overlap.json`) and the table
beside it (`.md`). It reads the files `bench/panel.py` reads (fetching
TweetEval from `--shared`'s copy); it trains nothing and takes seconds.
"""

import collections
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from panel import (  # noqa: E402
    PANEL,
    data_files,
    read_split,
    study_args,
    study_results,
    write_study,
)

from seqkit.data.splits import text_key  # noqa: E402

# pang-lee-documents is the same reviews, read by another recipe.
SAME_DATA = {"pang-lee-documents"}
EXAMPLES = 3


def overlap(train, split, key):
    """Counts of `split`'s texts whose `key` occurs in `train`.

    Args:
        train: `(texts, labels)` of the training split.
        split: `(texts, labels)` of a held-out split.
        key: text -> the key texts are matched by.

    Returns:
        A dict: `shared`, `same_label`, `other_label` and `examples` (up
        to `EXAMPLES` of the second kind: the text, its label and the
        training labels).
    """
    labels = collections.defaultdict(set)
    for text, label in zip(*train):
        labels[key(text)].add(label)
    shared = same = 0
    examples = []
    for text, label in zip(*split):
        found = labels.get(key(text))
        if found is None:
            continue
        shared += 1
        if label in found:
            same += 1
        elif len(examples) < EXAMPLES:
            examples.append(
                {"text": text, "label": label, "train_labels": sorted(found)}
            )
    return {
        "shared": shared,
        "same_label": same,
        "other_label": shared - same,
        "examples": examples,
    }


def shares(labels):
    """Each class's share of `labels`, by class name."""
    counts = collections.Counter(labels)
    return {
        name: round(counts[name] / len(labels), 4) for name in sorted(counts)
    }


def measure(files):
    """The overlap of one data set's valid and test splits with train."""
    splits = {}
    for name, path in files.items():
        texts, labels, _ = read_split(path)
        splits[name] = (texts, labels)
    result = {
        "n": {name: len(split[0]) for name, split in splits.items()},
        "class_shares": {
            name: shares(split[1]) for name, split in splits.items()
        },
    }
    for name in ("valid", "test"):
        result[name] = {
            "exact": overlap(splits["train"], splits[name], str),
            "near": overlap(splits["train"], splits[name], text_key),
        }
    return result


def table(results):
    lines = [
        "# The panel's splits: held-out texts that also occur in training",
        "",
        f"`{results['command']}` at {results['commit'][:12]}, "
        f"{results['date']}.",
        "",
        "Counts of valid and test texts whose text occurs in the training "
        "split (exact: the same text; near: the same text once case, "
        "punctuation and white space are ignored); of those, how many "
        "carry a label its training copies have (same) and how many "
        "only another label (other).",
        "",
        "| data set | split | n | exact: shared / same / other | "
        "near: shared / same / other |",
        "|---|---|---|---|---|",
    ]
    for name, entry in results["datasets"].items():
        for split in ("valid", "test"):
            exact, near = entry[split]["exact"], entry[split]["near"]
            lines.append(
                f"| {name} | {split} | {entry['n'][split]:,} | "
                f"{exact['shared']} / {exact['same_label']} / "
                f"{exact['other_label']} | {near['shared']} / "
                f"{near['same_label']} / {near['other_label']} |"
            )
    lines.append("")
    return "\n".join(lines)


def main(argv=None):
    args = study_args(argv, __doc__.splitlines()[0], "split-overlap.json")
    results = study_results(argv, args.out)
    for name, dataset in PANEL.items():
        if name in SAME_DATA:
            continue
        results["datasets"][name] = measure(data_files(dataset, args.shared))
        test = results["datasets"][name]["test"]["exact"]
        print(
            f"{name}: {test['shared']} test texts in training, "
            f"{test['other_label']} with another label"
        )
    write_study(results, args.out, table)


if __name__ == "__main__":
    main()
