"""Document benchmark: hierarchical attention vs a flat RNN vs TF-IDF + SVM.

Usage:
    python bench/documents_compare.py --work runs/documents-bench
        [--seeds 1337,1338,1339] [--han-options "--freeze-embeddings"]

All three read the Pang & Lee polarity reviews with their fixed split
(`seqkit data prepare pang-lee-reviews`: 1,200 train / 150 valid / 150
test, seed 2004), choose their settings or epochs on valid and are scored
once on test:

- `han`: `seqkit train documents` (the default settings, plus
  `--han-options`), once per seed;
- `flat`: `seqkit train sentiment` on the same files, a bidirectional GRU
  with attention over the whole review (the first `--flat-length` words),
  once per seed;
- `tfidf-svm`: scikit-learn's TfidfVectorizer (word 1-2 grams, sublinear
  tf) and LinearSVC, C chosen on valid (deterministic: no seed).

Prints mean and spread of test accuracy per system and writes
`--out` (default `WORK/results.json`): the command, date, commit (and
whether the checkout was dirty), machine, and every run's figures.
Finished runs are reused, so it resumes.
"""

import argparse
import csv
import datetime
import json
import shlex
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from panel import machine, revision  # noqa: E402


def splits():
    from seqkit.data.prepare import bundled_splits

    return {k: str(v) for k, v in bundled_splits("pang-lee-reviews").items()}


def run(command, out):
    if not (out / "metrics.json").is_file():
        resume = ["--resume"] if (out / "config.json").is_file() else []
        started = time.time()
        subprocess.run([*command, *resume], check=True)
        print(f"{out}: {time.time() - started:.0f} s", file=sys.stderr)
    with open(out / "metrics.json", encoding="utf-8") as handle:
        return json.load(handle)


def seqkit(*args):
    return [sys.executable, "-m", "seqkit", *map(str, args)]


def tfidf_svm(paths):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics import accuracy_score
    from sklearn.svm import LinearSVC

    def read(path):
        with open(path, encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        return [r["text"] for r in rows], [r["label"] for r in rows]

    (x, y), (vx, vy), (tx, ty) = (
        read(paths[s]) for s in ("train", "valid", "test")
    )
    vectorizer = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)
    features = vectorizer.fit_transform(x)
    best = None
    for c in (0.01, 0.03, 0.1, 0.3, 1, 3, 10, 30):
        model = LinearSVC(C=c).fit(features, y)
        valid = accuracy_score(vy, model.predict(vectorizer.transform(vx)))
        if best is None or valid > best[0]:
            best = (valid, c, model)
    valid, c, model = best
    test = accuracy_score(ty, model.predict(vectorizer.transform(tx)))
    return {"C": c, "valid": round(valid, 4), "test": round(test, 4)}


def summary(values):
    return {
        "mean": round(statistics.mean(values), 4),
        "sd": round(statistics.stdev(values), 4) if len(values) > 1 else 0.0,
        "runs": values,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--work", type=Path, default=Path("runs/documents-bench")
    )
    parser.add_argument("--seeds", default="1337,1338,1339")
    parser.add_argument("--han-options", default="")
    parser.add_argument("--flat-length", type=int, default=800)
    parser.add_argument("--systems", default="han,flat,tfidf-svm")
    parser.add_argument(
        "--out", type=Path, help="the results JSON (default WORK/results.json)"
    )
    args = parser.parse_args()
    results_path = args.out or args.work / "results.json"
    seeds = [int(s) for s in args.seeds.split(",")]
    systems = args.systems.split(",")
    paths = splits()
    args.work.mkdir(parents=True, exist_ok=True)
    data = [
        "--train",
        paths["train"],
        "--valid",
        paths["valid"],
        "--test",
        paths["test"],
    ]
    results = {}
    for system in systems:
        if system == "tfidf-svm":
            found = tfidf_svm(paths)
            results[system] = {
                "test_accuracy": summary([found["test"]]),
                **found,
            }
            continue
        tests, valids, seconds, runs = [], [], [], []
        for seed in seeds:
            out = args.work / f"{system}-{seed}"
            if system == "han":
                command = seqkit(
                    "train", "documents", *shlex.split(args.han_options),
                    "--seed", seed, "--quiet", "--out", out,
                )  # fmt: skip
            else:
                command = seqkit(
                    "train", "sentiment", *data, "--cell", "gru",
                    "--units", 50, "--pooling", "attention",
                    "--max-length", args.flat_length, "--ensemble", 1,
                    "--batch-size", 16, "--seed", seed, "--quiet",
                    "--out", out,
                )  # fmt: skip
            metrics = run(command, out)
            tests.append(round(metrics["test"]["accuracy"], 4))
            valids.append(round(metrics["valid"]["accuracy"], 4))
            seconds.append(metrics.get("train_seconds"))
            runs.append(
                {
                    "seed": seed,
                    "run": str(out),
                    "command": shlex.join(["seqkit", *map(str, command[3:])]),
                    "test": metrics["test"],
                    "valid": metrics["valid"],
                    # The n-gram side's share of the mix (0: the
                    # recurrent side alone), where the run has one.
                    "ngram_weight": metrics.get("ngram", {}).get("weight"),
                }
            )
        results[system] = {
            "test_accuracy": summary(tests),
            "valid_accuracy": summary(valids),
            "train_seconds": seconds,
            "runs": runs,
        }
    print(f"{'system':10} {'test accuracy':>22} {'valid accuracy':>22}")
    for system, found in results.items():
        test = found["test_accuracy"]
        valid = found.get(
            "valid_accuracy", {"mean": found.get("valid"), "sd": 0.0}
        )
        print(
            f"{system:10} {test['mean']:>14.4f} ± {test['sd']:.4f} "
            f"{valid['mean']:>14.4f} ± {valid['sd']:.4f}"
        )
    results_path.parent.mkdir(parents=True, exist_ok=True)
    with open(results_path, "w", encoding="utf-8") as handle:
        json.dump(
            {
                "command": shlex.join(["python", *sys.argv]),
                "date": datetime.date.today().isoformat(),
                **revision([results_path]),
                "machine": machine(),
                "seeds": seeds,
                "han_options": args.han_options,
                "results": results,
            },
            handle,
            indent=2,
        )
        handle.write("\n")


if __name__ == "__main__":
    main()
