"""What each tensor a SavedModel signature captures costs its caller.

A signature's function takes, beside its own inputs, every tensor it
captured when traced (variable handles, lookup tables, eager constants),
and TensorFlow's Python client binds them all again on every call. This
saves SavedModels whose signatures are the same small string function
but read 0, 4, 16 and 32 variables, loads them in one process and times
single calls side by side (the order reversed every round), the way
`bench/perf_suite.py` calls the export one text at a time.

    python bench/capture_cost.py [--rounds 9] [--calls 1000]

It prints microseconds a call for each count and the slope per captured
tensor (a least-squares line through the medians).
"""

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

COUNTS = (0, 4, 16, 32)


def save_module(folder, count):
    """A SavedModel whose `serving_default` reads `count` variables."""
    import tensorflow as tf

    module = tf.Module()
    module.weights = [tf.Variable([float(i)]) for i in range(count)]

    @tf.function(input_signature=[tf.TensorSpec([None], tf.string)])
    def serve(text):
        value = tf.cast(tf.strings.length(text), tf.float32)
        for weight in module.weights:
            value = value + weight[0]
        return {"value": value}

    tf.saved_model.save(
        module, str(folder), signatures={"serving_default": serve}
    )
    return folder


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--calls", type=int, default=1000)
    args = parser.parse_args()

    from seqkit.environment import configure_training_threads

    configure_training_threads(True)  # the suite's threads
    import numpy as np
    import tensorflow as tf

    with tempfile.TemporaryDirectory() as work:
        signatures = {}
        for count in COUNTS:
            folder = save_module(Path(work) / str(count), count)
            loaded = tf.saved_model.load(str(folder))
            signatures[count] = loaded.signatures["serving_default"]
            captured = len(signatures[count].captured_inputs)
            if captured != count:
                sys.exit(f"{count} variables gave {captured} captured inputs")
        text = tf.constant(["a gripping, funny and humane film"])
        for signature in signatures.values():
            for _ in range(50):
                signature(text=text)
        times = {count: [] for count in COUNTS}
        for round_index in range(args.rounds):
            order = list(COUNTS) if round_index % 2 == 0 else COUNTS[::-1]
            for count in order:
                signature = signatures[count]
                started = time.perf_counter()
                for _ in range(args.calls):
                    signature(text=text)
                elapsed = time.perf_counter() - started
                times[count].append(elapsed / args.calls * 1e6)
    medians = [statistics.median(times[count]) for count in COUNTS]
    slope = float(np.polyfit(COUNTS, medians, 1)[0])
    print("| captured tensors | microseconds a call |")
    print("|---|---|")
    for count, median in zip(COUNTS, medians):
        print(f"| {count} | {median:.1f} |")
    print(f"slope: {slope:.2f} microseconds per captured tensor")


if __name__ == "__main__":
    main()
