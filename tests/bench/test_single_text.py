"""bench/single_text.py: the parts of a call beside the suite's fastest
one-at-a-time path."""

import json
import sys
import time

import pytest

from tests.data.shared import ROOT

sys.path.insert(0, str(ROOT / "bench"))

import single_text as bench  # noqa: E402


def test_the_empty_signature_against_the_fastest_other_path(tmp_path):
    suite = {
        "commit": {"sha": "a" * 40, "dirty": False},
        "inference": {
            "paths": {
                # seqkit's own paths are not the baseline, however fast.
                "seqkit-export": {"batch1": {"median": 9000.0}},
                "torch-script": {"batch1": {"median": 2000.0}},
                "onnxruntime": {"batch1": {"median": 4000.0}},
            }
        },
    }
    path = tmp_path / "suite.json"
    path.write_text(json.dumps(suite))
    parts = {
        "empty-signature": {"median_us": 200.0},
        "export-call": {"median_us": 450.0},
    }
    found = bench.against_suite(parts, path)
    assert found["fastest"] == "onnxruntime"
    assert found["fastest_us_per_text"] == 250.0
    # 250 us a text against a 200 us floor: the floor alone is 1.25x.
    assert found["empty_signature_speedup"] == pytest.approx(1.25)
    assert found["graph_work_us"] == 250.0
    assert found["suite_commit"] == "a" * 40


def test_microseconds_per_call_times_every_item():
    calls = []

    def call(item):
        calls.append(item)
        time.sleep(1e-4)

    timing = bench.microseconds_per_call(call, list(range(50)), 3)
    # 20 warm-up calls, then 3 passes over the 50 items.
    assert len(calls) == 20 + 3 * 50
    assert timing["min_us"] <= timing["median_us"] <= timing["max_us"]
    assert timing["median_us"] >= 100  # each call sleeps 100 us
    assert timing["texts_per_s"] == pytest.approx(
        1e6 / timing["median_us"], rel=1e-3
    )
