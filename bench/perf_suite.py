"""Performance suite: seqkit against the baselines users would pick.

Usage:
    python bench/perf_suite.py --work runs/perf [--rounds 5] [--skip ...]
        [--train-limit N] [--serving]

One run measures, side by side on this machine:

1. Training, the sentiment task on the bundled Rotten Tomatoes split (real
   lengths): the seqkit default single model (BiLSTM-128, GloVe 6B-50d,
   max+mean pooling; `seqkit train sentiment --ensemble 1`) against
   (a) the same model as a plain Keras 3 script in the style of the
   keras.io IMDB LSTM example (texts padded to a fixed length with
   `pad_sequences`, no masking), (b) the same model in PyTorch, padded
   per batch and packed (`bench/perf_torch.py`). All read the same token
   ids and start from the same word vectors. Each round trains every
   system one epoch, in an order that rotates each round; the table gives
   the median epoch of `--rounds` rounds, real (unpadded) training tokens
   per second, the ratios, and the test accuracy at each system's best
   validation round. TF-IDF + logistic regression gives the quality
   reference.
2. Inference on raw strings: the seqkit export (SavedModel, tokenization
   in the graph) against the PyTorch padded model in eager mode with
   Python tokenization, on the test texts, in batches of 64 and one text
   at a time (medians of `--rounds` interleaved repeats).
3. Command-line cold start: `seqkit --help` and `seqkit predict RUN TEXT`
   in fresh processes (medians of 5).
4. The deep model: a 2-layer BiLSTM-512 training step (batch 64, 64
   steps) in GFLOP/s against the measured fp32 matrix-product peak of
   this machine, seqkit beside PyTorch.

TensorFlow runs with seqkit's training threads (`--tf-threads seqkit`:
half the cores per op, as `seqkit train` sets for bidirectional models);
the plain Keras baseline shares the process, so it gets them too, which
can only narrow seqkit's lead over it. PyTorch uses 2 threads.
5. With `--serving`: `bench/serve_load.py` on the export (one round).
6. Where a GPU is visible: `bench/gpu_section.py` for the LSTM and GRU
   deep models (whether each layer takes the cuDNN kernel, its training
   step against `use_cudnn=False`, the outputs of both paths); elsewhere
   the report says it did not run. On a GPU machine without TensorFlow,
   run that script alone on Keras's torch or jax backend.

Results go to `WORK/results.json` and a Markdown table to stdout.
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

SYSTEMS = ("seqkit", "keras-plain", "torch-padded", "torch-packed")


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


class SeqkitSystem:
    """The seqkit default single model, trained as `fit_member` trains it."""

    def __init__(self, config, vectorizer, matrix, names, data):
        import keras

        from seqkit.data.pipelines import bucketed_dataset
        from seqkit.models.sentiment import build_classifier
        from seqkit.training.ensemble import compiled_ids_model

        keras.utils.set_random_seed(config.seed)
        self.classifier = build_classifier(
            config, vectorizer, names, matrix, seed=config.seed
        )
        self.model = compiled_ids_model(self.classifier, config)
        self.train = bucketed_dataset(
            *data["train"], config.batch_size, shuffle=True, seed=config.seed
        )
        self.eval = {
            name: bucketed_dataset(*data[name], 256)
            for name in ("valid", "test")
        }

    def epoch(self):
        from seqkit.training.callbacks import unknown_length_fit

        started = time.perf_counter()
        with unknown_length_fit():
            self.model.fit(self.train, epochs=1, verbose=0, shuffle=False)
        return time.perf_counter() - started

    def accuracy(self, split):
        return float(
            self.model.evaluate(self.eval[split], verbose=0, return_dict=True)[
                "accuracy"
            ]
        )


class KerasPlainSystem:
    """The keras.io IMDB example's way: fixed length, padded, no mask."""

    def __init__(self, config, matrix, names, data, maxlen):
        import keras
        from keras import layers

        keras.utils.set_random_seed(config.seed)
        self.maxlen = maxlen
        self.x = {
            split: keras.utils.pad_sequences(ids, maxlen=maxlen)
            for split, (ids, _) in data.items()
        }
        self.y = {split: labels for split, (_, labels) in data.items()}
        inputs = keras.Input((None,), dtype="int32")
        x = layers.Embedding(
            matrix.shape[0],
            matrix.shape[1],
            embeddings_initializer=keras.initializers.Constant(matrix),
        )(inputs)
        x = layers.SpatialDropout1D(0.3)(x)
        x = layers.Bidirectional(
            layers.LSTM(config.units, return_sequences=True)
        )(x)
        x = layers.Concatenate()(
            [layers.GlobalMaxPooling1D()(x), layers.GlobalAveragePooling1D()(x)]
        )
        x = layers.Dropout(0.5)(x)
        outputs = layers.Dense(len(names), activation="softmax")(x)
        self.model = keras.Model(inputs, outputs)
        self.model.compile(
            optimizer=keras.optimizers.Adam(config.learning_rate, clipnorm=5.0),
            loss="sparse_categorical_crossentropy",
            metrics=["accuracy"],
        )
        self.batch_size = config.batch_size

    def epoch(self):
        started = time.perf_counter()
        self.model.fit(
            self.x["train"],
            self.y["train"],
            batch_size=self.batch_size,
            epochs=1,
            shuffle=True,
            verbose=0,
        )
        return time.perf_counter() - started

    def accuracy(self, split):
        result = self.model.evaluate(
            self.x[split],
            self.y[split],
            batch_size=256,
            verbose=0,
            return_dict=True,
        )
        return float(result["accuracy"])


def make_systems(wanted, config, vectorizer, matrix, names, data, maxlen):
    systems = {}
    for name in wanted:
        if name == "seqkit":
            systems[name] = SeqkitSystem(
                config, vectorizer, matrix, names, data
            )
        elif name == "keras-plain":
            systems[name] = KerasPlainSystem(
                config, matrix, names, data, maxlen
            )
        else:
            from perf_torch import TorchSystem, configure

            configure()
            systems[name] = TorchSystem(
                data,
                matrix,
                len(names),
                packed=name == "torch-packed",
                seed=config.seed,
                units=config.units,
                batch=config.batch_size,
            )
    return systems


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


def run_inference(exports, torch_system, vectorizer, texts, rounds, log):
    """Texts/s of each export (name -> folder) and of PyTorch eager."""
    import tensorflow as tf
    from perf_torch import TorchPredictor

    words = vectorizer.get_vocabulary()  # "", "[UNK]", then the words
    torch_predict = TorchPredictor(
        torch_system.model, words, vectorizer.max_length
    )

    def predictor(folder):
        serve = tf.saved_model.load(str(folder)).signatures["serving_default"]

        def predict(batch):
            return serve(text=tf.constant(batch))["probabilities"].numpy()

        return predict

    batches = [texts[i : i + 64] for i in range(0, len(texts), 64)]
    singles = [[text] for text in texts[:300]]
    systems = {name: predictor(folder) for name, folder in exports.items()}
    systems["torch-eager"] = torch_predict
    seqkit_predict = systems["seqkit-export"]
    for predict in systems.values():  # warm-up: traces, allocations
        for batch in batches[:3] + singles[:20]:
            predict(batch)
    timings = {name: {"batch64": [], "batch1": []} for name in systems}
    for round_index in range(rounds):
        order = list(systems)
        if round_index % 2:
            order.reverse()
        for name in order:
            for kind, items in (("batch64", batches), ("batch1", singles)):
                started = time.perf_counter()
                for batch in items:
                    systems[name](batch)
                elapsed = time.perf_counter() - started
                timings[name][kind].append(sum(len(b) for b in items) / elapsed)
        log(f"inference round {round_index + 1}/{rounds} done")
    result = {
        name: {kind: round(median(v), 1) for kind, v in kinds.items()}
        for name, kinds in timings.items()
    }
    if "seqkit-export-no-xla" in systems:
        # XLA must not change the answers (padding is masked).
        plain = systems["seqkit-export-no-xla"]
        result["xla_max_probability_difference"] = float(
            max(
                np.abs(seqkit_predict(b) - plain(b)).max()
                for b in batches[:5] + singles[:20]
            )
        )
    return result


def cold_start(run, rounds=5):
    seqkit = shutil.which("seqkit") or f"{sys.executable} -m seqkit"
    commands = {
        "seqkit --help": [seqkit, "--help"],
        "seqkit predict RUN TEXT": [
            seqkit,
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
        from perf_torch import configure, deep_step_seconds

        configure()
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


# -- report ------------------------------------------------------------


def _section(header, rows):
    """A Markdown table: the header's cells, a rule, the rows, a blank."""
    rule = "|" + "---|" * (header.count("|") + 1)
    return ["| " + header + " |", rule, *rows, ""]


def _training_rows(results):
    training = results["training"]
    seq = training.get("seqkit", {}).get("median_epoch_seconds")
    rows = []
    for name, r in training.items():
        ratio = r["median_epoch_seconds"] / seq if seq else float("nan")
        rows.append(
            f"| {name} | {r['median_epoch_seconds']:.2f} | "
            f"{r['tokens_per_second']:,} | {ratio:.2f}x | "
            f"{r['best_valid']:.4f} | {r['test_at_best_valid']:.4f} |"
        )
    if "tfidf" in results:
        t = results["tfidf"]
        rows.append(
            f"| TF-IDF + LR (C={t['C']}) | {t['seconds']} (fit) | | | "
            f"{t['valid']:.4f} | {t['test']:.4f} |"
        )
    return rows


def _inference_rows(inference):
    names = ("seqkit-export", "seqkit-export-no-xla", "torch-eager")
    rows = [
        f"| {name} | {inference[name]['batch64']:,} | "
        f"{inference[name]['batch1']:,} |"
        for name in names
        if name in inference
    ]
    s, t = inference["seqkit-export"], inference["torch-eager"]
    rows.append(
        f"| ratio seqkit / torch | {s['batch64'] / t['batch64']:.2f}x | "
        f"{s['batch1'] / t['batch1']:.2f}x |"
    )
    return rows


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


def table(results):
    """The results as Markdown tables, one per section that ran."""
    lines = []
    if results.get("training"):
        lines += _section(
            "training system | median epoch (s) | tokens/s | seqkit "
            "speed-up | best valid | test at best valid",
            _training_rows(results),
        )
    if results.get("inference"):
        lines += _section(
            "inference on raw strings | texts/s, batches of 64 | texts/s, "
            "one at a time",
            _inference_rows(results["inference"]),
        )
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
    deep = results.get("deep")
    if deep:
        lines += [
            f"Deep model {deep['model']} training step, "
            f"{deep['gflop_per_step']} GFLOP; measured peaks: fp32 "
            f"{deep['fp32_peak_gflops']} GFLOP/s, bf16 "
            f"{deep['bf16_peak_gflops']} GFLOP/s.",
            "",
        ]
        lines += _section(
            "deep model | step (s) | GFLOP/s | of fp32 peak", _deep_rows(deep)
        )
    gpu = results.get("gpu")
    if gpu and not gpu["ran"]:
        lines += [f"GPU section: not run ({gpu['reason']}).", ""]
    elif gpu:
        import gpu_section

        lines += [gpu_section.table(gpu), ""]
    return "\n".join(lines)


def machine():
    import tensorflow as tf

    info = {
        "python": platform.python_version(),
        "tensorflow": tf.__version__,
        "cpus": os.cpu_count(),
        "processor": platform.processor() or platform.machine(),
    }
    try:
        import torch

        info["torch"] = torch.__version__
    except ImportError:
        pass
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    info["processor"] = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return info


def main():
    import warnings

    # Length bucketing gives datasets of unknown length; Keras warns at the
    # end of every such epoch.
    warnings.filterwarnings("ignore", message="Your input ran out of data")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", required=True, help="a folder for results")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--systems",
        default=",".join(SYSTEMS),
        help="training systems, comma-separated",
    )
    parser.add_argument(
        "--skip",
        default="",
        help="sections to leave out: training,tfidf,inference,cold,deep,gpu",
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
        "--tf-threads",
        choices=["seqkit", "default"],
        default="seqkit",
        help="TensorFlow's intra-op threads: seqkit's training setting for "
        "bidirectional models (half the cores; `seqkit train` applies it), "
        "which the plain Keras baseline then shares, or TensorFlow's "
        "default (every core)",
    )
    args = parser.parse_args()
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    skip = {s for s in args.skip.split(",") if s}
    wanted = [s for s in args.systems.split(",") if s]
    unknown = sorted(set(wanted) - set(SYSTEMS))
    if unknown:
        parser.error(f"unknown systems {unknown}; choose from {SYSTEMS}")

    def log(message):
        print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)

    results = {"machine": machine(), "command": " ".join(sys.argv)}
    # Before TensorFlow runs an op: it fixes its thread pools then.
    if args.tf_threads == "seqkit":
        from seqkit.environment import configure_training_threads

        configure_training_threads(True)
    import tensorflow as tf

    results["machine"]["tf_intra_op_threads"] = (
        tf.config.threading.get_intra_op_parallelism_threads() or "default"
    )
    config, vectorizer, matrix, names, data, texts = load_data(args.train_limit)
    tokens = int(sum(len(x) for x in data["train"][0]))
    results["data"] = {split: len(ids) for split, (ids, _) in data.items()} | {
        "train_tokens": tokens
    }
    log(f"data: {results['data']}")
    maxlen = args.maxlen or config.max_length
    needs_models = (
        "training" not in skip or "inference" not in skip or "cold" not in skip
    )
    if "inference" not in skip or "cold" not in skip:
        for needed in ("seqkit", "torch-padded"):
            if needed not in wanted:
                wanted.append(needed)
    systems = {}
    if needs_models:
        systems = make_systems(
            wanted, config, vectorizer, matrix, names, data, maxlen
        )
    if "training" not in skip:
        results["training"] = run_training(systems, args.rounds, tokens, log)
    else:
        for system in systems.values():
            system.epoch()
    if "tfidf" not in skip:
        results["tfidf"] = tfidf_baseline(texts, names, data)
    run = None
    if systems:
        run = write_run(systems["seqkit"], config, work / "run")
    if run is not None and ("inference" not in skip or args.serving):
        from seqkit.serving.export import export_run

        base = work / "export"
        shutil.rmtree(base, ignore_errors=True)
        exported = export_run(run, base)
        exports = {"seqkit-export": exported.path}
        if "inference" not in skip:
            plain = work / "export-no-xla"
            shutil.rmtree(plain, ignore_errors=True)
            exports["seqkit-export-no-xla"] = export_run(
                run, plain, xla=False
            ).path
            results["inference"] = run_inference(
                exports,
                systems["torch-padded"],
                vectorizer,
                texts["test"],
                args.rounds,
                log,
            )
        if args.serving:
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
            results["serving"] = json.loads(out.read_text(encoding="utf-8"))
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
    (work / "results.json").write_text(
        json.dumps(results, indent=2), encoding="utf-8"
    )
    print(table(results))


if __name__ == "__main__":
    main()
