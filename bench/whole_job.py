"""The whole job: the time to a finished run, not only the epoch.

A user waits for the process. Each round runs, as fresh processes in a
rotating order, for each epoch count of `--epochs` (default 1 and 2):

- `seqkit`: `seqkit train sentiment --ensemble 1 --epochs E` on the
  bundled data, the default recipe (the n-gram side included);
- `seqkit-no-ngram`: the same with `--no-ngram` (the recurrent model
  alone, the baselines' work);
- `keras-bare`: `bench/whole_job_keras.py`, the plain-Keras script of the
  same model (TextVectorization, masked BiLSTM, GloVe), nothing evaluated
  or saved;
- `keras-same-work`: that script with `--same-work`: validation every
  epoch, the best epoch kept, validation and test scored, the model saved
  with its vectorizer (what a finished seqkit run has);
- `import`: `python -c "import tensorflow, keras"`, the floor every
  process above pays.

For each system and epoch count it reports the wall-clock seconds (median
and spread over rounds) and the peak memory; the extra seconds of one more
epoch (per round, the difference between its E runs); for seqkit, the
medians of its own step timings (`metrics.json` "seconds"); and seqkit's
speed-up over each Keras script, the median of the per-round ratios
(baseline seconds / seqkit seconds) with their spread.

    PYTHONPATH=. python bench/whole_job.py --rounds 5 \\
        --out docs/results/whole-job.json
"""

import argparse
import datetime
import json
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import perf_report  # noqa: E402
from panel import machine, revision  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SYSTEMS = ("seqkit", "seqkit-no-ngram", "keras-bare", "keras-same-work")


def seqkit_command(python_m=False):
    found = None if python_m else shutil.which("seqkit")
    return [found] if found else [sys.executable, "-m", "seqkit"]


def command(system, epochs, run, python_m=False):
    """The command line of `system` trained for `epochs`, writing `run`
    (`python_m`: seqkit as `python -m seqkit`)."""
    if system == "import":
        return [sys.executable, "-c", "import tensorflow, keras"]
    if system.startswith("seqkit"):
        extra = ["--no-ngram"] if system == "seqkit-no-ngram" else []
        return [
            *seqkit_command(python_m),
            "train",
            "sentiment",
            "--ensemble",
            "1",
            "--epochs",
            str(epochs),
            *extra,
            "--quiet",
            "--out",
            str(run),
        ]
    script = [sys.executable, str(ROOT / "bench" / "whole_job_keras.py")]
    script += ["--data", str(ROOT / "data" / "rt-snippets")]
    script += ["--epochs", str(epochs)]
    if system == "keras-same-work":
        script += ["--same-work", "--out", str(run)]
    return script


def timed(argv):
    """`(wall seconds, peak RSS in MB, stdout)` of one process."""
    started = time.perf_counter()
    process = subprocess.Popen(
        argv,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
    )
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"failed ({process.returncode}): {shlex.join(argv)}")
    # ru_maxrss is in kilobytes on Linux.
    return wall, usage.ru_maxrss / 1024, output.decode()


def spread(values):
    """`perf_report.spread` to hundredths."""
    return perf_report.spread(values, digits=2)


def run_rounds(systems, epochs, rounds, work, log=print, python_m=False):
    """Every measurement, as a list of dicts (one per process)."""
    jobs = [(s, e) for s in systems for e in epochs] + [("import", 0)]
    records = []
    for index in range(rounds):
        shift = index % len(jobs)
        for system, count in jobs[shift:] + jobs[:shift]:
            run = Path(work) / f"{system}-e{count}-r{index}"
            shutil.rmtree(run, ignore_errors=True)
            wall, rss, output = timed(command(system, count, run, python_m))
            record = {
                "round": index + 1,
                "system": system,
                "epochs": count,
                "wall_seconds": round(wall, 3),
                "peak_rss_mb": round(rss, 1),
            }
            if system.startswith("seqkit"):
                metrics = json.loads((run / "metrics.json").read_text())
                # Runs of code before the step timings have none.
                if "seconds" in metrics:
                    record["steps_seconds"] = metrics["seconds"]
                record["test_accuracy"] = round(metrics["test"]["accuracy"], 4)
            elif system == "keras-same-work":
                record["test_accuracy"] = json.loads(output)["test"]
            shutil.rmtree(run, ignore_errors=True)
            records.append(record)
            log(
                f"round {index + 1} {system} epochs {count}: "
                f"{wall:.2f} s, {rss:.0f} MB"
            )
    return records


def summarize(records, systems, epochs):
    """Medians and spreads by system and epoch count; the extra seconds
    of one more epoch; seqkit's speed-ups over the Keras scripts."""

    def walls(system, count):
        return {
            r["round"]: r["wall_seconds"]
            for r in records
            if r["system"] == system and r["epochs"] == count
        }

    summary = {}
    for system in systems:
        entry = {}
        for count in epochs:
            rows = [
                r
                for r in records
                if r["system"] == system and r["epochs"] == count
            ]
            part = {
                "wall_seconds": spread([r["wall_seconds"] for r in rows]),
                "peak_rss_mb": round(
                    statistics.median(r["peak_rss_mb"] for r in rows), 1
                ),
            }
            if rows and "steps_seconds" in rows[0]:
                part["steps_seconds"] = {
                    step: round(
                        statistics.median(
                            r["steps_seconds"][step] for r in rows
                        ),
                        2,
                    )
                    for step in rows[0]["steps_seconds"]
                }
            if rows and "test_accuracy" in rows[0]:
                part["test_accuracy"] = rows[0]["test_accuracy"]
            entry[f"epochs_{count}"] = part
        if len(epochs) > 1:
            low, high = min(epochs), max(epochs)
            first, last = walls(system, low), walls(system, high)
            extra = [
                (last[r] - first[r]) / (high - low) for r in first if r in last
            ]
            entry["extra_epoch_seconds"] = spread(extra)
        summary[system] = entry
    summary["import"] = {
        "wall_seconds": spread(list(walls("import", 0).values()))
    }
    speedups = {}
    for ours in ("seqkit", "seqkit-no-ngram"):
        for theirs in ("keras-bare", "keras-same-work"):
            if ours not in systems or theirs not in systems:
                continue
            for count in epochs:
                mine, other = walls(ours, count), walls(theirs, count)
                ratios = [other[r] / mine[r] for r in mine if r in other]
                speedups[f"{ours} vs {theirs}, epochs {count}"] = spread(ratios)
    summary["speedup"] = speedups
    return summary


def markdown(result):
    """The results as a Markdown table."""
    epochs = result["epochs"]
    lines = [
        "# The whole job: time to a finished run",
        "",
        f"`{result['command']}` at {result['commit'][:12]}, "
        f"{result['date']}; {result['machine']['cpu_count']} CPUs. "
        f"Medians of {result['rounds']} rounds (min-max in brackets), "
        "wall-clock seconds of whole processes.",
        "",
        "| system | "
        + " | ".join(f"{e} epoch{'s' if e > 1 else ''} (s)" for e in epochs)
        + " | one more epoch (s) | peak memory (MB) |",
        "|---|" + "---|" * (len(epochs) + 2),
    ]
    summary = result["summary"]
    for system in result["systems"]:
        entry = summary[system]
        cells = []
        for e in epochs:
            s = entry[f"epochs_{e}"]["wall_seconds"]
            cells.append(f"{s['median']:.2f} ({s['min']:.2f}-{s['max']:.2f})")
        extra = entry.get("extra_epoch_seconds")
        cells.append(f"{extra['median']:.2f}" if extra else "-")
        cells.append(f"{entry[f'epochs_{epochs[0]}']['peak_rss_mb']:.0f}")
        lines.append(f"| {system} | " + " | ".join(cells) + " |")
    floor = summary["import"]["wall_seconds"]
    lines += [
        "",
        f"`import tensorflow, keras` alone: {floor['median']:.2f} s "
        f"({floor['min']:.2f}-{floor['max']:.2f}).",
        "",
        'seqkit\'s own step timings (medians, `metrics.json` "seconds"):',
        "",
        "| run | step | seconds |",
        "|---|---|---|",
    ]
    for system in result["systems"]:
        if not system.startswith("seqkit"):
            continue
        for e in epochs:
            steps = summary[system][f"epochs_{e}"].get("steps_seconds", {})
            for step, seconds in steps.items():
                lines.append(
                    f"| {system}, {e} epochs | {step} | {seconds:.2f} |"
                )
    lines += [
        "",
        "seqkit's speed-up (baseline seconds / seqkit seconds, median of "
        "the per-round ratios, interquartile range):",
        "",
        "| comparison | speedup | q1-q3 |",
        "|---|---|---|",
    ]
    for name, s in summary["speedup"].items():
        lines.append(
            f"| {name} | {s['median']:.2f}x | {s['q1']:.2f}-{s['q3']:.2f} |"
        )
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--epochs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--systems", nargs="+", default=list(SYSTEMS))
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument(
        "--python-m",
        action="store_true",
        help="run `python -m seqkit` instead of the `seqkit` script (for "
        "a checkout of older code on PYTHONPATH)",
    )
    args = parser.parse_args()
    unknown = set(args.systems) - set(SYSTEMS)
    if unknown:
        parser.error(f"unknown systems {sorted(unknown)}; known: {SYSTEMS}")
    work = args.work or Path(tempfile.mkdtemp(prefix="whole-job-"))
    epochs = sorted(set(args.epochs))
    records = run_rounds(
        args.systems, epochs, args.rounds, work, python_m=args.python_m
    )
    result = {
        "command": shlex.join(["python", "bench/whole_job.py", *sys.argv[1:]]),
        **revision(exclude=[p for p in (args.out,) if p]),
        "date": datetime.datetime.now(datetime.UTC).isoformat(
            timespec="seconds"
        ),
        "machine": machine(),
        "rounds": args.rounds,
        "epochs": epochs,
        "systems": args.systems,
        "summary": summarize(records, args.systems, epochs),
        "records": records,
    }
    text = json.dumps(result, indent=2) + "\n"
    if args.out:
        args.out.write_text(text, encoding="utf-8")
        args.out.with_suffix(".md").write_text(
            markdown(result), encoding="utf-8"
        )
    print(markdown(result))


if __name__ == "__main__":
    main()
