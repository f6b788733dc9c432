"""seqkit's packed cuDNN path for masked batches on Keras's torch backend.

Runs in a subprocess with `KERAS_BACKEND=torch`, where PyTorch is
installed (the benchmark's environment; CI's has no PyTorch and skips).
A pretended GPU sends the layers down the packed path, which PyTorch runs
on its CPU kernel here: outputs, final states and weight gradients must be
the generic loop's, and masks the kernel cannot take must not reach it.
"""

import importlib.util
import json
import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("torch") is None, reason="needs PyTorch"
)

CHECK = r"""
import json
import numpy as np
import keras
import torch
import seqkit.layers as L
from seqkit.layers.rnn import fused, torch_packed

fused.gpu_visible = lambda: True  # the packed path runs on CPU too
calls = []
real_run = torch_packed.run


def spy(*args, **kwargs):
    calls.append(1)
    return real_run(*args, **kwargs)


torch_packed.run = spy
rng = np.random.default_rng(0)
x = rng.normal(size=(4, 6, 3)).astype("float32")
masks = {
    "right-padded": np.arange(6)[None] < np.array([6, 3, 1, 4])[:, None],
    "left-padded": np.arange(6)[None] >= np.array([0, 3, 5, 2])[:, None],
    "empty row": np.arange(6)[None] < np.array([6, 3, 0, 4])[:, None],
}


def numpy(t):
    return keras.ops.convert_to_numpy(t)


def gradients(layer, mask):
    out = layer(x, mask=mask)[0]
    # Weighted by position, so outputs in the wrong place change the loss.
    weights = torch.arange(out.numel(), dtype=out.dtype, device=out.device)
    loss = (out * weights.reshape(out.shape)).sum() / out.numel()
    variables = [w.value for w in layer.trainable_weights]
    grads = torch.autograd.grad(loss, variables)
    return [g.detach().cpu().numpy() for g in grads]


results = []
for name, mask in masks.items():
    for cls in (L.LSTM, L.GRU):
        for backwards in (False, True):
            for sequences in (True, False):
                settings = dict(
                    return_sequences=sequences,
                    return_state=True,
                    go_backwards=backwards,
                )
                a, b = cls(5, **settings), cls(5, use_cudnn=False, **settings)
                a(x)
                b(x)
                b.set_weights(a.get_weights())
                before = len(calls)
                got, want = a(x, mask=mask), b(x, mask=mask)
                results.append(
                    {
                        "mask": name,
                        "layer": cls.__name__,
                        "go_backwards": backwards,
                        "return_sequences": sequences,
                        "packed_calls": len(calls) - before,
                        "difference": max(
                            float(np.abs(numpy(g) - numpy(w)).max())
                            for g, w in zip(got, want)
                        ),
                        "gradient_difference": max(
                            float(np.abs(g - w).max())
                            for g, w in zip(
                                gradients(a, mask), gradients(b, mask)
                            )
                        ),
                        "eligible": L.cudnn_eligibility(a, mask=mask)[0],
                    }
                )
# A given initial state reaches the packed kernel (and its sorting).
for cls, count in ((L.LSTM, 2), (L.GRU, 1)):
    a, b = cls(5, return_state=True), cls(5, use_cudnn=False, return_state=True)
    a(x)
    b(x)
    b.set_weights(a.get_weights())
    states = [rng.normal(size=(4, 5)).astype("float32") for _ in range(count)]
    mask = masks["right-padded"]
    before = len(calls)
    got = a(x, mask=mask, initial_state=states)
    want = b(x, mask=mask, initial_state=states)
    results.append(
        {
            "mask": "right-padded, initial state",
            "layer": cls.__name__,
            "packed_calls": len(calls) - before,
            "difference": max(
                float(np.abs(numpy(g) - numpy(w)).max())
                for g, w in zip(got, want)
            ),
            "gradient_difference": 0.0,
            "eligible": True,
        }
    )
print(json.dumps(results))
"""


@pytest.fixture(scope="module")
def results():
    completed = subprocess.run(
        [sys.executable, "-c", CHECK],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "KERAS_BACKEND": "torch"},
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    return json.loads(completed.stdout.strip().splitlines()[-1])


def test_right_padded_batches_run_packed_and_match_the_loop(results):
    packed = [r for r in results if r["mask"].startswith("right-padded")]
    assert len(packed) == 10
    for r in packed:
        assert r["packed_calls"] == 1, r
        assert r["eligible"], r
        assert r["difference"] < 1e-5, r
        assert r["gradient_difference"] < 1e-5, r


@pytest.mark.parametrize("mask", ["left-padded", "empty row"])
def test_other_masks_run_the_generic_loop(results, mask):
    rows = [r for r in results if r["mask"] == mask]
    assert len(rows) == 8
    for r in rows:
        assert r["packed_calls"] == 0, r
        assert not r["eligible"], r
        assert r["difference"] == 0.0, r
