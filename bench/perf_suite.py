"""Performance suite: seqkit against the strongest baselines of each kind.

Usage:
    python bench/perf_suite.py --work runs/perf [--rounds 5] [--skip ...]
        [--systems ...] [--train-limit N] [--serving] [--out FILE.json]

One run measures, side by side on this machine:

1. Training, the sentiment task on the bundled Rotten Tomatoes split (real
   lengths). Every system is the seqkit default single model (GloVe
   6B-50d, fine-tuned; BiLSTM-128; max+mean pooling; Adam 5e-4, clipping
   at norm 5, batches of 64), reads the same token ids and starts from
   the same word vectors; they differ in how batches are made and fed:
   - `seqkit`: `seqkit train sentiment --ensemble 1` as the library
     trains it (its length-bucketed dataset, `steps_per_execution=16`).
   - `keras-masked`, `keras-bucketed`: plain Keras 3 as its guides teach
     variable lengths (`bench/perf_keras.py`): `Embedding(mask_zero=True)`,
     a `tf.data` pipeline padding each batch to its longest text
     (`padded_batch`), or grouping texts by length first
     (`bucket_by_sequence_length`, seqkit's bucket edges), and
     `steps_per_execution=16`.
   - `keras-plain`: the keras.io IMDB example's way: texts padded to a
     fixed length with `pad_sequences`, no mask.
   - `torch-bucketed`: PyTorch (`bench/perf_torch.py`), packed sequences,
     batches from a length-bucketing sampler (`bench/length_buckets.py`:
     shuffled pools of 100 batches sorted by length, as torchtext's
     BucketIterator made them).
   - `torch-padded`, `torch-packed`: PyTorch with a shuffled `DataLoader`
     of random batches, each padded to its longest text; the packed one
     wraps them in `pack_padded_sequence`.
   Each round trains every system one epoch, in an order that rotates
   each round. The table gives each system's median epoch of `--rounds`
   rounds (and quartiles), real (unpadded) training tokens per second,
   its epoch against the fastest baseline's, and the test accuracy at
   its best validation round; then seqkit's speed-up over the fastest
   baseline. TF-IDF + logistic regression gives the quality reference.
2. Inference on raw strings, the test texts in batches of 64 and the
   first 300 one at a time: the seqkit export (SavedModel, tokenization
   in the graph; with and without XLA) against the trained
   `torch-padded` model with a Python tokenizer, run eagerly
   (`torch-eager`), traced and frozen by TorchScript (`torch-script`),
   through `torch.compile` (`torch-compile`; it needs a C++ compiler),
   and exported to ONNX and run by ONNX Runtime (`onnxruntime`). Each of
   `--rounds` rounds times every path, interleaved. The compiled paths
   must give the eager model's probabilities: the results record the
   largest difference of each, and `agreement_ok` (`np.allclose`). A
   path that cannot be built is reported and left out. seqkit's ratio is
   quoted against the fastest PyTorch or ONNX Runtime path at each batch
   size.
3. Command-line cold start: `seqkit --help` and `seqkit predict RUN TEXT`
   in fresh processes (medians of 5).
4. The deep model: a 2-layer BiLSTM-512 training step (batch 64, 64
   steps) in GFLOP/s against the measured fp32 matrix-product peak of
   this machine, seqkit beside PyTorch.
5. With `--serving`: `bench/serve_load.py` on the export (one round).
6. Where a GPU is visible: `bench/gpu_section.py` for the LSTM and GRU
   deep models (whether each layer takes the cuDNN kernel, its training
   step against `use_cudnn=False`, the outputs of both paths); elsewhere
   the report says it did not run. On a GPU machine without TensorFlow,
   run that script alone on Keras's torch or jax backend.

Ratios are medians of per-round ratios with their interquartile range
(`bench/perf_report.py`). TensorFlow runs with seqkit's training threads
(`--tf-threads seqkit`: half the cores per op, as `seqkit train` sets for
bidirectional models); the plain Keras baselines share the process, so
they get them too. PyTorch and ONNX Runtime use `--torch-threads` (2).
Each PyTorch training system runs in a process of its own, which never
imports TensorFlow (`--torch-process own`, the default; `shared` trains
them in the benchmark's process, as runs before 2026-12-07 did); only
one system trains at a time either way.

Results go to `WORK/results.json` (with the command, commit, date and
machine) and `WORK/results.md`, and the tables to stdout; with `--out
FILE.json`, also to that file and the Markdown beside it (`FILE.md`).
`python bench/perf_report.py FILE.json` makes the Markdown again.
"""

import argparse
import dataclasses
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from perf_report import (  # noqa: E402
    compare_inference,
    compare_training,
    spread,
    table,
)

SYSTEMS = (
    "seqkit",
    "keras-plain",
    "keras-masked",
    "keras-bucketed",
    "torch-padded",
    "torch-packed",
    "torch-bucketed",
)


def median(values):
    return float(statistics.median(values))


# -- data --------------------------------------------------------------


def load_data(train_limit=None):
    """The default config, its vectorizer and vectors, and encoded splits."""
    from seqkit.models.sentiment import SentimentConfig
    from seqkit.training.recipes.sentiment import (
        _read_data,
        encode,
        prepare_inputs,
    )

    config = dataclasses.replace(
        SentimentConfig(), ensemble=1, member_overrides=[]
    )
    splits, _ = _read_data(config)
    vectorizer, matrix, _ = prepare_inputs(config, splits)
    names = splits.label_names
    index = {name: i for i, name in enumerate(names)}
    data, texts = {}, {}
    for split_name, split in splits.items():
        ids = encode(vectorizer, split.texts)
        labels = np.array([index[y] for y in split.labels], "int32")
        split_texts = list(split.texts)
        if split_name == "train" and train_limit:
            ids, labels = ids[:train_limit], labels[:train_limit]
            split_texts = split_texts[:train_limit]
        data[split_name] = (ids, labels)
        texts[split_name] = split_texts
    return config, vectorizer, matrix, names, data, texts


# -- training systems --------------------------------------------------


def make_systems(
    wanted,
    config,
    vectorizer,
    matrix,
    names,
    data,
    maxlen,
    torch_process="own",
    torch_threads=2,
):
    """The training systems named in `wanted`, each ready for `epoch()`;
    the PyTorch ones in a process each (`torch_process="own"`) or in
    this one (`"shared"`)."""
    from perf_keras import KerasMaskedSystem, KerasPlainSystem, SeqkitSystem

    from seqkit.data.pipelines import bucket_boundaries

    def torch_system(packed, bucketed=False):
        from perf_torch import ProcessSystem, TorchSystem

        settings = dict(
            data=data,
            vectors=matrix,
            classes=len(names),
            packed=packed,
            seed=config.seed,
            units=config.units,
            batch=config.batch_size,
            bucketed=bucketed,
        )
        if torch_process == "own":
            return ProcessSystem(torch_threads, **settings)
        return TorchSystem(**settings)

    # The bucketed Keras script takes seqkit's bucket edges, so the two
    # differ in their pipelines only.
    edges = bucket_boundaries([len(x) for x in data["train"][0]])
    builders = {
        "seqkit": lambda: SeqkitSystem(config, vectorizer, matrix, names, data),
        "keras-plain": lambda: KerasPlainSystem(
            config, matrix, names, data, maxlen
        ),
        "keras-masked": lambda: KerasMaskedSystem(config, matrix, names, data),
        "keras-bucketed": lambda: KerasMaskedSystem(
            config, matrix, names, data, edges=edges
        ),
        "torch-padded": lambda: torch_system(packed=False),
        "torch-packed": lambda: torch_system(packed=True),
        "torch-bucketed": lambda: torch_system(packed=True, bucketed=True),
    }
    return {name: builders[name]() for name in wanted}


def run_training(systems, rounds, tokens, log):
    """Rounds of one epoch per system; accuracies after each round."""
    names = list(systems)
    results = {
        name: {"epoch_seconds": [], "valid": [], "test": []} for name in names
    }
    for round_index in range(rounds):
        shift = round_index % len(names)
        for name in names[shift:] + names[:shift]:
            seconds = systems[name].epoch()
            valid = systems[name].accuracy("valid")
            test = systems[name].accuracy("test")
            result = results[name]
            result["epoch_seconds"].append(round(seconds, 3))
            result["valid"].append(round(valid, 4))
            result["test"].append(round(test, 4))
            log(
                f"round {round_index + 1}/{rounds} {name}: epoch "
                f"{seconds:.1f} s, valid {valid:.4f}, test {test:.4f}"
            )
    for result in results.values():
        epoch = median(result["epoch_seconds"])
        best = int(np.argmax(result["valid"]))
        result.update(
            median_epoch_seconds=round(epoch, 3),
            epoch_spread=spread(result["epoch_seconds"]),
            tokens_per_second=round(tokens / epoch),
            best_round=best + 1,
            best_valid=result["valid"][best],
            test_at_best_valid=result["test"][best],
        )
    return results


def tfidf_baseline(texts, names, data):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    started = time.perf_counter()
    vectorizer = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)
    x_train = vectorizer.fit_transform(texts["train"])
    best = None
    for c in (0.5, 1, 2, 4, 8, 16):
        model = LogisticRegression(C=c, max_iter=2000)
        model.fit(x_train, data["train"][1])
        valid = model.score(
            vectorizer.transform(texts["valid"]), data["valid"][1]
        )
        if best is None or valid > best[0]:
            best = (valid, c, model)
    valid, c, model = best
    test = model.score(vectorizer.transform(texts["test"]), data["test"][1])
    return {
        "C": c,
        "valid": round(valid, 4),
        "test": round(test, 4),
        "seconds": round(time.perf_counter() - started, 1),
    }


# -- inference ---------------------------------------------------------


def write_run(system, config, folder):
    """The seqkit system's model as a run folder (`seqkit predict` reads it)."""
    folder = Path(folder)
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    system.classifier.save(folder / "model.keras")
    (folder / "config.json").write_text(
        json.dumps(dataclasses.asdict(config), indent=2), encoding="utf-8"
    )
    return folder


def export_predictor(folder):
    """Raw strings -> probabilities through a seqkit export's signature."""
    import tensorflow as tf

    serve = tf.saved_model.load(str(folder)).signatures["serving_default"]

    def predict(batch):
        return serve(text=tf.constant(batch))["probabilities"].numpy()

    return predict


# Float32 probabilities of the same weights through other kernels: equal
# to within rounding (the tests and smoke runs saw at most 2e-7).
AGREEMENT = {"rtol": 1e-5, "atol": 1e-6}


def agreement(predict, reference, batches):
    """`(largest absolute difference, np.allclose on every batch)` of two
    predictors' probabilities, at the tolerances of `AGREEMENT`."""
    largest, close = 0.0, True
    for batch in batches:
        ours, theirs = predict(batch), reference(batch)
        largest = max(largest, float(np.abs(ours - theirs).max()))
        close = close and np.allclose(ours, theirs, **AGREEMENT)
    return largest, bool(close)


def time_paths(paths, batches, singles, rounds, log):
    """Texts/s of every path in batches and one text at a time.

    Each round times every path, in an order reversed every other round,
    after one warm-up pass over a few inputs (traces, allocations).

    Returns:
        name -> `{"batch64": {"rounds": [...], **spread(rounds)},
        "batch1": {...}}` (`perf_report.spread`).
    """
    for predict in paths.values():
        for batch in batches[:3] + singles[:20]:
            predict(batch)
    timings = {name: {"batch64": [], "batch1": []} for name in paths}
    for round_index in range(rounds):
        order = list(paths)
        if round_index % 2:
            order.reverse()
        for name in order:
            for kind, items in (("batch64", batches), ("batch1", singles)):
                started = time.perf_counter()
                for batch in items:
                    paths[name](batch)
                elapsed = time.perf_counter() - started
                count = sum(len(b) for b in items)
                timings[name][kind].append(round(count / elapsed, 1))
        log(f"inference round {round_index + 1}/{rounds} done")
    return {
        name: {
            kind: {"rounds": values, **spread(values, digits=1)}
            for kind, values in kinds.items()
        }
        for name, kinds in timings.items()
    }


def run_inference(
    exports, torch_model, vectorizer, texts, rounds, log, work, leave_out=()
):
    """Texts/s of each seqkit export (name -> folder) and each PyTorch path.

    The PyTorch paths (`perf_torch.inference_paths`) must give the eager
    model's probabilities (`np.allclose`, `AGREEMENT`): the result records
    the largest difference of each and `agreement_ok`, and the largest
    difference of the export without XLA from the export.
    """
    from perf_torch import inference_paths

    words = vectorizer.get_vocabulary()  # "", "[UNK]", then the words
    paths = {name: export_predictor(folder) for name, folder in exports.items()}
    torch_paths, skipped = inference_paths(
        torch_model, words, vectorizer.max_length, work, leave_out
    )
    for name, why in skipped.items():
        log(f"inference: {name} left out ({why})")
    paths.update(torch_paths)
    batches = [texts[i : i + 64] for i in range(0, len(texts), 64)]
    singles = [[text] for text in texts[:300]]
    result = {"paths": time_paths(paths, batches, singles, rounds, log)}
    checked = batches[:5] + singles[:20]
    compared = {
        name: agreement(paths[name], paths["torch-eager"], checked)
        for name in torch_paths
        if name != "torch-eager"
    }
    result["agreement"] = {name: c[0] for name, c in compared.items()}
    result["agreement_ok"] = all(c[1] for c in compared.values())
    if not result["agreement_ok"]:
        log(f"inference: PyTorch paths DISAGREE with eager: {compared}")
    if "seqkit-export-no-xla" in paths:
        # XLA must not change the answers (padding is masked).
        result["xla_max_probability_difference"] = agreement(
            paths["seqkit-export"], paths["seqkit-export-no-xla"], checked
        )[0]
    if skipped:
        result["skipped"] = skipped
    return result


def cold_start(run, rounds=5):
    # The installed script; without one on PATH, this interpreter's module.
    found = shutil.which("seqkit")
    seqkit = [found] if found else [sys.executable, "-m", "seqkit"]
    commands = {
        "seqkit --help": [*seqkit, "--help"],
        "seqkit predict RUN TEXT": [
            *seqkit,
            "predict",
            str(run),
            "a gripping, funny and humane film",
        ],
    }
    result = {}
    for name, command in commands.items():
        times = []
        for _ in range(rounds):
            started = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True)
            times.append(time.perf_counter() - started)
        result[name] = round(median(times), 3)
    return result


# -- the deep model ----------------------------------------------------

DEEP = {"batch": 64, "steps": 64, "features": 512, "units": 512, "layers": 2}


def deep_flops():
    """Matrix-product FLOPs of one training step (forward + backward).

    Per layer, direction and step the forward pass multiplies
    `[batch, in + units]` by `[in + units, 4 units]`; the backward pass
    does two products of the same size (gradients of the inputs and of the
    weights). Element-wise work is left out.
    """
    total = 0
    features = DEEP["features"]
    for _ in range(DEEP["layers"]):
        forward = 2 * DEEP["batch"] * (features + DEEP["units"]) * 4
        forward *= DEEP["units"]
        total += 3 * forward * DEEP["steps"] * 2
        features = 2 * DEEP["units"]
    return total


PEAK = """
import sys, time
import tensorflow as tf
size = 2048
a = tf.cast(tf.random.normal((size, size)), sys.argv[1])
product = tf.function(lambda x: tf.matmul(x, x))
product(a).numpy()
best = float("inf")
for _ in range(5):
    started = time.perf_counter()
    for _ in range(4):
        out = product(a)
    out.numpy()
    best = min(best, (time.perf_counter() - started) / 4)
print(2 * size**3 / best / 1e9)
"""


def matmul_peak(dtype):
    """GFLOP/s of a 2048^3 matrix product, best of 5, every core.

    Measured in a fresh process with TensorFlow's default threads (one op
    on every core), whatever threads this process was given.
    """
    completed = subprocess.run(
        [sys.executable, "-c", PEAK, dtype],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
    )
    return float(completed.stdout.split()[-1])


def deep_model(
    policy="float32", cell="lstm", masked=False, use_cudnn="auto", **arguments
):
    """The deep bidirectional stack as a compiled Keras model (MSE loss).

    Returns `(model, stack, sequences)`: the model reads the mean of the
    stack's outputs, `sequences` is a model of the stack's outputs alone
    (sharing its layers). `masked` puts a `Masking(0.0)` before the stack;
    `arguments` go to the `RecurrentStack`.
    """
    import keras

    import seqkit.layers

    keras.utils.set_random_seed(0)
    keras.config.set_dtype_policy(policy)
    inputs = keras.Input((DEEP["steps"], DEEP["features"]))
    hidden = keras.layers.Masking(0.0)(inputs) if masked else inputs
    stack = seqkit.layers.RecurrentStack(
        cell,
        DEEP["units"],
        num_layers=DEEP["layers"],
        bidirectional=True,
        use_cudnn=use_cudnn,
        **arguments,
    )
    sequences = stack(hidden)
    pooled = sequences
    if policy == "mixed_float16":
        # A float16 sum of 65,536 outputs can pass float16's largest value.
        pooled = keras.ops.cast(pooled, "float32")
    model = keras.Model(inputs, keras.ops.mean(pooled, axis=(1, 2)))
    keras.config.set_dtype_policy("float32")
    model.compile(optimizer=keras.optimizers.Adam(1e-4), loss="mse")
    return model, stack, keras.Model(inputs, sequences)


def train_step_seconds(model, x, y, repeats):
    """Median seconds of `model.train_on_batch(x, y)`, after two warm-ups."""
    model.train_on_batch(x, y)
    model.train_on_batch(x, y)
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        model.train_on_batch(x, y)
        times.append(time.perf_counter() - started)
    return median(times)


def seqkit_deep_seconds(repeats, policy="float32"):
    model, _, _ = deep_model(policy)
    x = (
        np.random.default_rng(0)
        .normal(size=(DEEP["batch"], DEEP["steps"], DEEP["features"]))
        .astype("float32")
    )
    y = np.zeros((DEEP["batch"],), "float32")
    return train_step_seconds(model, x, y, repeats)


def run_gpu(repeats):
    """On a GPU: `bench/gpu_section.py` for the LSTM and GRU deep models.

    Returns `{"ran": False, "reason": ...}` where no GPU is visible.
    """
    import gpu_section

    report = gpu_section.measure(["lstm", "gru"], repeats)
    if not report["ran"]:
        return {"ran": False, "reason": report["reason"]}
    return report


def run_deep(repeats, with_torch, log):
    flops = deep_flops()
    peak32 = matmul_peak("float32")
    peak16 = matmul_peak("bfloat16")
    seconds = seqkit_deep_seconds(repeats)
    result = {
        "model": DEEP,
        "gflop_per_step": round(flops / 1e9, 2),
        "fp32_peak_gflops": round(peak32, 1),
        "bf16_peak_gflops": round(peak16, 1),
        "seqkit": {
            "step_seconds": round(seconds, 4),
            "gflops": round(flops / seconds / 1e9, 1),
        },
    }
    result["seqkit"]["fraction_of_fp32_peak"] = round(
        result["seqkit"]["gflops"] / peak32, 3
    )
    # Keras's mixed precision: bfloat16 products, float32 weights.
    seconds = seqkit_deep_seconds(repeats, "mixed_bfloat16")
    result["seqkit-mixed-bfloat16"] = {
        "step_seconds": round(seconds, 4),
        "gflops": round(flops / seconds / 1e9, 1),
        "fraction_of_fp32_peak": round(flops / seconds / 1e9 / peak32, 3),
    }
    if with_torch:
        from perf_torch import deep_step_seconds

        seconds = deep_step_seconds(
            **{
                "batch": DEEP["batch"],
                "steps": DEEP["steps"],
                "features": DEEP["features"],
                "units": DEEP["units"],
                "layers": DEEP["layers"],
                "repeats": repeats,
            }
        )
        result["torch"] = {
            "step_seconds": round(seconds, 4),
            "gflops": round(flops / seconds / 1e9, 1),
            "fraction_of_fp32_peak": round(flops / seconds / 1e9 / peak32, 3),
        }
    log(f"deep model: {result}")
    return result


# -- the record --------------------------------------------------------


def _version(module):
    try:
        return __import__(module).__version__
    except ImportError:
        return None


def machine():
    """The processor, its cores and the versions of what was measured."""
    info = {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "processor": platform.processor() or platform.machine(),
    }
    for module in ("numpy", "tensorflow", "keras", "torch", "onnxruntime"):
        version = _version(module)
        if version:
            info[module] = version
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    info["processor"] = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return info


def commit():
    """The checkout's commit and whether tracked files differ from it."""

    def git(*arguments):
        completed = subprocess.run(
            ["git", *arguments],
            cwd=HERE.parent,
            capture_output=True,
            text=True,
        )
        return completed.stdout.strip() if completed.returncode == 0 else None

    status = git("status", "--porcelain", "--untracked-files=no")
    return {
        "sha": git("rev-parse", "HEAD"),
        "dirty": None if status is None else bool(status),
    }


def write_results(results, path):
    """`path` (JSON) and, beside it, the Markdown report (`.md`)."""
    from perf_report import markdown

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    path.with_suffix(".md").write_text(
        markdown(results, path.name), encoding="utf-8"
    )


def configure_threads(args, systems):
    """TensorFlow's threads, and PyTorch's where a system uses it.

    Returns:
        What each library was given, for the record.
    """
    # Before TensorFlow runs an op: it fixes its thread pools then.
    if args.tf_threads == "seqkit":
        from seqkit.environment import configure_training_threads

        configure_training_threads(True)
    import tensorflow as tf

    threads = {
        "tf_intra_op_threads": (
            tf.config.threading.get_intra_op_parallelism_threads() or "default"
        )
    }
    if any(name.startswith("torch") for name in systems):
        from perf_torch import configure

        configure(args.torch_threads)
        threads["torch_threads"] = args.torch_threads
        threads["torch_process"] = args.torch_process
    return threads


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", required=True, help="a folder for results")
    parser.add_argument(
        "--out",
        default=None,
        help="also write the results here (JSON) and the Markdown report "
        "beside it, e.g. docs/results/perf-suite.json",
    )
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--systems",
        default=",".join(SYSTEMS),
        help="training systems, comma-separated",
    )
    parser.add_argument(
        "--skip",
        default="",
        help="sections to leave out: training,tfidf,inference,cold,deep,gpu; "
        "or inference paths: torch-script,torch-compile,onnxruntime",
    )
    parser.add_argument(
        "--maxlen",
        type=int,
        default=None,
        help="the plain Keras script's fixed length (default: seqkit's "
        "max_length)",
    )
    parser.add_argument(
        "--train-limit",
        type=int,
        default=None,
        help="train on the first N training texts only (a quick check)",
    )
    parser.add_argument("--serving", action="store_true")
    parser.add_argument(
        "--torch-threads",
        type=int,
        default=2,
        help="PyTorch's and ONNX Runtime's threads (default 2)",
    )
    parser.add_argument(
        "--torch-process",
        choices=["own", "shared"],
        default="own",
        help="train each PyTorch system in a process of its own, without "
        "TensorFlow (default), or in the benchmark's process",
    )
    parser.add_argument(
        "--tf-threads",
        choices=["seqkit", "default"],
        default="seqkit",
        help="TensorFlow's intra-op threads: seqkit's training setting for "
        "bidirectional models (half the cores; `seqkit train` applies it), "
        "which the plain Keras baselines then share, or TensorFlow's "
        "default (every core)",
    )
    args = parser.parse_args(argv)
    args.skip = {s for s in args.skip.split(",") if s}
    args.systems = [s for s in args.systems.split(",") if s]
    unknown = sorted(set(args.systems) - set(SYSTEMS))
    if unknown:
        parser.error(f"unknown systems {unknown}; choose from {SYSTEMS}")
    return args


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def serve_load(base, work):
    """`bench/serve_load.py` on the export at `base`, one round."""
    out = work / "serving.json"
    subprocess.run(
        [
            sys.executable,
            str(HERE / "serve_load.py"),
            "--base",
            str(base),
            "--rounds",
            "1",
            "--concurrency",
            "1,32",
            "--requests",
            "300",
            "--seconds",
            "10",
            "--json",
            str(out),
        ],
        check=True,
    )
    return json.loads(out.read_text(encoding="utf-8"))


def inference_sections(args, results, systems, vectorizer, texts, run):
    """The export's inference against PyTorch's paths, and serving."""
    from seqkit.serving.export import export_run

    work = Path(args.work)
    base = work / "export"
    shutil.rmtree(base, ignore_errors=True)
    exports = {"seqkit-export": export_run(run, base).path}
    if "inference" not in args.skip:
        plain = work / "export-no-xla"
        shutil.rmtree(plain, ignore_errors=True)
        exports["seqkit-export-no-xla"] = export_run(run, plain, xla=False).path
        results["inference"] = run_inference(
            exports,
            systems["torch-padded"].model,
            vectorizer,
            texts["test"],
            args.rounds,
            log,
            work,
            leave_out=args.skip,
        )
    if args.serving:
        results["serving"] = serve_load(base, work)


def main(argv=None):
    import warnings

    # Length bucketing gives datasets of unknown length; Keras warns at the
    # end of every such epoch.
    warnings.filterwarnings("ignore", message="Your input ran out of data")
    # The masked Keras scripts' max pooling takes no mask (as documented in
    # `perf_keras.plain_model`); Keras says so at every trace.
    warnings.filterwarnings("ignore", message=".*does not support masking")
    args = parse_args(argv)
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    skip, wanted = args.skip, args.systems
    if "inference" not in skip or "cold" not in skip:
        wanted += [n for n in ("seqkit", "torch-padded") if n not in wanted]
    results = {
        "command": " ".join(["python", *sys.argv]),
        "commit": commit(),
        "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": machine() | configure_threads(args, wanted),
    }
    config, vectorizer, matrix, names, data, texts = load_data(args.train_limit)
    tokens = int(sum(len(x) for x in data["train"][0]))
    results["data"] = {split: len(ids) for split, (ids, _) in data.items()} | {
        "train_tokens": tokens
    }
    log(f"data: {results['data']}")
    needs_models = not {"training", "inference", "cold"} <= skip
    systems = {}
    if needs_models:
        maxlen = args.maxlen or config.max_length
        systems = make_systems(
            wanted,
            config,
            vectorizer,
            matrix,
            names,
            data,
            maxlen,
            torch_process=args.torch_process,
            torch_threads=args.torch_threads,
        )
    if "training" not in skip:
        results["training"] = run_training(systems, args.rounds, tokens, log)
        results["comparisons"] = {
            "training": compare_training(results["training"])
        }
    else:
        for system in systems.values():
            system.epoch()
    if "tfidf" not in skip:
        results["tfidf"] = tfidf_baseline(texts, names, data)
    run = (
        write_run(systems["seqkit"], config, work / "run") if systems else None
    )
    if run is not None and ("inference" not in skip or args.serving):
        inference_sections(args, results, systems, vectorizer, texts, run)
        if "inference" in results:
            results.setdefault("comparisons", {})["inference"] = (
                compare_inference(results["inference"]["paths"])
            )
    if "cold" not in skip:
        results["cold_start"] = cold_start(run)
        log(f"cold start: {results['cold_start']}")
    if "deep" not in skip:
        results["deep"] = run_deep(
            args.rounds, any(s.startswith("torch") for s in wanted), log
        )
    if "gpu" not in skip:
        results["gpu"] = run_gpu(args.rounds)
        log(f"gpu: {results['gpu']}")
    for system in systems.values():
        if hasattr(system, "close"):
            system.close()
    write_results(results, work / "results.json")
    if args.out:
        write_results(results, args.out)
    print(table(results))


if __name__ == "__main__":
    main()
