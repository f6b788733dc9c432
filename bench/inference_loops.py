"""Ways to run a BiLSTM's inference loops in TensorFlow, against PyTorch.

The export's network for a batch of texts is the Keras graph: a
`tf.while_loop` per direction, which TensorFlow runs side by side on the
two cores. This script measures that against loops written for inference
only, on one batch of the bundled test split's real lengths (64 texts,
padded to the longest), all computing the same outputs (checked):

- `keras`: the Keras layers in a `tf.function` (what the export runs);
- `xla-padded`: each direction its own `tf.function(jit_compile=True)`
  (input projection hoisted out of the loop, masked steps keep the
  state), so the two compiled loops can run in parallel;
- `xla-packed`: as `xla-padded`, with the rows sorted by length and each
  step computing only rows still running, in phases of 64, 32, 16, ...
  rows (XLA needs static shapes), so the products cover about the real
  tokens instead of the padded ones;
- `torch`: `torch.nn.LSTM(bidirectional=True)` on the padded batch, eager,
  `torch.inference_mode()`, 2 threads (when torch is installed).

    python bench/inference_loops.py [--batch 0] [--threads 1]

Prints milliseconds per batch (medians of 7 repeats of 20 calls).
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

UNITS, FEATURES = 128, 50


def test_lengths():
    """Token counts of the bundled test split, in file order."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from perf_suite import load_data

    *_, data, _ = load_data()
    return np.array([len(ids) for ids in data["test"][0]])


def step(tf, xp, h, c, recurrent):
    z = xp + tf.matmul(h, recurrent)
    i, f, g, o = tf.split(z, 4, axis=-1)
    c = tf.sigmoid(f) * c + tf.sigmoid(i) * tf.tanh(g)
    return tf.sigmoid(o) * tf.tanh(c), c


def padded_direction(tf, x, lengths, kernel, recurrent, bias, reverse):
    """One direction over right-padded rows; outputs zero past a row's end."""
    steps = tf.shape(x)[1]
    mask = tf.transpose(tf.sequence_mask(lengths, steps))[..., None]
    xp = tf.einsum("btd,dg->tbg", x, kernel) + bias
    if reverse:
        xp, mask = tf.reverse(xp, [0]), tf.reverse(mask, [0])
    h = tf.zeros((tf.shape(x)[0], UNITS))
    outputs = tf.TensorArray(tf.float32, size=steps)

    def body(t, h, c, outputs):
        h_new, c_new = step(tf, xp[t], h, c, recurrent)
        keep = mask[t]
        outputs = outputs.write(t, tf.where(keep, h_new, 0.0))
        return (
            t + 1,
            tf.where(keep, h_new, h),
            tf.where(keep, c_new, c),
            outputs,
        )

    *_, outputs = tf.while_loop(
        lambda t, *_: t < steps, body, (0, h, tf.zeros_like(h), outputs)
    )
    outputs = outputs.stack()
    if reverse:
        outputs = tf.reverse(outputs, [0])
    return tf.transpose(outputs, [1, 0, 2])


def packed_direction(tf, x, lengths, kernel, recurrent, bias, reverse):
    """One direction computing only the rows still running at each step."""
    rows = x.shape[0]
    if reverse:  # each row's own end first
        x = tf.reverse_sequence(x, lengths, seq_axis=1, batch_axis=0)
    order = tf.argsort(-lengths, stable=True)
    sorted_lengths = tf.gather(lengths, order)
    xp = tf.einsum("btd,dg->tbg", tf.gather(x, order), kernel) + bias
    h = tf.zeros((rows, UNITS))
    c = tf.zeros((rows, UNITS))
    outputs = tf.zeros((x.shape[1], rows, UNITS))
    phases = []
    size = rows
    while size >= 1:
        phases.append(size)
        size //= 2
    for size in phases:
        # Steps at which more than size // 2 and at most `size` rows run.
        start = sorted_lengths[size] if size < rows else 0
        end = sorted_lengths[size // 2] if size > 1 else sorted_lengths[0]
        running = sorted_lengths[:size]

        def body(t, h_part, c_part, outputs, size=size, running=running):
            h_new, c_new = step(tf, xp[t, :size], h_part, c_part, recurrent)
            keep = (t < running)[:, None]
            # (Static shapes for the one-row phase, which slicing loses.)
            h_new = tf.ensure_shape(tf.where(keep, h_new, h_part), h_part.shape)
            c_new = tf.ensure_shape(tf.where(keep, c_new, c_part), c_part.shape)
            row = tf.pad(tf.where(keep, h_new, 0.0), [[0, rows - size], [0, 0]])
            outputs = tf.tensor_scatter_nd_update(outputs, [[t]], row[None])
            return t + 1, h_new, c_new, outputs

        _, h_part, c_part, outputs = tf.while_loop(
            lambda t, *_, end=end: t < end,
            body,
            (start, h[:size], c[:size], outputs),
        )
        h = tf.concat([h_part, h[size:]], 0)
        c = tf.concat([c_part, c[size:]], 0)
    outputs = tf.gather(outputs, tf.math.invert_permutation(order), axis=1)
    outputs = tf.transpose(outputs, [1, 0, 2])
    if reverse:
        outputs = tf.reverse_sequence(
            outputs, lengths, seq_axis=1, batch_axis=0
        )
    return outputs


def timed(fn, *args):
    fn(*args)
    runs = []
    for _ in range(7):
        started = time.perf_counter()
        for _ in range(20):
            fn(*args)
        runs.append((time.perf_counter() - started) / 20 * 1000)
    return statistics.median(runs)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=0, help="which 64 texts")
    parser.add_argument("--threads", type=int, default=1, help="intra-op")
    args = parser.parse_args()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(args.threads)
    import keras

    lengths = test_lengths()[args.batch * 64 : args.batch * 64 + 64]
    steps = int(lengths.max())
    rng = np.random.default_rng(0)
    x = tf.constant(rng.normal(size=(len(lengths), steps, FEATURES)), "float32")
    lengths_t = tf.constant(lengths, tf.int32)
    layer = keras.layers.Bidirectional(
        keras.layers.LSTM(UNITS, return_sequences=True)
    )
    layer(x, mask=tf.sequence_mask(lengths_t, steps))

    def weights(direction):
        cell = direction.cell
        return cell.kernel, cell.recurrent_kernel, cell.bias

    def per_direction(loop):
        def compiled(direction, reverse):
            return tf.function(
                lambda x, n: loop(tf, x, n, *weights(direction), reverse),
                jit_compile=True,
                autograph=False,
            )

        forward = compiled(layer.forward_layer, False)
        backward = compiled(layer.backward_layer, True)
        return tf.function(
            lambda x, n: tf.concat([forward(x, n), backward(x, n)], -1),
            autograph=False,
        )

    systems = {
        "keras": tf.function(
            lambda x, n: layer(x, mask=tf.sequence_mask(n, tf.shape(x)[1])),
            autograph=False,
        ),
        "xla-padded": per_direction(padded_direction),
        "xla-packed": per_direction(packed_direction),
    }
    reference = systems["keras"](x, lengths_t).numpy()
    print(
        f"64 texts, {steps} steps, real/padded tokens "
        f"{lengths.sum() / lengths.size / steps:.2f}, "
        f"{args.threads} intra-op thread(s)"
    )
    for name, fn in systems.items():
        difference = np.abs(fn(x, lengths_t).numpy() - reference).max()
        assert difference < 1e-5, (name, difference)
        print(f"{name:11s} {timed(fn, x, lengths_t):6.2f} ms")
    try:
        import torch
    except ImportError:
        print("torch       not installed")
        return
    torch.set_num_threads(2)
    torch.set_flush_denormal(True)
    model = torch.nn.LSTM(FEATURES, UNITS, batch_first=True, bidirectional=True)
    batch = torch.from_numpy(x.numpy())
    with torch.inference_mode():
        print(f"torch       {timed(model.eval(), batch):6.2f} ms")


if __name__ == "__main__":
    main()
