"""Which tokens a cut text should keep: its start, its end, or both.

Usage:
    PYTHONPATH=. python bench/keep_tokens.py [--shared DIR] [--out PATH]

`seqkit train sentiment` cuts a text longer than its `max_length`, and
its `keep` rule (`seqkit.models.sentiment.adapt.keep_scores`) chooses
which tokens the cut texts keep: the choice whose cut texts a linear
model classifies best in cross-validation on the training split. This
runs that rule on the panel's data sets whose training texts get cut
(pang-lee-reviews: 1,200 whole movie reviews) and puts the texts read
whole beside it. Neither the validation nor the test split is read, so
the panel's held-out splits stay unseen.

Writes `--out` (default `docs/results/keep-tokens.json`) and the table
beside it (`.md`). Seconds on 2 cores.
"""

import json
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

DATASETS = ("pang-lee-reviews",)
KEEPS = ("start", "end", "start+end", "whole")


def measure(path):
    """Each `keep`'s cross-validated accuracy on one training split, and
    the recipe's choice with its reason."""
    import numpy as np

    from seqkit.models.sentiment import adapt
    from seqkit.preprocessing import WordTokenizer

    texts, labels, _ = read_split(path)
    tokenizer = WordTokenizer()
    lengths = np.array([len(row) for row in tokenizer.iter_tokenize(texts)])
    max_length, why = adapt._max_length(lengths)
    scores = adapt.keep_scores(texts, labels, tokenizer, max_length)
    # Cut at the longest text, every choice reads the texts whole.
    whole = adapt.keep_scores(texts, labels, tokenizer, int(lengths.max()))
    keep, reason = adapt._keep(lengths, max_length, texts, labels, tokenizer)
    return {
        "n": len(texts),
        "max_length": max_length,
        "max_length_reason": why,
        "mean_tokens": round(float(lengths.mean()), 1),
        "cut": int(np.sum(lengths > max_length)),
        "accuracy": {**scores, "whole": whole["start"]},
        "keep": keep,
        "keep_reason": reason,
    }


def table(results):
    lines = [
        "# Which tokens a cut text keeps",
        "",
        f"`{results['command']}` at {results['commit'][:12]}, "
        f"{results['date']}. Training split only: the recipe's "
        "`seqkit.models.sentiment.adapt.keep_scores` (5-fold stratified "
        "cross-validation, seed 0, TF-IDF of words and logistic "
        "regression, C = 10) on the tokens each `keep` leaves at the "
        "length the recipe chooses; whole: no text cut. Chosen: the "
        "recipe's `keep`.",
        "",
        "| data set | texts | mean tokens | max_length | cut | "
        + " | ".join(KEEPS)
        + " | chosen |",
        "|---|---|---|---|---|" + "---|" * (len(KEEPS) + 1),
    ]
    for name, entry in results["datasets"].items():
        cells = [f"{entry['accuracy'][k]:.4f}" for k in KEEPS]
        lines.append(
            f"| {name} | {entry['n']:,} | {entry['mean_tokens']} | "
            f"{entry['max_length']} | {entry['cut']:,} | "
            + " | ".join(cells)
            + f" | {entry['keep']} |"
        )
    lines.append("")
    return "\n".join(lines)


def main(argv=None):
    args = study_args(argv, __doc__.splitlines()[0], "keep-tokens.json")
    results = study_results(argv, args.out)
    for name in DATASETS:
        files = data_files(PANEL[name], args.shared)
        results["datasets"][name] = measure(files["train"])
        print(name, json.dumps(results["datasets"][name]["accuracy"]))
    write_study(results, args.out, table)


if __name__ == "__main__":
    main()
