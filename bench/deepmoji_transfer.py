"""Transfer benchmark: DeepMoji pretrained on Rotten Tomatoes, tuned on tweets.

Usage:
    python bench/deepmoji_transfer.py --work runs/transfer [--seeds 1,2,3]
        [--units 128 --embedding-dim 128 --pretrain-epochs 8]
        [--out docs/results/deepmoji-transfer.json]

1. Pretrains the DeepMoji architecture (preset `deepmoji`, sizes from the
   options) on the bundled Rotten Tomatoes training split, with its
   validation split for early stopping (real proxy labels: no package
   ships tweets labelled by emoji).
2. Fine-tunes it on the bundled VADER tweet task with each method (`new`,
   `last`, `full`, `chain-thaw`, `gradual`), on the whole tweet training
   split and on a stratified 10% of it (drawn with each seed), for each
   seed; the tweet validation split drives early stopping, the tweet test
   split is scored once.
3. Prints mean and spread of test accuracy per method and setting, and
   writes them to `WORK/results.json`; with `--out FILE`, also a results
   file with the command, commit, date and machine, the settings, every
   run and the summary (and the table beside it, `.md`).
"""

import argparse
import csv
import datetime
import json
import shlex
import statistics
import subprocess
import sys
from pathlib import Path

import numpy as np

from seqkit.training.recipes.finetune import FinetuneSettings, finetune_run

METHODS = ("new", "last", "full", "chain-thaw", "gradual")
TWEETS = Path("data/vader-tweets")


def pretrain(work, args):
    run = work / "pretrained"
    if (run / "model.keras").is_file():
        return run
    command = [
        sys.executable,
        "-m",
        "seqkit",
        "pretrain",
        "deepmoji",
        "--train",
        "data/rt-snippets/train.csv",
        "--valid",
        "data/rt-snippets/valid.csv",
        "--units",
        str(args.units),
        "--embedding-dim",
        str(args.embedding_dim),
        "--epochs",
        str(args.pretrain_epochs),
        "--quiet",
        "--out",
        str(run),
    ]
    subprocess.run(command, check=True)
    return run


def subsample(work, fraction, seed):
    """A stratified `fraction` of the tweet training split, seeded."""
    with open(TWEETS / "train.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    if fraction >= 1:
        return TWEETS / "train.csv"
    rng = np.random.default_rng(seed)
    kept = []
    for label in sorted({r["label"] for r in rows}):
        members = [r for r in rows if r["label"] == label]
        count = max(1, round(fraction * len(members)))
        kept.extend(members[i] for i in rng.permutation(len(members))[:count])
    path = work / f"train_{fraction}_{seed}.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(kept)
    return path


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", required=True)
    parser.add_argument("--seeds", default="1,2,3")
    parser.add_argument("--fractions", default="1.0,0.1")
    parser.add_argument("--units", type=int, default=128)
    parser.add_argument("--embedding-dim", type=int, default=128)
    parser.add_argument("--pretrain-epochs", type=int, default=8)
    parser.add_argument("--epochs", type=int, default=8, help="per step")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    base = pretrain(work, args)
    results_path = work / "runs.json"
    runs = json.loads(results_path.read_text()) if results_path.exists() else {}
    for fraction in [float(f) for f in args.fractions.split(",")]:
        for seed in [int(s) for s in args.seeds.split(",")]:
            train = subsample(work, fraction, seed)
            for method in METHODS:
                key = f"{fraction}/{seed}/{method}"
                if key in runs:
                    continue
                metrics = finetune_run(
                    FinetuneSettings(
                        base=str(base),
                        train=str(train),
                        valid=str(TWEETS / "valid.csv"),
                        test=str(TWEETS / "test.csv"),
                        method=method,
                        epochs=args.epochs,
                        seed=seed,
                    ),
                    work / key.replace("/", "_"),
                )
                runs[key] = {
                    "test_accuracy": metrics["test"]["accuracy"],
                    "valid_accuracy": metrics["valid"]["accuracy"],
                    "seconds": metrics["train_seconds"],
                }
                results_path.write_text(json.dumps(runs, indent=2))
                print(key, runs[key], flush=True)
    table = {}
    for key, value in runs.items():
        fraction, _, method = key.split("/")
        table.setdefault(fraction, {}).setdefault(method, []).append(
            value["test_accuracy"]
        )
    lines = [
        "| training tweets | method | seeds | test accuracy, mean | sd |",
        "|---|---|---|---|---|",
    ]
    summary = {}
    for fraction, methods in table.items():
        for method in METHODS:
            values = methods.get(method, [])
            if not values:
                continue
            mean = statistics.mean(values)
            sd = statistics.stdev(values) if len(values) > 1 else 0.0
            summary[f"{fraction}/{method}"] = {
                "mean": mean,
                "sd": sd,
                "seeds": len(values),
            }
            lines.append(
                f"| {fraction} | {method} | {len(values)} | {mean:.4f} | "
                f"{sd:.4f} |"
            )
    print("\n" + "\n".join(lines))
    (work / "results.json").write_text(json.dumps(summary, indent=2))
    if args.out:
        write_results(args, runs, summary, lines)


def write_results(args, runs, summary, lines):
    """`args.out` (JSON) and its table (`.md`), with their provenance."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from panel import machine, revision

    command = shlex.join(
        ["python", "bench/deepmoji_transfer.py", *sys.argv[1:]]
    )
    result = {
        "command": command,
        **revision(exclude=[args.out]),
        "date": datetime.datetime.now(datetime.UTC).isoformat(
            timespec="seconds"
        ),
        "machine": machine(),
        "settings": {
            "units": args.units,
            "embedding_dim": args.embedding_dim,
            "pretrain_epochs": args.pretrain_epochs,
            "epochs_per_step": args.epochs,
            "seeds": args.seeds,
            "fractions": args.fractions,
        },
        "runs": runs,
        "summary": summary,
    }
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    header = [
        "# DeepMoji transfer: pretrained on Rotten Tomatoes, tuned on tweets",
        "",
        f"`{command}` at {result['commit'][:12]}, {result['date']}. Test "
        "accuracy on the vader-tweets test split, each run scored once.",
        "",
    ]
    args.out.with_suffix(".md").write_text(
        "\n".join(header + lines) + "\n", encoding="utf-8"
    )


if __name__ == "__main__":
    main()
