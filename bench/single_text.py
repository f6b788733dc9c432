"""Where the time of one text at a time goes in a seqkit export.

The performance suite (`bench/perf_suite.py`) finds the export answering
one text per call at well under ONNX Runtime's rate. This script splits
one call into parts, each timed the same way (microseconds per call, the
median of `--rounds` passes over the first 300 test texts, after a
warm-up):

- `export`: the export's `serving_default` signature from a Python
  string, with the probabilities back as NumPy (what the suite times);
- `export-call`: the signature call alone, on a prepared tensor;
- `empty-signature`: a SavedModel signature of the same inputs and
  outputs that computes nothing: TensorFlow's floor for a call from
  Python through a loaded signature;
- `empty-function`: a traced `tf.function` that returns its input: the
  floor of any call into a TensorFlow graph;
- `tokenize`: the run's in-graph tokenizer and vocabulary lookup alone,
  as a traced function.

It trains the one-epoch model it needs (`seqkit train sentiment
--ensemble 1 --epochs 1 --no-ngram`) and exports it, unless `--run` and
`--export` name existing ones.

    PYTHONPATH=. python bench/single_text.py --work runs/single \\
        --out docs/results/single-text.json
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

sys.path.insert(0, str(Path(__file__).resolve().parent))

from panel import machine, revision  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def microseconds_per_call(function, items, rounds):
    """Median and spread over `rounds` of the mean time per call."""
    for item in items[:20]:
        function(item)
    passes = []
    for _ in range(rounds):
        started = time.perf_counter()
        for item in items:
            function(item)
        passes.append((time.perf_counter() - started) / len(items) * 1e6)
    passes.sort()
    median = statistics.median(passes)
    return {
        "median_us": round(median, 1),
        "min_us": round(passes[0], 1),
        "max_us": round(passes[-1], 1),
        "texts_per_s": round(1e6 / median, 1),
    }


def prepare(work):
    """A one-epoch run and its export in `work` (reused when there)."""
    run, export = work / "run", work / "export"
    seqkit = [sys.executable, "-m", "seqkit"]
    if not (run / "model.keras").is_file():
        subprocess.run(
            [
                *seqkit,
                "train",
                "sentiment",
                "--ensemble",
                "1",
                "--epochs",
                "1",
                "--no-ngram",
                "--quiet",
                "--out",
                str(run),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    if not (export / "1" / "saved_model.pb").is_file():
        subprocess.run(
            [*seqkit, "export", str(run), "--out", str(export)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return run, export / "1"


def measure(run, export, texts, rounds, work):
    import tensorflow as tf

    from seqkit.runs import load_run

    signature = tf.saved_model.load(str(export)).signatures["serving_default"]
    tensors = [tf.constant([text]) for text in texts]
    spec = tf.TensorSpec([None], tf.string)

    class Empty(tf.Module):
        @tf.function(input_signature=[tf.TensorSpec([None], tf.string, "text")])
        def serve(self, text):
            rows = tf.shape(text)[0]
            return {"probabilities": tf.zeros([rows, 2]), "label": text}

    empty = Empty()
    tf.saved_model.save(
        empty, str(work / "empty"), signatures={"serving_default": empty.serve}
    )
    empty_signature = tf.saved_model.load(str(work / "empty")).signatures[
        "serving_default"
    ]
    identity = tf.function(tf.identity).get_concrete_function(spec)
    vectorizer = load_run(run).vectorizer
    tokenize = tf.function(lambda x: vectorizer(x)).get_concrete_function(spec)
    paths = {
        "export": (
            lambda text: signature(text=tf.constant([text]))[
                "probabilities"
            ].numpy(),
            texts,
        ),
        "export-call": (lambda t: signature(text=t), tensors),
        "empty-signature": (lambda t: empty_signature(text=t), tensors),
        "empty-function": (identity, tensors),
        "tokenize": (tokenize, tensors),
    }
    results = {name: [] for name in paths}
    # Interleaved: each round times every part once, in turn.
    for _ in range(rounds):
        for name, (function, items) in paths.items():
            results[name].append(microseconds_per_call(function, items, 1))
    return {
        name: {
            "median_us": round(
                statistics.median(r["median_us"] for r in rows), 1
            ),
            "min_us": min(r["min_us"] for r in rows),
            "max_us": max(r["max_us"] for r in rows),
            "texts_per_s": round(
                1e6 / statistics.median(r["median_us"] for r in rows), 1
            ),
        }
        for name, rows in results.items()
    }


def _shown(path):
    """`path` relative to the checkout when inside it."""
    path = Path(path).resolve()
    return path.relative_to(ROOT) if path.is_relative_to(ROOT) else path


def against_suite(parts, suite_file):
    """The parts beside the suite's fastest one-at-a-time path: its time
    per text, the empty signature's share of it, and the export call's
    time above the empty signature (the graph's own work)."""
    suite = json.loads(Path(suite_file).read_text(encoding="utf-8"))
    paths = suite["inference"]["paths"]
    rates = {
        name: path["batch1"]["median"]
        for name, path in paths.items()
        if not name.startswith("seqkit")
    }
    fastest = max(rates, key=rates.get)
    their_us = 1e6 / rates[fastest]
    floor = parts["empty-signature"]["median_us"]
    return {
        "suite": str(_shown(suite_file)),
        "suite_commit": suite["commit"]["sha"]
        if isinstance(suite["commit"], dict)
        else suite["commit"],
        "fastest": fastest,
        "fastest_texts_per_s": rates[fastest],
        "fastest_us_per_text": round(their_us, 1),
        "empty_signature_speedup": round(their_us / floor, 2),
        "graph_work_us": round(parts["export-call"]["median_us"] - floor, 1),
    }


def markdown(result):
    parts = result["parts"]
    lines = [
        "# One text at a time: where a call's time goes",
        "",
        f"`{result['command']}` at {result['commit'][:12]}, "
        f"{result['date']}; {result['machine']['cpu_count']} CPUs. "
        f"Microseconds per call, the median of {result['rounds']} passes "
        f"over {result['texts']} test texts (min-max in brackets).",
        "",
        "| part | per call (us) | texts/s |",
        "|---|---|---|",
    ]
    for name, part in parts.items():
        lines.append(
            f"| {name} | {part['median_us']:.1f} "
            f"({part['min_us']:.1f}-{part['max_us']:.1f}) | "
            f"{part['texts_per_s']:.1f} |"
        )
    compared = result.get("against_suite")
    if compared:
        lines += [
            "",
            f"The suite's fastest path one text at a time "
            f"({compared['suite']}, commit {compared['suite_commit'][:7]}): "
            f"{compared['fastest']}, {compared['fastest_texts_per_s']:.1f} "
            f"texts/s, {compared['fastest_us_per_text']:.1f} us a text. "
            f"The empty signature alone runs at "
            f"{compared['empty_signature_speedup']:.2f}x its speed; the "
            f"export's graph does {compared['graph_work_us']:.1f} us of work "
            "above the empty signature.",
        ]
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=Path("runs/single"))
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument(
        "--suite",
        type=Path,
        default=ROOT / "docs" / "results" / "perf-suite.json",
        help="the performance suite's results, for its fastest "
        "one-at-a-time path (none: leave the comparison out)",
    )
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    run, export = prepare(args.work)
    import tensorflow_text  # noqa: F401  (the export's NormalizeUTF8 op)

    with open(
        ROOT / "data" / "rt-snippets" / "test.csv", encoding="utf-8"
    ) as f:
        texts = [row["text"] for row in csv.DictReader(f)][:300]
    parts = measure(run, export, texts, args.rounds, args.work)
    result = {
        "command": shlex.join(
            ["python", "bench/single_text.py", *sys.argv[1:]]
        ),
        **revision(exclude=[p for p in (args.out,) if p]),
        "date": datetime.datetime.now(datetime.UTC).isoformat(
            timespec="seconds"
        ),
        "machine": machine(),
        "rounds": args.rounds,
        "texts": len(texts),
        "parts": parts,
    }
    if args.suite and args.suite.is_file():
        result["against_suite"] = against_suite(parts, args.suite)
    if args.out:
        args.out.write_text(
            json.dumps(result, indent=2) + "\n", encoding="utf-8"
        )
        args.out.with_suffix(".md").write_text(
            markdown(result), encoding="utf-8"
        )
    print(markdown(result))


if __name__ == "__main__":
    main()
