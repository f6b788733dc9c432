"""Caption benchmark: the digit-canvas task, beam search beside greedy.

Usage:
    python bench/caption_digits.py --work runs/caption-bench
        [--seeds 1337,1338,1339] [--variants attention,plain]

Trains `seqkit train caption` (the default settings: digit canvases of
1 to 4 real mnist-5k digits, CNN encoder, LSTM decoder) once per seed and
variant (`attention`: additive attention over the image columns, the
default; `plain`: the decoder sees only its initial state), each in its
own process, and scores the fixed test canvases (1,000 canvases of the
1,000 test digit images, never seen in training) with beam search (width
4) and greedy decoding. Prints a table of exact match and BLEU-1..4 with
mean and spread over the seeds, and writes `WORK/results.json`.
A finished run folder is reused, so an interrupted benchmark resumes.
"""

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

VARIANTS = {"attention": ["--attention"], "plain": ["--no-attention"]}


def train(work, variant, seed):
    run = work / f"{variant}-{seed}"
    if not (run / "metrics.json").is_file():
        command = [
            sys.executable, "-m", "seqkit", "train", "caption",
            *VARIANTS[variant], "--seed", str(seed), "--quiet",
            "--out", str(run),
        ]  # fmt: skip
        resume = ["--resume"] if (run / "config.json").is_file() else []
        started = time.time()
        subprocess.run(command + resume, check=True)
        print(f"{run}: {time.time() - started:.0f} s", file=sys.stderr)
    with open(run / "metrics.json", encoding="utf-8") as handle:
        return json.load(handle)


def summary(values):
    mean = statistics.mean(values)
    spread = statistics.stdev(values) if len(values) > 1 else 0.0
    return {"mean": round(mean, 4), "sd": round(spread, 4), "runs": values}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=Path("runs/caption-bench"))
    parser.add_argument("--seeds", default="1337,1338,1339")
    parser.add_argument("--variants", default="attention,plain")
    args = parser.parse_args()
    seeds = [int(s) for s in args.seeds.split(",")]
    variants = args.variants.split(",")
    args.work.mkdir(parents=True, exist_ok=True)
    results = {}
    for variant in variants:
        runs = [train(args.work, variant, seed) for seed in seeds]
        table = {}
        for decoder in ("beam", "greedy"):
            scores = [
                r["test"] if decoder == "beam" else r["test"]["greedy"]
                for r in runs
            ]
            table[decoder] = {
                key: summary([s[key] for s in scores])
                for key in (
                    "exact_match",
                    "bleu_1",
                    "bleu_2",
                    "bleu_3",
                    "bleu_4",
                )
            }
        table["train_seconds"] = summary([r["train_seconds"] for r in runs])
        table["best_epoch"] = [r["best_epoch"] for r in runs]
        results[variant] = table
    header = f"{'variant':10} {'decoder':7} {'exact match':>16} " + " ".join(
        f"{f'BLEU-{n}':>13}" for n in range(1, 5)
    )
    print(header)
    for variant, table in results.items():
        for decoder in ("beam", "greedy"):
            row = table[decoder]
            exact = row["exact_match"]
            cells = [f"{exact['mean']:.3f} ± {exact['sd']:.3f}"]
            cells += [
                f"{row[f'bleu_{n}']['mean']:.2f} ± {row[f'bleu_{n}']['sd']:.2f}"
                for n in range(1, 5)
            ]
            print(
                f"{variant:10} {decoder:7} {cells[0]:>16} "
                + " ".join(f"{c:>13}" for c in cells[1:])
            )
    with open(args.work / "results.json", "w", encoding="utf-8") as handle:
        json.dump({"seeds": seeds, "results": results}, handle, indent=2)
        handle.write("\n")


if __name__ == "__main__":
    main()
