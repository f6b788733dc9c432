"""How sure each margin of the panel is: paired bootstrap intervals on test.

Usage:
    PYTHONPATH=. python bench/panel_intervals.py --runs DIR
        [--panel docs/results/panel.json]
        [--out docs/results/panel-intervals.json]
        [--resamples 2000] [--only NAME ...] [--shared ../shared]

A margin of `docs/results/panel.json` is one test split's difference
between seqkit's default and the better of the two linear baselines. On a
small split it moves by whole texts: one review of the 150 Pang & Lee test
reviews is 0.67 points. This script puts an interval beside each margin,
from the test predictions the panel scored, without training anything:

- seqkit's test labels come from `seqkit predict` on the run folder the
  panel trained (`--runs`: the folder that held `bench/panel.py --runs`);
- each baseline is fitted again on train with the C the panel chose (the
  fits are deterministic);
- both are checked against the scores panel.json holds (to 1e-6) before
  anything is resampled, so the interval is about the figures published;
- the test texts are drawn with replacement `--resamples` times (seed 0),
  the same draw for both systems, and the main metric (TweetEval's
  official metric, otherwise accuracy) scored on each draw; the interval
  is the 2.5th and 97.5th percentiles of seqkit's score minus the better
  baseline's, in points, with the share of draws where seqkit is ahead;
- beside it, the texts only seqkit gets right and those only the baseline
  gets right.

The bootstrap reads the test split as a sample of the texts the data set
stands for; it says nothing about the spread between training seeds
(each row is one run).

Writes `--out` (the command, date, commit, machine and one entry per data
set) and the table beside it (`.md`). Test labels are read, as the panel
reads them; nothing is chosen from them.
"""

import argparse
import datetime
import json
import logging
import shlex
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from panel import (  # noqa: E402
    PANEL,
    ROOT,
    SHARED,
    data_files,
    linear_model,
    machine,
    predicted_labels,
    read_split,
    revision,
    tfidf_features,
)

log = logging.getLogger("panel_intervals")


def scorer_of(dataset, classes):
    """`(label indices, predicted indices) -> main score`, and the metric's
    name: TweetEval's official metric as a selection, else accuracy."""
    from seqkit.models.selection import selection_scorer

    selection = "accuracy"
    if dataset.task:
        from seqkit.data.tweeteval import get_task

        selection = get_task(dataset.task).selection
    return selection_scorer(selection, classes), selection


def bootstrap(labels, first, second, scorer, resamples, seed=0):
    """The paired bootstrap of `scorer(first) - scorer(second)`: an array
    of `resamples` differences, each on one draw of the texts."""
    rng = np.random.default_rng(seed)
    n = len(labels)
    found = np.empty(resamples)
    for i in range(resamples):
        pick = rng.integers(n, size=n)
        found[i] = scorer(labels[pick], first[pick]) - scorer(
            labels[pick], second[pick]
        )
    return found


def interval_entry(labels, seqkit, baseline, scorer, resamples):
    """The figures of one data set from index arrays of labels and both
    systems' predictions."""
    margin = scorer(labels, seqkit) - scorer(labels, baseline)
    draws = bootstrap(labels, seqkit, baseline, scorer, resamples)
    low, high = np.percentile(draws, [2.5, 97.5])
    seqkit_right, baseline_right = seqkit == labels, baseline == labels
    return {
        "margin_points": round(100 * margin, 2),
        "interval_points": [
            round(float(100 * low), 2),
            round(float(100 * high), 2),
        ],
        "share_ahead": round(float(np.mean(draws > 0)), 4),
        "only_seqkit_right": int(np.sum(seqkit_right & ~baseline_right)),
        "only_baseline_right": int(np.sum(baseline_right & ~seqkit_right)),
    }


def check(name, what, found, stored):
    if abs(found - stored) > 1e-6:
        raise RuntimeError(
            f"{name}: {what} scores {found:.6f} on test here, but "
            f"panel.json holds {stored:.6f}: the run folder or the data "
            "is not the one the panel scored"
        )


def dataset_entry(name, stored, runs, shared, resamples):
    dataset = PANEL[name]
    files = data_files(dataset, shared)
    data = {}
    for split, path in files.items():
        texts, labels, _ = read_split(path)
        data[split] = (texts, labels)
    classes = stored["classes"]
    index = {c: i for i, c in enumerate(classes)}
    labels = np.array([index[y] for y in data["test"][1]])
    scorer, metric = scorer_of(dataset, classes)
    main = stored["main"]

    predicted = predicted_labels(runs / name, files["test"], data["test"][0])
    seqkit = np.array([index[y] for y in predicted])
    check(
        name, "seqkit", scorer(labels, seqkit), stored["seqkit"]["test"][main]
    )

    features = tfidf_features()
    train = features.fit_transform(data["train"][0])
    test = features.transform(data["test"][0])
    better = max(
        ("tfidf_lr", "tfidf_svm"), key=lambda k: stored[k]["test"][main]
    )
    model = linear_model(better, stored[better]["C"])
    model.fit(train, data["train"][1])
    baseline = np.array([index[y] for y in model.predict(test)])
    check(name, better, scorer(labels, baseline), stored[better]["test"][main])

    entry = {
        "n_test": int(len(labels)),
        "metric": metric,
        "seqkit_run": str(runs / name),
        "baseline": better,
        "baseline_C": stored[better]["C"],
        "seqkit_test": round(scorer(labels, seqkit), 6),
        "baseline_test": round(scorer(labels, baseline), 6),
    }
    entry.update(interval_entry(labels, seqkit, baseline, scorer, resamples))
    return entry


def table(results):
    lines = [
        "| data set | test texts | margin | 95% interval | seqkit ahead "
        "in | only seqkit right | only baseline right |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, e in results["datasets"].items():
        low, high = e["interval_points"]
        lines.append(
            f"| {name} | {e['n_test']} | {e['margin_points']:+.2f} | "
            f"{low:+.2f} to {high:+.2f} | {100 * e['share_ahead']:.1f}% | "
            f"{e['only_seqkit_right']} | {e['only_baseline_right']} |"
        )
    return (
        "# The panel's margins with paired bootstrap intervals\n\n"
        f"`{results['command']}` at {results['commit'][:12]}"
        f"{' (dirty)' if results['dirty'] else ''}, {results['date']}, "
        f"{results['resamples']} draws of the test texts (seed 0). Margin: "
        "seqkit's test score minus the better linear baseline's, in "
        "points of the main metric (TweetEval's official metric, "
        "otherwise accuracy); the interval holds the middle 95% of the "
        "draws' margins; `seqkit ahead in`: the share of draws with a "
        "positive margin. Source: `"
        + results["panel"]
        + "`.\n\n"
        + "\n".join(lines)
        + "\n"
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=Path, required=True)
    parser.add_argument(
        "--panel", type=Path, default=ROOT / "docs/results/panel.json"
    )
    parser.add_argument(
        "--out", type=Path, default=ROOT / "docs/results/panel-intervals.json"
    )
    parser.add_argument("--resamples", type=int, default=2000)
    parser.add_argument("--only", nargs="+", metavar="NAME")
    parser.add_argument("--shared", type=Path, default=SHARED)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    panel = json.loads(args.panel.read_text(encoding="utf-8"))
    names = args.only or list(panel["datasets"])
    unknown = [n for n in names if n not in panel["datasets"]]
    if unknown:
        parser.error(f"not rows of {args.panel}: {', '.join(unknown)}")
    results = {
        "command": shlex.join(["python", *(argv or sys.argv)]),
        "date": datetime.date.today().isoformat(),
        **revision([args.out, args.out.with_suffix(".md")]),
        "machine": machine(),
        "panel": str(args.panel.resolve().relative_to(ROOT))
        if args.panel.resolve().is_relative_to(ROOT)
        else str(args.panel),
        "panel_commit": panel["commit"],
        "resamples": args.resamples,
        "datasets": {},
    }
    for name in names:
        log.info("%s ...", name)
        results["datasets"][name] = dataset_entry(
            name,
            panel["datasets"][name],
            args.runs,
            args.shared,
            args.resamples,
        )
        log.info("%s: %s", name, results["datasets"][name])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    args.out.with_suffix(".md").write_text(table(results), encoding="utf-8")
    return results


if __name__ == "__main__":
    main()
