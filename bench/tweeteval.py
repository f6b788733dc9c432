"""TweetEval transfer: a pretrained emoji encoder fine-tuned on each task,
beside the published rows.

Usage:
    python bench/tweeteval.py [--base deepmoji-tweets] [--tasks T ...]
        [--methods M ...] [--seeds S ...] [--no-default] [--no-linear]
        [--out PATH] [--runs DIR] [--shared DIR] [--resume] [--quick]
    python bench/tweeteval.py --table-only [--out PATH]

For each task (emotion, hate, irony, offensive and the five stance topics
alone) and each seed it trains, on TweetEval's official split:

- each fine-tuning method of `--methods` (default: chain-thaw, new, last,
  full, gradual) from `--base` (default: the shipped `deepmoji-tweets`):
  `seqkit finetune --base BASE --method M --train T --valid V --test S
  --seed SEED --quiet --out RUNS/TASK/M-SEED` (`new` is the same
  architecture from scratch, with chain-thaw's whole epoch budget);
- `default`: the sentiment default single model (GloVe 6B-50d, no emoji
  pretraining, no n-gram side): `seqkit train sentiment --ensemble 1
  --no-ngram --selection OFFICIAL --seed SEED ...`;
- `tfidf_lr`: TF-IDF word 1-2 and character 2-5 grams with logistic
  regression, C chosen on valid by the official metric (once per task:
  it has no seed), as `bench/panel.py` fits it.

Every test split is scored once, with TweetEval's official metric
(`seqkit evaluate RUN --data TEST --metric OFFICIAL`: macro-F1; irony the
F1 of `irony`; stance the mean of F1(against) and F1(favor)). The table
gives, per system, the mean over seeds (and the spread, min-max) of each
task, stance as the mean of its five topics (as TweetEval's figure is),
the mean over the five tasks, and beside them the published rows of
TweetEval's leaderboard (`PUBLISHED`, from `../shared/data/tweeteval/
SOURCE.md`) and the base's own emoji macro-F1 (from its `metrics.json`).

Writes `--out` (default `docs/results/tweeteval.json`) after every run,
and the markdown table beside it (`.md`); `--resume` skips runs already
in the file. `--quick` (CI-sized): the first 200 / 60 / 60 rows, one
epoch a step, the tiny preset for `default`; give a small `--base`.

How long: each fine-tuning run of a DeepMoji-sized base is minutes on 2
cores; 9 tasks x 5 methods x 3 seeds plus the defaults is a night. Run it
with this checkout importable (`PYTHONPATH=.`).
"""

import argparse
import datetime
import json
import logging
import shlex
import shutil
import statistics
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from panel import (  # noqa: E402
    ROOT,
    SHARED,
    DataSet,
    data_files,
    machine,
    measured,
    read_split,
    revision,
    run_baselines,
    run_cli,
    seqkit_argv,
)

STANCE_TOPICS = ("abortion", "atheism", "climate", "feminist", "hillary")
TASKS = (
    "emotion",
    "hate",
    "irony",
    "offensive",
    *(f"stance-{t}" for t in STANCE_TOPICS),
)
# The published table's columns: the five tasks, stance the topics' mean.
COLUMNS = ("emotion", "hate", "irony", "offensive", "stance")
METHODS = ("chain-thaw", "new", "last", "full", "gradual")
SEEDS = (1, 2, 3)
QUICK_ROWS = {"train": 200, "valid": 60, "test": 60}
# TweetEval's leaderboard (test, x100), as SOURCE.md gives it.
PUBLISHED = {
    "BERTweet": {
        "emoji": 33.4,
        "emotion": 79.3,
        "hate": 56.4,
        "irony": 82.1,
        "offensive": 79.5,
        "stance": 71.2,
    },
    "RoBERTa-base": {
        "emoji": 30.9,
        "emotion": 76.1,
        "hate": 46.6,
        "irony": 59.7,
        "offensive": 79.5,
        "stance": 68.0,
    },
    "FastText": {
        "emoji": 25.8,
        "emotion": 65.2,
        "hate": 50.6,
        "irony": 63.1,
        "offensive": 73.4,
        "stance": 65.4,
    },
    "LSTM": {
        "emoji": 24.7,
        "emotion": 66.0,
        "hate": 52.6,
        "irony": 62.8,
        "offensive": 71.7,
        "stance": 59.4,
    },
    "SVM": {
        "emoji": 29.3,
        "emotion": 64.7,
        "hate": 36.7,
        "irony": 61.7,
        "offensive": 52.3,
        "stance": 67.3,
    },
}

log = logging.getLogger("tweeteval")


def selection(task):
    """The task's official metric, spelt as `--metric` takes it."""
    from seqkit.data.tweeteval import get_task

    return get_task(task).selection


def column(task):
    """The table column of a task (`stance-*` -> `stance`)."""
    return "stance" if task.startswith("stance") else task


# -- one run ------------------------------------------------------------


def train_argv(system, task, base, files, seed, out, quick):
    """The `seqkit` command line that trains `system` on `task` into
    `out`."""
    data = ["--train", files["train"], "--valid", files["valid"]]
    data += ["--test", files["test"], "--text-column", "text"]
    data += ["--label-column", "label", "--seed", seed, "--quiet"]
    data += ["--out", out]
    if system == "default":
        extra = ["--ensemble", 1, "--no-ngram", "--selection", selection(task)]
        if quick:
            extra += ["--preset", "tiny"]
        return seqkit_argv("train", "sentiment", *data, *extra)
    extra = ["--epochs", 1] if quick else []
    return seqkit_argv(
        "finetune", "--base", base, "--method", system, *data, *extra
    )


def run_one(system, task, seed, base, files, runs, quick):
    """Trains one system on one task with one seed; scores its test split
    once by `seqkit evaluate --metric`."""
    out = runs / task / f"{system}-{seed}"
    if out.exists():
        shutil.rmtree(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    argv = train_argv(system, task, base, files, seed, out, quick)
    status, seconds, rss = measured(argv, runs / task / f"{out.name}.log")
    if status:
        raise RuntimeError(
            f"{task} {system} seed {seed}: exited with {status}; see "
            f"{runs / task / f'{out.name}.log'}"
        )
    metric = selection(task)
    evaluated = json.loads(
        run_cli("evaluate", out, "--data", files["test"], "--metric", metric)
    )
    return {
        "command": shlex.join(["seqkit", *map(str, argv[3:])]),
        "test": round(evaluated[metric], 6),
        "accuracy": round(evaluated["accuracy"], 6),
        "n": evaluated["n"],
        "wall_seconds": round(seconds, 1),
        "peak_rss_mb": round(rss, 1),
    }


def linear(task, files):
    """TF-IDF + logistic regression, C chosen on valid by the official
    metric; the test split scored once."""
    dataset = DataSet(f"tweeteval-{task}", f"tweeteval-{task}", task=task)
    data = {}
    for split, path in files.items():
        texts, labels, _ = read_split(path)
        data[split] = (texts, labels)
    classes = sorted(set(data["train"][1]))
    fitted = run_baselines(dataset, data, classes)["tfidf_lr"]
    return {
        "C": fitted["C"],
        "test": fitted["test"]["official"],
        "valid": fitted["valid"]["official"],
    }


# -- the table ----------------------------------------------------------


def summarise(results):
    """Per system: each column's mean over seeds (stance: each seed's mean
    over the five topics first) with min and max, and the mean over the
    columns that every task of a column has."""
    summary = {}
    for system, by_task in results["systems"].items():
        columns = {}
        for name in COLUMNS:
            tasks = [t for t in by_task if column(t) == name]
            if not tasks:
                continue
            seeds = sorted(set.intersection(*(set(by_task[t]) for t in tasks)))
            if not seeds:
                continue
            per_seed = [
                statistics.fmean(by_task[t][s]["test"] for t in tasks)
                for s in seeds
            ]
            columns[name] = {
                "mean": round(100 * statistics.fmean(per_seed), 2),
                "min": round(100 * min(per_seed), 2),
                "max": round(100 * max(per_seed), 2),
                "seeds": len(seeds),
                "topics": len(tasks) if name == "stance" else None,
            }
        summary[system] = columns
    return summary


def table(results):
    """The markdown table of `results` beside the published rows."""
    summary = summarise(results)
    shown = [c for c in COLUMNS if any(c in s for s in summary.values())]
    lines = [
        "# TweetEval: fine-tuning a pretrained emoji encoder",
        "",
        f"`{results['command']}` at {results['commit'][:12]}"
        f"{' (dirty)' if results.get('dirty') else ''}, {results['date']}; "
        f"{results['machine']['cpu_count']} CPUs. Base: `{results['base']}`"
        + (
            f" (emoji test macro-F1 {100 * results['base_emoji']:.1f})."
            if results.get("base_emoji") is not None
            else "."
        ),
        "",
        "Test scores x100, TweetEval's official metric per task; seqkit "
        "rows: the mean over seeds, min-max in brackets; stance: the mean "
        "of the five topics. Published rows: TweetEval's leaderboard.",
        "",
        "| system | " + " | ".join(shown) + " | mean |",
        "|---|" + "---|" * (len(shown) + 1),
    ]
    for name, row in PUBLISHED.items():
        cells = [f"{row[c]:.1f}" for c in shown]
        mean = statistics.fmean(row[c] for c in shown)
        lines.append(
            f"| {name} (published) | " + " | ".join(cells) + f" | {mean:.1f} |"
        )
    for system, columns in summary.items():
        cells = []
        for c in shown:
            if c not in columns:
                cells.append("-")
                continue
            v = columns[c]
            spread = (
                f" [{v['min']:.1f}-{v['max']:.1f}]" if v["seeds"] > 1 else ""
            )
            if v.get("topics") and v["topics"] < len(STANCE_TOPICS):
                spread += f" ({v['topics']} of {len(STANCE_TOPICS)} topics)"
            cells.append(f"{v['mean']:.1f}{spread}")
        full = all(c in columns for c in shown) and (
            "stance" not in columns
            or columns["stance"]["topics"] == len(STANCE_TOPICS)
        )
        mean = (
            f"{statistics.fmean(columns[c]['mean'] for c in shown):.1f}"
            if full
            else "-"
        )
        lines.append(f"| {system} | " + " | ".join(cells) + f" | {mean} |")
    lines += ["", *task_table(results)]
    return "\n".join(lines) + "\n"


def task_table(results):
    """Each task and stance topic alone: per system, the mean over seeds
    (x100) and the number of seeds."""
    systems = list(results["systems"])
    tasks = [
        t for t in TASKS if any(t in results["systems"][s] for s in systems)
    ]
    lines = [
        "Each task alone (stance topics apart), the mean over seeds x100 "
        "(seeds in brackets):",
        "",
        "| task | " + " | ".join(systems) + " |",
        "|---|" + "---|" * len(systems),
    ]
    for task in tasks:
        cells = []
        for system in systems:
            runs = results["systems"][system].get(task, {})
            if not runs:
                cells.append("-")
                continue
            mean = statistics.fmean(r["test"] for r in runs.values())
            cells.append(f"{100 * mean:.1f} ({len(runs)})")
        lines.append(f"| {task} | " + " | ".join(cells) + " |")
    return lines


def heads(files, folder):
    """The first `QUICK_ROWS` rows of each split, written into `folder`."""
    import csv

    folder.mkdir(parents=True, exist_ok=True)
    cut = {}
    for split, path in files.items():
        with open(path, encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle))
        cut[split] = folder / f"{split}.csv"
        with open(cut[split], "w", encoding="utf-8", newline="") as handle:
            csv.writer(handle).writerows(rows[: QUICK_ROWS[split] + 1])
    return cut


def write_results(results, out):
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        json.dumps(results, indent=1, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    out.with_suffix(".md").write_text(table(results), encoding="utf-8")


def base_emoji(base):
    """The base's own test macro-F1 (its `metrics.json`), or None."""
    from seqkit.pretrained import resolve

    path = Path(resolve(base)) / "metrics.json"
    if not path.is_file():
        return None
    test = json.loads(path.read_text(encoding="utf-8")).get("test") or {}
    return test.get("macro_f1")


# -- command line -------------------------------------------------------


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--base", default="deepmoji-tweets")
    parser.add_argument("--tasks", nargs="+", choices=TASKS, default=TASKS)
    parser.add_argument(
        "--methods", nargs="+", choices=METHODS, default=METHODS
    )
    parser.add_argument("--seeds", nargs="+", type=int, default=SEEDS)
    parser.add_argument("--no-default", action="store_true")
    parser.add_argument("--no-linear", action="store_true")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--runs", type=Path)
    parser.add_argument("--shared", type=Path, default=SHARED)
    parser.add_argument("--resume", action="store_true")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--table-only", action="store_true")
    args = parser.parse_args(argv)
    if args.out is None:
        args.out = ROOT / "docs" / "results" / "tweeteval.json"
    if args.runs is None:
        args.runs = ROOT / "runs" / "tweeteval"
    args.out, args.runs = args.out.resolve(), args.runs.resolve()
    return args


def main(argv=None):
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S"
    )
    args = parse_args(argv)
    if args.table_only:
        results = json.loads(args.out.read_text(encoding="utf-8"))
        args.out.with_suffix(".md").write_text(table(results), encoding="utf-8")
        return
    results = {"systems": {}}
    if args.resume and args.out.is_file():
        results = json.loads(args.out.read_text(encoding="utf-8"))
    outputs = [args.out, args.out.with_suffix(".md")]
    results.update(
        command=shlex.join(["python", *(argv or sys.argv)]),
        **revision([p for p in outputs if p.is_relative_to(ROOT)]),
        date=datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        machine=machine(),
        base=args.base,
        base_emoji=base_emoji(args.base),
        quick=args.quick,
        published=PUBLISHED,
    )
    systems = [*args.methods] + ([] if args.no_default else ["default"])
    for task in args.tasks:
        dataset = DataSet(f"tweeteval-{task}", f"tweeteval-{task}", task=task)
        files = data_files(dataset, args.shared)
        if args.quick:
            files = heads(files, args.runs / "quick-data" / task)
        if not args.no_linear:
            done = results["systems"].get("tfidf_lr", {}).get(task)
            if not (args.resume and done):
                log.info("%s: TF-IDF + LR ...", task)
                fitted = linear(task, files)
                # One fit: the same figure stands for every seed.
                results["systems"].setdefault("tfidf_lr", {})[task] = {
                    str(seed): fitted for seed in args.seeds
                }
                write_results(results, args.out)
        for system in systems:
            for seed in args.seeds:
                by_seed = results["systems"].setdefault(system, {})
                done = by_seed.get(task, {}).get(str(seed))
                if args.resume and done:
                    continue
                log.info("%s: %s, seed %d ...", task, system, seed)
                entry = run_one(
                    system, task, seed, args.base, files, args.runs, args.quick
                )
                entry["commit"] = results["commit"]
                by_seed.setdefault(task, {})[str(seed)] = entry
                write_results(results, args.out)
    write_results(results, args.out)
    log.info("results: %s and %s", args.out, args.out.with_suffix(".md"))


if __name__ == "__main__":
    main()
