"""bench/deepmoji_pretrain.py: what it reads from a finished run and from
GNU time's report."""

import sys

import pytest

from tests.data.shared import ROOT

sys.path.insert(0, str(ROOT / "bench"))

import deepmoji_pretrain as bench  # noqa: E402


def test_time_log_reads_the_wall_clock_and_the_peak_memory(tmp_path):
    log = tmp_path / "time.log"
    log.write_text(
        "\tElapsed (wall clock) time (h:mm:ss or m:ss): 11:17.06\n"
        "\tMaximum resident set size (kbytes): 1503184\n"
    )
    seconds, rss = bench.time_log(log)
    assert seconds == pytest.approx(11 * 60 + 17.06)
    assert rss == pytest.approx(1503184 / 1024)
    log.write_text("\tElapsed (wall clock) time (h:mm:ss or m:ss): 1:02:03\n")
    with pytest.raises(SystemExit, match="time.log"):
        bench.time_log(log)


def test_the_kept_epoch_follows_the_monitor():
    history = [
        {"epoch": 1, "val_loss": 2.4, "val_macro_f1": 0.17},
        {"epoch": 2, "val_loss": 2.3, "val_macro_f1": 0.19},
        {"epoch": 3, "val_loss": 2.5, "val_macro_f1": 0.21},
    ]
    assert bench.best_epoch({"monitor": "val_loss"}, history) == 2
    assert bench.best_epoch({"monitor": "val_macro_f1"}, history) == 3
