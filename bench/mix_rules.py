"""How the n-gram share of a mix is best chosen: measured inside validation.

Usage:
    PYTHONPATH=. python bench/mix_rules.py RUN [RUN ...] \
        [--out docs/results/mix-rules.json] [--repeats 20] [--seed 0]

Each RUN is a finished `seqkit train sentiment` or `train documents` run
with an n-gram side (e.g. the panel's `runs/panel/NAME`). Only its
validation split is read: its two sides' validation probabilities (the
saved mix's sides; a run whose mix kept the recurrent side alone gets its
n-gram side fitted again, as the run fitted it) are cut into two halves,
each class split evenly, `--repeats` times; each rule chooses the share
(and, for F1 selections, class offsets) on one half and is scored on the
other, both ways round, by the run's own selection metric:

- `metric`: the share of `WEIGHT_GRID` with the best score (the rule up
  to 5b6916b; `seqkit.training.ngram._by_metric`);
- `log_loss`: the share of lowest cross-entropy, then offsets, unless that
  mix scores below a side (`seqkit.training.ngram.choose_weight`, the
  rule since 5b6916b);
- `recurrent`, `ngram`: one side alone (no choice).

The test split is never read. Writes `--out` (JSON: command, commit,
date, machine; per run the same, the mean and spread of each rule's
held-out score, and how often `log_loss` beats, ties or loses to
`metric`) and a markdown table beside it; `--add` keeps the runs already
in `--out` (made with the same `--repeats` and `--seed`).
"""

import argparse
import datetime
import json
import logging
import platform
import shlex
import subprocess
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
log = logging.getLogger("mix_rules")

RULES = ("metric", "log_loss", "recurrent", "ngram")


def choose(rule, labels, recurrent, ngram, selection, class_names):
    """`(weight, offsets)` that `rule` chooses on these probabilities."""
    from seqkit.models.selection import selection_scorer
    from seqkit.training.ngram import _by_metric, choose_weight

    classes = recurrent.shape[-1]
    if rule == "recurrent":
        return 0.0, np.zeros(classes)
    if rule == "ngram":
        return 1.0, np.zeros(classes)
    if rule == "metric":
        scorer = selection_scorer(selection, class_names)
        weight, offsets, _ = _by_metric(
            labels, recurrent, ngram, scorer, selection
        )
        return weight, offsets
    weight, offsets, _ = choose_weight(
        labels, recurrent, ngram, selection, class_names
    )
    return weight, offsets


def held_out_scores(
    labels, recurrent, ngram, selection, class_names, repeats=20, seed=0
):
    """`{rule: [held-out score of each cut and direction]}`."""
    from seqkit.models.selection import selection_scorer
    from seqkit.training.ngram import _halves

    labels = np.asarray(labels)
    recurrent, ngram = np.asarray(recurrent), np.asarray(ngram)
    scorer = selection_scorer(selection, class_names)
    rng = np.random.default_rng(seed)
    found = {rule: [] for rule in RULES}
    for _ in range(repeats):
        first, second = _halves(labels, rng)
        for fit, held in ((first, second), (second, first)):
            for rule in RULES:
                weight, offsets = choose(
                    rule,
                    labels[fit],
                    recurrent[fit],
                    ngram[fit],
                    selection,
                    class_names,
                )
                mixed = (1 - weight) * recurrent[held] + weight * ngram[held]
                logs = np.log(np.maximum(mixed, 1e-12)) + offsets
                found[rule].append(float(scorer(labels[held], logs.argmax(-1))))
    return found


def summary(found):
    """Mean, spread and the log_loss-against-metric count of `found`."""
    out = {
        rule: {
            "mean": round(float(np.mean(v)), 4),
            "std": round(float(np.std(v)), 4),
        }
        for rule, v in found.items()
    }
    diff = np.array(found["log_loss"]) - np.array(found["metric"])
    out["log_loss_minus_metric"] = {
        "mean": round(float(diff.mean()), 4),
        "wins": int((diff > 0).sum()),
        "ties": int((diff == 0).sum()),
        "losses": int((diff < 0).sum()),
    }
    return out


def run_sides(run):
    """`(labels, recurrent, ngram, selection, class_names)` on the run's
    validation split."""
    from seqkit.models.ngram import MixedClassifier
    from seqkit.models.predict import predict_outputs
    from seqkit.runs import load_run

    run = Path(run)
    config = json.loads((run / "config.json").read_text(encoding="utf-8"))
    metrics = json.loads((run / "metrics.json").read_text(encoding="utf-8"))
    if "ngram" not in metrics:
        raise SystemExit(f"{run}: the run has no n-gram side (--no-ngram)")
    selection = metrics["ngram"]["selection"]
    model = load_run(run)
    texts, labels = _valid_split(config)
    class_names = list(model.class_names)
    index = [class_names.index(label) for label in labels]
    if isinstance(model, MixedClassifier):
        recurrent, ngram = model.recurrent, model.ngram
    else:
        recurrent, ngram = model, _refit_ngram(config, model, selection)
    return (
        np.array(index),
        predict_outputs(recurrent, texts)["probabilities"],
        predict_outputs(ngram, texts)["probabilities"],
        selection,
        class_names,
    )


def _read(config, path):
    """`(texts, labels)` of a CSV split, blank texts left out (as the
    run's reader does)."""
    import csv

    if Path(path).suffix != ".csv":
        raise SystemExit(f"{path}: bench/mix_rules.py reads CSV splits only")
    column, label = config["text_column"], config["label_column"]
    with open(path, encoding="utf-8", newline="") as handle:
        rows = [row for row in csv.DictReader(handle) if row[column].strip()]
    return [row[column] for row in rows], [row[label] for row in rows]


def _valid_split(config):
    if not config.get("valid"):
        raise SystemExit("the run held its validation split out of train")
    return _read(config, config["valid"])


def _refit_ngram(config, model, selection):
    """The n-gram side the run fitted (and then left out of its mix)."""
    from seqkit.training.ngram import fit_ngram

    names = list(model.class_names)

    def indexed(path):
        texts, labels = _read(config, path)
        return texts, np.array([names.index(label) for label in labels])

    ngram, _ = fit_ngram(
        model.vectorizer.tokenizer,
        names,
        indexed(config["train"]),
        indexed(config["valid"]),
        selection=selection,
        seed=config["seed"],
    )
    return ngram


def table(results):
    lines = [
        "# Choosing the n-gram share: rules compared inside validation",
        "",
        f"`{results['command']}` at {results['commit'][:12]}, "
        f"{results['date']}. Each run's validation split cut in halves "
        f"{results['repeats']} times (each class split evenly); a rule "
        "chooses on one half and is scored on the other, both ways round, "
        "by the run's selection metric. Mean x100 (standard deviation); "
        "log_loss - metric: mean difference in points, and the cuts where "
        "it wins / ties / loses.",
        "",
        "| run | selection | valid n | metric | log_loss | recurrent alone "
        "| n-gram alone | log_loss - metric | wins / ties / losses |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, row in results["runs"].items():
        cells = [
            f"{100 * row[r]['mean']:.2f} ({100 * row[r]['std']:.2f})"
            for r in RULES
        ]
        d = row["log_loss_minus_metric"]
        lines.append(
            f"| {name} | {row['selection']} | {row['n']} | "
            + " | ".join(cells)
            + f" | {100 * d['mean']:+.2f} | "
            f"{d['wins']} / {d['ties']} / {d['losses']} |"
        )
    return "\n".join(lines) + "\n"


def main(argv=None):
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="+", type=Path)
    parser.add_argument(
        "--out", type=Path, default=ROOT / "docs" / "results" / "mix-rules.json"
    )
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--add",
        action="store_true",
        help="keep the runs already in --out (each row keeps its command)",
    )
    args = parser.parse_args(argv)
    commit = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "HEAD"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    results = {
        "command": shlex.join(["python", *sys.argv]),
        "commit": commit,
        "date": datetime.datetime.now(datetime.UTC).isoformat(
            timespec="seconds"
        ),
        "machine": {"platform": platform.platform(), "python": sys.version},
        "repeats": args.repeats,
        "seed": args.seed,
        "rules": list(RULES),
        "runs": {},
    }
    if args.add and args.out.is_file():
        kept = json.loads(args.out.read_text(encoding="utf-8"))
        if (kept["repeats"], kept["seed"]) != (args.repeats, args.seed):
            raise SystemExit(f"--add: {args.out} was made with other cuts")
        results["runs"] = kept["runs"]
    for run in args.runs:
        log.info("%s ...", run)
        labels, recurrent, ngram, selection, names = run_sides(run)
        found = held_out_scores(
            labels, recurrent, ngram, selection, names, args.repeats, args.seed
        )
        results["runs"][run.name] = {
            "run": str(run),
            "command": results["command"],
            "commit": commit,
            "date": results["date"],
            "selection": selection,
            "n": int(len(labels)),
            **summary(found),
        }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    args.out.with_suffix(".md").write_text(table(results), encoding="utf-8")
    log.info("wrote %s", args.out)


if __name__ == "__main__":
    main()
