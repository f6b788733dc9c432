"""The performance suite's arithmetic, report and baselines' tokenization."""

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]


def _load(name):
    sys.path.insert(0, str(ROOT / "bench"))
    spec = importlib.util.spec_from_file_location(
        name, ROOT / "bench" / f"{name}.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def test_deep_flops_counts_three_products_per_step():
    suite = _load("perf_suite")
    b, t, d, u = 64, 64, 512, 512
    # Layer 1 reads 512 features, layer 2 both directions of layer 1.
    forward = 2 * b * (d + u) * 4 * u + 2 * b * (2 * u + u) * 4 * u
    assert suite.deep_flops() == 3 * forward * t * 2
    assert suite.deep_flops() / 1e9 == pytest.approx(257.7, abs=0.1)


def test_training_summary_and_table():
    suite = _load("perf_suite")

    class Fake:
        def __init__(self, seconds, valid, test):
            self.seconds, self.valid, self.test = seconds, valid, test
            self.calls = 0

        def epoch(self):
            self.calls += 1
            return self.seconds[self.calls - 1]

        def accuracy(self, split):
            values = self.valid if split == "valid" else self.test
            return values[self.calls - 1]

    systems = {
        "seqkit": Fake([5.0, 2.0, 2.2], [0.70, 0.80, 0.78], [0.69, 0.79, 0.8]),
        "keras-plain": Fake(
            [9.0, 6.6, 6.0], [0.7, 0.75, 0.76], [0.7, 0.7, 0.74]
        ),
    }
    results = suite.run_training(systems, 3, tokens=22000, log=lambda m: None)
    seqkit = results["seqkit"]
    assert seqkit["median_epoch_seconds"] == 2.2
    assert seqkit["tokens_per_second"] == 10000
    # The test figure is the one of the best validation round, not the best.
    assert (seqkit["best_round"], seqkit["test_at_best_valid"]) == (2, 0.79)
    assert results["keras-plain"]["test_at_best_valid"] == 0.74
    text = suite.table({"training": results})
    row = next(r for r in text.splitlines() if r.startswith("| keras-plain"))
    assert "| 3.00x |" in row  # 6.6 s against 2.2 s


def test_run_training_rotates_the_order():
    suite = _load("perf_suite")
    order = []

    class Logged:
        def __init__(self, name):
            self.name = name

        def epoch(self):
            order.append(self.name)
            return 1.0

        def accuracy(self, split):
            return 0.5

    systems = {name: Logged(name) for name in "abc"}
    suite.run_training(systems, 3, tokens=1, log=lambda m: None)
    assert order == list("abcbcacab")


def test_torch_tokenizer_agrees_with_the_seqkit_tokenizer():
    # The inference comparison feeds both sides raw strings: the PyTorch
    # side's Python tokenizer must give (nearly) the ids seqkit's does.
    pytest.importorskip("torch")
    import csv

    perf_torch = _load("perf_torch")
    from seqkit.preprocessing.text_vectorizer import make_tokenizer

    tokenizer = make_tokenizer("word", True, "NFKC")
    text = "Not bad!!! 3.5 stars... well-made, isn't it? (wow) 10/10 -- $5"
    ours = [t.decode() for t in tokenizer(np.array([text])).to_list()[0]]
    assert perf_torch.tokenize(text) == ours
    with open(
        ROOT / "data" / "rt-snippets" / "test.csv", encoding="utf-8"
    ) as f:
        texts = [row["text"] for row in csv.DictReader(f)]
    same = total = 0
    for text, tokens in zip(texts, tokenizer(np.array(texts)).to_list()):
        ours = [t.decode() for t in tokens]
        theirs = perf_torch.tokenize(text)
        same += ours == theirs
        total += 1
    assert same / total >= 0.97


def test_serving_and_deep_rows_in_the_table():
    suite = _load("perf_suite")
    level = {
        "batched": {"throughput": 800.0, "p50_ms": 30.0, "p99_ms": 50.0},
        "per-request": {"throughput": 200.0, "p50_ms": 140.0, "p99_ms": 190.0},
    }
    deep = {
        "model": suite.DEEP,
        "gflop_per_step": 257.7,
        "fp32_peak_gflops": 480.0,
        "bf16_peak_gflops": 900.0,
        "seqkit": {
            "step_seconds": 0.8,
            "gflops": 322.1,
            "fraction_of_fp32_peak": 0.671,
        },
    }
    text = suite.table({"serving": {"levels": {"32": level}}, "deep": deep})
    assert "| batched, 32 concurrent | 800.0 | 30.0 | 50.0 |" in text
    assert "| seqkit | 0.800 | 322.1 | 67% |" in text


def test_gpu_section_says_it_did_not_run_without_a_gpu():
    suite = _load("perf_suite")
    gpu = suite.run_gpu(repeats=1)
    assert gpu == {"ran": False, "reason": "no GPU is visible"}
    assert "GPU section: not run (no GPU is visible)." in suite.table(
        {"gpu": gpu}
    )
    ran = {
        "ran": True,
        "device": "NVIDIA H200",
        "keras": "3.15.1",
        "backend": "torch",
        "results": [
            {
                "config": "lstm",
                "eligible_layers": 4,
                "layers": 4,
                "reasons": [],
                "cudnn_calls": {"forward": 4, "backward": 4},
                "auto_step_s": 0.02,
                "generic_step_s": 0.3,
                "speedup": 15.0,
                "max_output_difference": 2e-4,
            },
            {"config": "gru", "error": "RuntimeError: out of memory"},
        ],
        "layer_checks": [
            {
                "layer": "seqkit.LSTM",
                "go_backwards": True,
                "sequence_difference": 5e-6,
                "state_difference": 4e-6,
            }
        ],
    }
    text = suite.table({"gpu": ran})
    assert "| lstm | 4/4 | 4/4 | 20.00 | 300.00 | 15.0x | 2.0e-04 |" in text
    assert "| gru | failed: RuntimeError: out of memory |" in text
    assert "| seqkit.LSTM | True | 5.0e-06 | 4.0e-06 |" in text


# -- the length-bucketing sampler --------------------------------------


def _sampler(lengths, batch_size=8, seed=0, pool_batches=100):
    return _load("length_buckets").LengthBucketSampler(
        lengths, batch_size, seed=seed, pool_batches=pool_batches
    )


def _lengths(count=1000, seed=1):
    return np.random.default_rng(seed).integers(1, 61, count)


def test_sampler_gives_every_example_once_an_epoch():
    sampler = _sampler(_lengths(1003), batch_size=8, pool_batches=10)
    for _ in range(3):
        batches = list(sampler)
        assert len(batches) == len(sampler) == 126  # ceil(1003 / 8)
        assert sorted(i for batch in batches for i in batch) == list(
            range(1003)
        )
        sizes = sorted(len(batch) for batch in batches)
        assert sizes[0] == 3 and sizes[1:] == [8] * 125


def test_sampler_batches_hold_neighbouring_lengths_of_their_pool():
    lengths = _lengths(1600)
    sampler = _sampler(lengths, batch_size=16, pool_batches=10)
    batches = list(sampler)
    # Each pool of 10 batches is one sorted run cut in pieces: ordered by
    # their shortest text, a batch's longest is at most the next's shortest.
    for start in range(0, len(batches), 10):
        spans = sorted(
            (lengths[b].min(), lengths[b].max())
            for b in batches[start : start + 10]
        )
        assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:]))
    padded = sum(len(b) * lengths[b].max() for b in batches)
    random = np.random.default_rng(0).permutation(1600).reshape(100, 16)
    padded_random = sum(16 * lengths[b].max() for b in random)
    assert padded / lengths.sum() < 1.1 < 1.5 < padded_random / lengths.sum()


def test_sampler_shuffles_each_epoch_and_repeats_per_seed():
    lengths = _lengths(640)
    first, second = _sampler(lengths, seed=3), _sampler(lengths, seed=3)
    epochs = [list(first) for _ in range(3)]
    assert [list(second) for _ in range(3)] == epochs
    assert epochs[0] != epochs[1] != epochs[2]
    assert list(_sampler(lengths, seed=4)) != epochs[0]
    # Not only the order of the batches: their members change too.
    assert {tuple(sorted(b)) for b in epochs[0]} != {
        tuple(sorted(b)) for b in epochs[1]
    }
    first.set_epoch(1)
    assert list(first) == epochs[1]


def test_sampler_refuses_an_empty_batch():
    with pytest.raises(ValueError, match="batch_size must be positive; "):
        _sampler([1, 2], batch_size=0)
