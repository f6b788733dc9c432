"""The performance suite's comparisons and its Markdown report.

    python bench/perf_report.py docs/results/perf-suite.json \\
        [--md docs/results/perf-suite.md]

reads the results `bench/perf_suite.py` wrote and writes the tables (to
stdout without `--md`). Every ratio is quoted against the strongest
baseline of its kind: for training, the baseline with the shortest median
epoch; for inference, the fastest PyTorch or ONNX Runtime path at each
batch size. A ratio is the median of the per-round ratios (the systems of
a round run side by side, so a slow moment of the machine touches both
sides of a ratio alike), with their interquartile range.
"""

import argparse
import json
import statistics
import sys
from pathlib import Path

import numpy as np

REFERENCE = {"training": "seqkit", "inference": "seqkit-export"}
# The inference paths that are baselines: PyTorch's and ONNX Runtime's.
INFERENCE_BASELINES = ("torch-", "onnx")
INFERENCE_KINDS = {"batch64": "batches of 64", "batch1": "one at a time"}


def spread(values, digits=3):
    """The median of `values`, its quartiles (`q1`, `q3`: the spread the
    tables show, untouched by one slow round such as the first epoch's
    tracing) and the extremes, each rounded to `digits`."""
    q1, median, q3 = np.percentile(values, [25, 50, 75])
    figures = {
        "median": median,
        "q1": q1,
        "q3": q3,
        "min": min(values),
        "max": max(values),
    }
    return {key: round(float(value), digits) for key, value in figures.items()}


def paired_ratios(numerators, denominators):
    """Round-by-round ratios of two equally long lists of measurements.

    Raises:
        ValueError: if the lists differ in length or are empty.
    """
    if len(numerators) != len(denominators) or not numerators:
        raise ValueError(
            f"need equal, non-empty lists; received {len(numerators)} and "
            f"{len(denominators)} values"
        )
    return [a / b for a, b in zip(numerators, denominators)]


def compare_training(training, reference=REFERENCE["training"]):
    """seqkit's epoch against the fastest baseline's, round by round.

    Args:
        training: system name -> `{"epoch_seconds": [...] per round, ...}`.
        reference: the system compared with the baselines.

    Returns:
        `{"fastest_baseline", "speedup", "relative_time"}`: `speedup` is
        the baseline's epoch over the reference's (`spread` of the rounds);
        `relative_time` gives each system's epoch over the fastest
        baseline's. None without the reference or any baseline.
    """
    baselines = [name for name in training if name != reference]
    if reference not in training or not baselines:
        return None
    fastest = min(
        baselines,
        key=lambda name: statistics.median(training[name]["epoch_seconds"]),
    )
    base = training[fastest]["epoch_seconds"]
    return {
        "fastest_baseline": fastest,
        "speedup": spread(
            paired_ratios(base, training[reference]["epoch_seconds"])
        ),
        "relative_time": {
            name: spread(paired_ratios(result["epoch_seconds"], base))
            for name, result in training.items()
        },
    }


def compare_inference(paths, reference=REFERENCE["inference"]):
    """seqkit's export against the fastest baseline path, per batch size.

    Args:
        paths: path name -> `{kind: {"rounds": [texts/s per round], ...}}`
            for each kind of `INFERENCE_KINDS`.
        reference: the path compared with the baselines.

    Returns:
        kind -> `{"fastest_baseline", "speedup"}`: the reference's texts/s
        over the fastest baseline's, a `spread` of the rounds. Kinds
        without the reference or a baseline are left out.
    """
    baselines = [name for name in paths if name.startswith(INFERENCE_BASELINES)]
    comparison = {}
    for kind in INFERENCE_KINDS:
        measured = [name for name in baselines if kind in paths[name]]
        if reference not in paths or not measured:
            continue
        fastest = max(measured, key=lambda name: paths[name][kind]["median"])
        comparison[kind] = {
            "fastest_baseline": fastest,
            "speedup": spread(
                paired_ratios(
                    paths[reference][kind]["rounds"],
                    paths[fastest][kind]["rounds"],
                )
            ),
        }
    return comparison


# -- Markdown ----------------------------------------------------------


def _section(header, rows):
    """A Markdown table: the header's cells, a rule, the rows, a blank."""
    rule = "|" + "---|" * (header.count("|") + 1)
    return ["| " + header + " |", rule, *rows, ""]


def _range(figures, style="{:.2f}", unit=""):
    """'median (q1-q3)' of a `spread`, the unit after the median."""
    median, q1, q3 = (
        style.format(figures[key]) for key in ("median", "q1", "q3")
    )
    return f"{median}{unit} ({q1}-{q3})"


def _training_rows(results):
    training = results["training"]
    comparison = compare_training(training) or {}
    fastest = comparison.get("fastest_baseline")
    relative = comparison.get("relative_time", {})
    rows = []
    for name, r in training.items():
        label = f"{name} (fastest baseline)" if name == fastest else name
        ratio = _range(relative[name], unit="x") if name in relative else ""
        rows.append(
            f"| {label} | {_range(spread(r['epoch_seconds']))} | "
            f"{r['tokens_per_second']:,} | {ratio} | "
            f"{r['best_valid']:.4f} ({r['best_round']}) | "
            f"{r['test_at_best_valid']:.4f} |"
        )
    if "tfidf" in results:
        t = results["tfidf"]
        rows.append(
            f"| TF-IDF + LR (C={t['C']}) | {t['seconds']} (fit) | | | "
            f"{t['valid']:.4f} | {t['test']:.4f} |"
        )
    return rows, comparison


def _training_lines(results):
    rows, comparison = _training_rows(results)
    lines = _section(
        "training system | epoch s, median (IQR) | tokens/s | "
        "epoch against the fastest baseline | best valid (round) | "
        "test at best valid",
        rows,
    )
    if comparison:
        speedup = comparison["speedup"]
        rounds = len(results["training"]["seqkit"]["epoch_seconds"])
        lines += [
            f"seqkit trains an epoch **{speedup['median']:.2f}x** as fast "
            f"as the fastest baseline, {comparison['fastest_baseline']} "
            f"(median of {rounds} per-round ratios; interquartile range "
            f"{speedup['q1']:.2f}-{speedup['q3']:.2f}x, extremes "
            f"{speedup['min']:.2f}-{speedup['max']:.2f}x).",
            "",
        ]
    return lines


def _inference_lines(inference):
    paths = inference["paths"]
    rows = [
        f"| {name} | "
        + " | ".join(
            _range(kinds[kind], "{:,.0f}") if kind in kinds else ""
            for kind in INFERENCE_KINDS
        )
        + " |"
        for name, kinds in paths.items()
    ]
    comparison = compare_inference(paths)
    if comparison:
        cells = []
        for kind in INFERENCE_KINDS:
            if kind not in comparison:
                cells.append("")
                continue
            c = comparison[kind]
            cells.append(
                f"**{c['speedup']['median']:.2f}x** against "
                f"{c['fastest_baseline']} "
                f"({c['speedup']['q1']:.2f}-{c['speedup']['q3']:.2f}x)"
            )
        rows.append(
            f"| {REFERENCE['inference']} against the fastest baseline | "
            + " | ".join(cells)
            + " |"
        )
    lines = _section(
        "inference on raw strings | texts/s, batches of 64: median "
        "(IQR) | texts/s, one at a time: median (IQR)",
        rows,
    )
    agreement = inference.get("agreement")
    if agreement:
        close = {True: "yes", False: "**no**"}.get(
            inference.get("agreement_ok"), "?"
        )
        lines += [
            "Largest probability difference from the eager PyTorch model: "
            + ", ".join(
                f"{name} {difference:.1e}"
                for name, difference in agreement.items()
            )
            + f" (np.allclose: {close}).",
            "",
        ]
    if inference.get("skipped"):
        lines += [
            "Not measured: "
            + "; ".join(
                f"{name} ({why})" for name, why in inference["skipped"].items()
            )
            + ".",
            "",
        ]
    return lines


def _serving_rows(serving):
    return [
        f"| {name}, {concurrency} concurrent | "
        f"{level[name]['throughput']:.1f} | {level[name]['p50_ms']:.1f} | "
        f"{level[name]['p99_ms']:.1f} |"
        for concurrency, level in serving["levels"].items()
        for name in ("batched", "per-request")
    ]


def _deep_rows(deep):
    return [
        f"| {name} | {deep[name]['step_seconds']:.3f} | "
        f"{deep[name]['gflops']} | "
        f"{100 * deep[name]['fraction_of_fp32_peak']:.0f}% |"
        for name in ("seqkit", "seqkit-mixed-bfloat16", "torch")
        if name in deep
    ]


def _deep_lines(deep):
    return [
        f"Deep model {deep['model']} training step, "
        f"{deep['gflop_per_step']} GFLOP; measured peaks: fp32 "
        f"{deep['fp32_peak_gflops']} GFLOP/s, bf16 "
        f"{deep['bf16_peak_gflops']} GFLOP/s.",
        "",
        *_section(
            "deep model | step (s) | GFLOP/s | of fp32 peak", _deep_rows(deep)
        ),
    ]


def _gpu_lines(gpu):
    if not gpu["ran"]:
        return [f"GPU section: not run ({gpu['reason']}).", ""]
    import gpu_section

    return [gpu_section.table(gpu), ""]


def table(results):
    """The results as Markdown tables, one per section that ran."""
    lines = []
    if results.get("training"):
        lines += _training_lines(results)
    if results.get("inference"):
        lines += _inference_lines(results["inference"])
    if results.get("serving"):
        lines += _section(
            "`seqkit serve` (single model) | req/s | p50 ms | p99 ms",
            _serving_rows(results["serving"]),
        )
    if "cold_start" in results:
        lines += _section(
            "cold start | median seconds",
            [
                f"| `{name}` | {seconds:.3f} |"
                for name, seconds in results["cold_start"].items()
            ],
        )
    if results.get("deep"):
        lines += _deep_lines(results["deep"])
    if results.get("gpu"):
        lines += _gpu_lines(results["gpu"])
    return "\n".join(lines)


def header(results, source):
    """Where the figures come from: the command, commit, date, machine."""
    machine = results.get("machine", {})
    versions = ", ".join(
        f"{name} {machine[key]}"
        for name, key in (
            ("Python", "python"),
            ("TensorFlow", "tensorflow"),
            ("Keras", "keras"),
            ("PyTorch", "torch"),
            ("ONNX Runtime", "onnxruntime"),
        )
        if machine.get(key)
    )
    commit = results.get("commit", {})
    state = " (uncommitted changes)" if commit.get("dirty") else ""
    return [
        "# Performance suite",
        "",
        f"Generated by `bench/perf_report.py` from `{source}`; edit neither "
        "by hand.",
        "",
        f"- command: `{results.get('command', '?')}`",
        f"- commit: {commit.get('sha', '?')}{state}",
        f"- date: {results.get('date', '?')}",
        f"- machine: {machine.get('processor', '?')}, "
        f"{machine.get('cpus', '?')} cores; {versions}",
        "",
    ]


def markdown(results, source):
    """The whole report: `header`, then `table`."""
    return "\n".join(header(results, source)) + "\n" + table(results) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", help="a results JSON of perf_suite.py")
    parser.add_argument("--md", help="write the Markdown here, not stdout")
    args = parser.parse_args(argv)
    path = Path(args.results)
    results = json.loads(path.read_text(encoding="utf-8"))
    text = markdown(results, path.name)
    if args.md:
        Path(args.md).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
