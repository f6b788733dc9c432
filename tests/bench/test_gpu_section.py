"""The GPU section's checks, run where no GPU is (the generic loop)."""

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _load():
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        spec = importlib.util.spec_from_file_location(
            "gpu_section", ROOT / "bench" / "gpu_section.py"
        )
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(ROOT / "bench"))
    return module


def test_without_a_gpu_it_says_so_and_measures_nothing():
    report = _load().measure(["lstm"], repeats=1)
    assert report["ran"] is False
    assert report["reason"] == "no GPU is visible"
    assert "results" not in report


def test_layer_checks_compare_both_paths_on_the_same_weights():
    # Here "auto" runs the generic loop too, so both sides must agree to
    # rounding; a check that built them with different weights would not.
    rows = _load().layer_checks()
    assert [(r["layer"], r["go_backwards"]) for r in rows] == [
        (f"{family}.{kind}", backwards)
        for family in ("seqkit", "keras")
        for kind in ("LSTM", "GRU")
        for backwards in (False, True)
    ]
    for row in rows:
        assert row["sequence_difference"] < 1e-5, row
        assert row["state_difference"] < 1e-5, row


def test_unknown_configuration_is_refused(capsys):
    with pytest.raises(SystemExit):
        _load().main(["--configs", "lstm,transformer"])
    assert "unknown --configs ['transformer']" in capsys.readouterr().err
