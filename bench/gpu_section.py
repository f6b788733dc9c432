"""The GPU section of the performance suite, on any Keras backend.

For each recurrent configuration it reports whether seqkit's layers take
the fused cuDNN kernel (`seqkit.layers.cudnn_eligibility`, and the kernel
calls the backend actually made), the training-step time against the same
model built with `use_cudnn=False`, and the largest output difference
between the two paths on the same weights.

    KERAS_BACKEND=torch python bench/gpu_section.py --repeats 20 --out r.json

On the torch backend the evidence that cuDNN ran is PyTorch's profiler:
the count of `aten::_cudnn_rnn` operations (forward) and their backward in
one training step. Elsewhere that column is left empty and the step times
say what happened. With no GPU visible it reports that and stops.

The deep model is the suite's (`bench/perf_suite.py`, `DEEP`); its
GFLOP/s count only the matrix products.
"""

import argparse
import json
import os
import platform
import statistics
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from perf_suite import (  # noqa: E402
    DEEP,
    deep_flops,
    deep_model,
    train_step_seconds,
)

# name: (cell, stack arguments, at most this fraction of each row is real
# (right padding under a mask; 0 means no mask), dtype policy)
CONFIGS = {
    "lstm": ("lstm", {}, 0.0, "float32"),
    "gru": ("gru", {}, 0.0, "float32"),
    "elman": ("elman", {}, 0.0, "float32"),
    "lstm-recurrent-dropout": (
        "lstm",
        {"recurrent_dropout": 0.1},
        0.0,
        "float32",
    ),
    "lstm-masked": ("lstm", {}, 0.75, "float32"),
    "gru-masked": ("gru", {}, 0.75, "float32"),
    "lstm-mixed-float16": ("lstm", {}, 0.0, "mixed_float16"),
}


def batch(masked):
    rng = np.random.default_rng(0)
    shape = (DEEP["batch"], DEEP["steps"], DEEP["features"])
    x = rng.normal(size=shape).astype("float32")
    if masked:
        # Right padding of random length, at least one real step per row.
        cut = rng.integers(1, int(DEEP["steps"] * masked) + 1, shape[0])
        x[np.arange(DEEP["steps"])[None, :] >= cut[:, None]] = 0.0
    return x, np.zeros((DEEP["batch"],), "float32")


def cudnn_calls(model, x, y):
    """`aten::_cudnn_rnn` forward and backward calls in one step (torch)."""
    import keras

    if keras.config.backend() != "torch":
        return None
    from torch.profiler import ProfilerActivity, profile

    with profile(activities=[ProfilerActivity.CPU]) as prof:
        model.train_on_batch(x, y)
    counts = {"forward": 0, "backward": 0}
    for event in prof.key_averages():
        if event.key == "aten::_cudnn_rnn":
            counts["forward"] += event.count
        elif event.key == "aten::_cudnn_rnn_backward":
            counts["backward"] += event.count
    return counts


def eligibility(stack, masked, x):
    from seqkit.layers import cudnn_eligibility

    mask = np.any(x != 0.0, axis=-1) if masked else None
    rows = []
    for rnn in stack.rnn_layers:
        for layer in (rnn.forward_layer, rnn.backward_layer):
            eligible, reasons = cudnn_eligibility(layer, mask=mask)
            rows.append(
                {"layer": layer.name, "eligible": eligible, "reasons": reasons}
            )
    return rows


def run_config(name, repeats):

    cell, arguments, masked, policy = CONFIGS[name]
    x, y = batch(masked)
    fused, stack, fused_sequences = deep_model(
        policy, cell, masked, "auto", **arguments
    )
    generic, _, generic_sequences = deep_model(
        policy, cell, masked, False, **arguments
    )
    generic.set_weights(fused.get_weights())
    # Every step's output of the stack, so that a step order or a direction
    # that differs cannot hide in an average.
    difference = largest_difference(fused_sequences(x), generic_sequences(x))
    layers = eligibility(stack, masked, x)
    calls = cudnn_calls(fused, x, y)
    # Interleaved, so drift in clocks or load hits both alike.
    fused_times, generic_times = [], []
    for _ in range(3):
        fused_times.append(train_step_seconds(fused, x, y, repeats))
        generic_times.append(train_step_seconds(generic, x, y, repeats))
    fused_s = statistics.median(fused_times)
    generic_s = statistics.median(generic_times)
    return {
        "config": name,
        "eligible_layers": sum(row["eligible"] for row in layers),
        "layers": len(layers),
        "reasons": sorted({r for row in layers for r in row["reasons"]}),
        "cudnn_calls": calls,
        "auto_step_s": round(fused_s, 5),
        "generic_step_s": round(generic_s, 5),
        "speedup": round(generic_s / fused_s, 2),
        "auto_gflops": round(deep_flops() / fused_s / 1e9, 1),
        "max_output_difference": difference,
    }


def largest_difference(a, b):
    import keras

    a = keras.ops.convert_to_numpy(keras.ops.cast(a, "float32"))
    b = keras.ops.convert_to_numpy(keras.ops.cast(b, "float32"))
    return float(np.max(np.abs(a - b)))


def layer_checks():
    """One layer of each kind and direction, fused against the loop.

    Keras's own layer is checked beside seqkit's, so that a difference can
    be put down to the backend's kernel or to seqkit.
    """
    import keras

    import seqkit.layers

    x = np.random.default_rng(2).normal(size=(8, 12, 16)).astype("float32")
    rows = []
    for family, module in (("seqkit", seqkit.layers), ("keras", keras.layers)):
        for kind in ("LSTM", "GRU"):
            for backwards in (False, True):
                settings = {
                    "return_sequences": True,
                    "return_state": True,
                    "go_backwards": backwards,
                }
                fused = getattr(module, kind)(32, **settings)
                generic = getattr(module, kind)(32, use_cudnn=False, **settings)
                fused(x)
                generic(x)
                generic.set_weights(fused.get_weights())
                got, want = fused(x), generic(x)
                rows.append(
                    {
                        "layer": f"{family}.{kind}",
                        "go_backwards": backwards,
                        "sequence_difference": largest_difference(
                            got[0], want[0]
                        ),
                        "state_difference": max(
                            largest_difference(g, w)
                            for g, w in zip(got[1:], want[1:])
                        ),
                    }
                )
    return rows


def device_name():
    import keras

    backend = keras.config.backend()
    if backend == "torch":
        import torch

        return torch.cuda.get_device_name(0)
    if backend == "jax":
        import jax

        return str(jax.devices("gpu")[0].device_kind)
    import tensorflow as tf

    gpu = tf.config.list_physical_devices("GPU")[0]
    return tf.config.experimental.get_device_details(gpu).get(
        "device_name", gpu.name
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--configs", default=",".join(CONFIGS))
    parser.add_argument("--out", type=Path)
    parser.add_argument(
        "--no-tf32",
        action="store_true",
        help="torch: turn TensorFloat-32 off in cuDNN and matrix products "
        "(PyTorch lets cuDNN use it by default)",
    )
    parser.add_argument(
        "--anyway",
        action="store_true",
        help="measure even with no GPU visible (to check the script)",
    )
    args = parser.parse_args(argv)
    configs = [name for name in args.configs.split(",") if name]
    unknown = set(configs) - set(CONFIGS)
    if unknown:
        parser.error(
            f"unknown --configs {sorted(unknown)}; known: {list(CONFIGS)}"
        )

    report = measure(
        configs,
        args.repeats,
        no_tf32=args.no_tf32,
        anyway=args.anyway,
        out=args.out,
        log=lambda item: print(json.dumps(item), flush=True),
    )
    if report["ran"]:
        print(table(report))
    return report


def measure(configs, repeats, no_tf32=False, anyway=False, out=None, log=None):
    """The section's report: `{"ran": False, "reason": ...}` without a GPU."""
    import keras

    from seqkit.layers.rnn.fused import gpu_visible

    log = log or (lambda item: None)
    report = {
        "backend": keras.config.backend(),
        "keras": keras.__version__,
        "python": platform.python_version(),
        "model": DEEP,
        "gflop_per_step": round(deep_flops() / 1e9, 2),
        "command": " ".join(
            [f"KERAS_BACKEND={keras.config.backend()}", "python"] + sys.argv
        ),
    }
    if not gpu_visible() and not anyway:
        report["ran"] = False
        report["reason"] = "no GPU is visible"
        log(report)
        return report
    report["ran"] = True
    report["device"] = device_name() if gpu_visible() else platform.processor()
    if report["backend"] == "torch":
        import torch

        if no_tf32:
            torch.backends.cudnn.allow_tf32 = False
            torch.backends.cuda.matmul.allow_tf32 = False
        report["cudnn_tf32"] = torch.backends.cudnn.allow_tf32
        report["torch"] = torch.__version__
        report["cudnn"] = torch.backends.cudnn.version()
    log(report)
    report["layer_checks"] = layer_checks()
    log(report["layer_checks"])
    report["results"] = []
    for name in configs:
        try:
            result = run_config(name, repeats)
        except Exception as error:  # noqa: BLE001 - recorded, next config
            result = {
                "config": name,
                "error": f"{type(error).__name__}: {error}",
            }
        log(result)
        report["results"].append(result)
        if out:
            out.write_text(json.dumps(report))
    return report


def table(report):
    lines = [
        f"{report['device']}, Keras {report['keras']} ({report['backend']})",
        "",
        "| configuration | layers eligible | cuDNN calls (fwd/bwd) | "
        "step, auto (ms) | step, use_cudnn=False (ms) | speed-up | "
        "max output diff |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in report["results"]:
        if "error" in r:
            lines.append(f"| {r['config']} | failed: {r['error'][:200]} |")
            continue
        calls = r["cudnn_calls"]
        calls = f"{calls['forward']}/{calls['backward']}" if calls else "-"
        lines.append(
            f"| {r['config']} | {r['eligible_layers']}/{r['layers']} | "
            f"{calls} | {r['auto_step_s'] * 1e3:.2f} | "
            f"{r['generic_step_s'] * 1e3:.2f} | {r['speedup']}x | "
            f"{r['max_output_difference']:.1e} |"
        )
    reasons = {
        r["config"]: r["reasons"] for r in report["results"] if r.get("reasons")
    }
    for config, why in reasons.items():
        lines.append(f"- {config}: " + "; ".join(why))
    lines += [
        "",
        "| layer (8 x 12 x 16 -> 32) | go_backwards | max sequence diff | "
        "max state diff |",
        "|---|---|---|---|",
    ]
    for r in report.get("layer_checks", []):
        lines.append(
            f"| {r['layer']} | {r['go_backwards']} | "
            f"{r['sequence_difference']:.1e} | {r['state_difference']:.1e} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    main()
