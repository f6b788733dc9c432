"""The performance suite's arithmetic, report and baselines' tokenization."""

import importlib.util
import json
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
    # The only baseline is the fastest: ratios are quoted against it, as
    # medians of the per-round ratios (5/9, 2/6.6, 2.2/6) with their
    # quartiles.
    row = next(r for r in text.splitlines() if r.startswith("| seqkit"))
    assert "| 2.20 (2.10-3.60) | 10,000 | 0.37x (0.34-0.46) |" in row
    assert "| 0.8000 (2) | 0.7900 |" in row
    assert "| keras-plain (fastest baseline) | 6.60 (6.30-7.80) |" in text
    assert (
        "seqkit trains an epoch **2.73x** as fast as the fastest baseline, "
        "keras-plain (median of 3 per-round ratios; interquartile range "
        "2.26-3.01x, extremes 1.80-3.30x)." in text
    )


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


# -- comparisons and the report ----------------------------------------


def _path(rounds):
    return {"rounds": rounds, **_load("perf_report").spread(rounds, 1)}


def test_training_is_compared_with_the_fastest_baseline():
    report = _load("perf_report")
    training = {
        "seqkit": {"epoch_seconds": [2.0, 2.5, 2.0]},
        "torch-padded": {"epoch_seconds": [3.0, 3.0, 3.2]},
        "torch-bucketed": {"epoch_seconds": [2.2, 3.0, 2.6]},
        "keras-plain": {"epoch_seconds": [9.0, 9.0, 9.0]},
    }
    comparison = report.compare_training(training)
    assert comparison["fastest_baseline"] == "torch-bucketed"
    # Per round 2.2/2.0, 3.0/2.5, 2.6/2.0.
    assert comparison["speedup"] == {
        "median": 1.2,
        "q1": 1.15,
        "q3": 1.25,
        "min": 1.1,
        "max": 1.3,
    }
    relative = comparison["relative_time"]
    assert set(relative["torch-bucketed"].values()) == {1.0}
    assert relative["keras-plain"]["median"] == pytest.approx(9 / 2.6, 1e-3)
    assert report.compare_training({"seqkit": training["seqkit"]}) is None


def test_inference_is_compared_with_the_fastest_path_per_batch_size():
    report = _load("perf_report")
    paths = {
        "seqkit-export": {
            "batch64": _path([1000.0, 1200.0, 1100.0]),
            "batch1": _path([300.0, 330.0, 360.0]),
        },
        # Faster than the export, but not a baseline.
        "seqkit-export-no-xla": {
            "batch64": _path([5000.0] * 3),
            "batch1": _path([5000.0] * 3),
        },
        "torch-eager": {
            "batch64": _path([800.0] * 3),
            "batch1": _path([300.0] * 3),
        },
        "onnxruntime": {
            "batch64": _path([500.0, 1000.0, 550.0]),
            "batch1": _path([400.0, 330.0, 320.0]),
        },
    }
    comparison = report.compare_inference(paths)
    assert comparison["batch64"]["fastest_baseline"] == "torch-eager"
    assert comparison["batch64"]["speedup"] == {
        "median": 1.375,
        "q1": 1.312,
        "q3": 1.438,
        "min": 1.25,
        "max": 1.5,
    }
    assert comparison["batch1"]["fastest_baseline"] == "onnxruntime"
    assert comparison["batch1"]["speedup"]["median"] == 1.0
    text = report.table(
        {
            "inference": {
                "paths": paths,
                "agreement": {"torch-script": 0.0, "onnxruntime": 6e-8},
                "agreement_ok": True,
                "skipped": {"torch-compile": "RuntimeError: no compiler"},
            }
        }
    )
    assert "| onnxruntime | 550 (525-775) | 330 (325-365) |" in text
    assert (
        "| seqkit-export against the fastest baseline | **1.38x** against "
        "torch-eager (1.31-1.44x) | **1.00x** against onnxruntime "
        "(0.88-1.06x) |" in text
    )
    assert (
        "torch-script 0.0e+00, onnxruntime 6.0e-08 (np.allclose: yes)." in text
    )
    assert "Not measured: torch-compile (RuntimeError: no compiler)." in text


def test_paired_ratios_need_equal_lists():
    report = _load("perf_report")
    assert report.paired_ratios([2.0, 3.0], [1.0, 2.0]) == [2.0, 1.5]
    with pytest.raises(ValueError, match="received 2 and 1 values"):
        report.paired_ratios([2.0, 3.0], [1.0])


def test_results_and_their_markdown_are_written_together(tmp_path):
    suite = _load("perf_suite")
    report = _load("perf_report")
    results = {
        "command": "python bench/perf_suite.py --work w --rounds 9",
        "commit": {"sha": "abc123", "dirty": True},
        "date": "2026-12-07T10:00:00+0000",
        "machine": {
            "processor": "AMD EPYC",
            "cpus": 2,
            "python": "3.11.7",
            "tensorflow": "2.21.0",
            "keras": "3.15.1",
            "onnxruntime": "1.32.0",
        },
        "cold_start": {"seqkit --help": 0.05},
    }
    out = tmp_path / "results" / "perf-suite.json"
    suite.write_results(results, out)
    assert json.loads(out.read_text()) == results
    text = (tmp_path / "results" / "perf-suite.md").read_text()
    assert "- commit: abc123 (uncommitted changes)" in text
    assert (
        "- machine: AMD EPYC, 2 cores; Python 3.11.7, TensorFlow 2.21.0, "
        "Keras 3.15.1, ONNX Runtime 1.32.0" in text
    )
    assert "| `seqkit --help` | 0.050 |" in text
    # The report script gives the same text from the JSON alone.
    again = tmp_path / "again.md"
    report.main([str(out), "--md", str(again)])
    assert again.read_text() == text


def test_commit_names_this_checkout():
    suite = _load("perf_suite")
    found = suite.commit()
    assert len(found["sha"]) == 40 and isinstance(found["dirty"], bool)


# -- the Keras and PyTorch baselines -----------------------------------


def test_masked_keras_batches_pad_per_batch_or_per_bucket():
    keras_systems = _load("perf_keras")
    ids = [np.arange(1, n + 1) for n in (1, 9, 2, 8, 3, 7)]
    labels = np.arange(6) % 2
    batches = list(keras_systems.masked_dataset(ids, labels, 2))
    assert [tuple(x.shape) for x, _ in batches] == [(2, 9), (2, 8), (2, 7)]
    assert batches[0][0].numpy().tolist() == [
        [1, 0, 0, 0, 0, 0, 0, 0, 0],
        list(range(1, 10)),
    ]
    bucketed = keras_systems.masked_dataset(ids, labels, 2, edges=[4])
    # Below 4 tokens: (1, 2) then 3 alone; from 4: (9, 8) then 7 alone.
    widths = sorted(x.shape[1] for x, _ in bucketed)
    assert widths == [2, 3, 7, 9]


def _tiny_torch_model(perf_torch, packed):
    import torch

    torch.manual_seed(0)
    vectors = np.random.default_rng(0).normal(size=(12, 4)).astype("float32")
    return perf_torch.BiLSTMClassifier(vectors, 3, 2, packed=packed)


def test_bucketed_torch_system_draws_length_buckets():
    pytest.importorskip("torch")
    perf_torch = _load("perf_torch")
    lengths = _lengths(200)
    ids = [np.ones(n, "int64") for n in lengths]
    labels = np.arange(200) % 2
    data = {split: (ids, labels) for split in ("train", "valid", "test")}
    vectors = np.zeros((2, 4), "float32")
    system = perf_torch.TorchSystem(
        data, vectors, 2, packed=True, seed=0, units=3, batch=16, bucketed=True
    )
    widths = [padded.shape[1] for padded, _, _ in system.loader]
    sampler = system.loader.batch_sampler
    assert isinstance(sampler, perf_torch.LengthBucketSampler)
    # Random batches of 16 would be padded to nearly 60 tokens each.
    assert sum(widths) < 1.2 * lengths.sum() / 16 < 40 * len(widths)
    assert system.epoch() > 0 and 0 <= system.accuracy("valid") <= 1


def test_compiled_torch_paths_give_the_eager_probabilities(tmp_path):
    pytest.importorskip("torch")
    pytest.importorskip("onnxruntime")
    perf_torch = _load("perf_torch")
    model = _tiny_torch_model(perf_torch, packed=False)
    words = ["", "[UNK]", "a", "good", "bad", "film", "not", "!", "very"]
    paths, skipped = perf_torch.inference_paths(
        model, words, 5, tmp_path, leave_out={"torch-compile"}
    )
    assert skipped == {}
    assert sorted(paths) == ["onnxruntime", "torch-eager", "torch-script"]
    assert (tmp_path / "model.onnx").exists()
    texts = ["a good film", "not bad!!!", "very very very bad film indeed", "?"]
    eager = paths["torch-eager"](texts)
    assert eager.shape == (4, 2)
    np.testing.assert_allclose(eager.sum(axis=1), 1, rtol=1e-6)
    for name in ("torch-script", "onnxruntime"):
        # Batches of other sizes and lengths than the traced example.
        np.testing.assert_allclose(paths[name](texts), eager, atol=1e-6)
        np.testing.assert_allclose(
            paths[name](texts[2:3]), paths["torch-eager"](texts[2:3]), atol=1e-6
        )


def test_a_torch_system_in_its_own_process_trains_as_in_this_one():
    torch = pytest.importorskip("torch")
    perf_torch = _load("perf_torch")
    rng = np.random.default_rng(1)
    ids = [rng.integers(1, 12, rng.integers(2, 9)) for _ in range(96)]
    labels = np.array([int(5 in x) for x in ids])
    data = {split: (ids, labels) for split in ("train", "valid", "test")}
    vectors = rng.normal(size=(12, 4)).astype("float32")
    settings = dict(
        data=data, vectors=vectors, classes=2, packed=True, seed=3,
        units=3, batch=16, bucketed=True,
    )  # fmt: skip
    perf_torch.configure(1)
    here = perf_torch.TorchSystem(**settings)
    there = perf_torch.ProcessSystem(1, **settings)
    try:
        for _ in range(2):
            assert there.epoch() > 0
            here.epoch()
        assert there.accuracy("valid") == here.accuracy("valid")
        copied = there.model.state_dict()
        for name, value in here.model.state_dict().items():
            torch.testing.assert_close(copied[name], value)
        with pytest.raises(RuntimeError, match="KeyError: 'nope'"):
            there.accuracy("nope")
    finally:
        there.close()
    assert not there._process.is_alive()
