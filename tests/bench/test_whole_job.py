"""bench/whole_job.py: the commands it times and what it makes of them."""

import sys

import pytest

from tests.data.shared import ROOT

sys.path.insert(0, str(ROOT / "bench"))

import whole_job as bench  # noqa: E402


def record(round_, system, epochs, wall, steps=None):
    row = {
        "round": round_,
        "system": system,
        "epochs": epochs,
        "wall_seconds": wall,
        "peak_rss_mb": 1000.0 + round_,
    }
    if steps is not None:
        row["steps_seconds"] = steps
    return row


def test_commands_train_one_model_for_the_epochs_asked(tmp_path):
    seqkit = bench.command("seqkit-no-ngram", 2, tmp_path / "run")
    assert seqkit[-9:] == [
        "sentiment",
        "--ensemble",
        "1",
        "--epochs",
        "2",
        "--no-ngram",
        "--quiet",
        "--out",
        str(tmp_path / "run"),
    ]
    assert "--no-ngram" not in bench.command("seqkit", 1, tmp_path)
    older = bench.command("seqkit", 1, tmp_path, python_m=True)
    assert older[1:4] == ["-m", "seqkit", "train"]
    keras = bench.command("keras-same-work", 1, tmp_path / "k")
    assert keras[1].endswith("whole_job_keras.py")
    assert keras[-5:] == [
        "--epochs",
        "1",
        "--same-work",
        "--out",
        str(tmp_path / "k"),
    ]
    assert "--same-work" not in bench.command("keras-bare", 1, tmp_path)


def test_summary_medians_extra_epoch_and_per_round_ratios():
    records = []
    # seqkit: 10, 12, 11 s for one epoch; 14, 15, 17 for two.
    for r, (one, two) in enumerate([(10, 14), (12, 15), (11, 17)], 1):
        records.append(record(r, "seqkit", 1, one, {"training": one - 2}))
        records.append(record(r, "seqkit", 2, two, {"training": two - 2}))
    # The script: 20, 18, 33 s for one epoch; 30, 27, 40 for two.
    for r, (one, two) in enumerate([(20, 30), (18, 27), (33, 40)], 1):
        records.append(record(r, "keras-bare", 1, one))
        records.append(record(r, "keras-bare", 2, two))
    for r, wall in enumerate([5.0, 4.0, 6.0], 1):
        records.append(record(r, "import", 0, wall))
    summary = bench.summarize(records, ["seqkit", "keras-bare"], [1, 2])
    one = summary["seqkit"]["epochs_1"]
    assert one["wall_seconds"]["median"] == 11
    assert (one["wall_seconds"]["min"], one["wall_seconds"]["max"]) == (10, 12)
    assert one["steps_seconds"] == {"training": 9}
    # Per round: 4, 3, 6 s more for the second epoch.
    assert summary["seqkit"]["extra_epoch_seconds"]["median"] == 4
    assert summary["keras-bare"]["extra_epoch_seconds"]["median"] == 9
    assert summary["import"]["wall_seconds"]["median"] == 5
    # Per-round ratios 20/10, 18/12, 33/11 = 2, 1.5, 3: the median is 2,
    # not the ratio of the medians (20/11).
    ratios = summary["speedup"]["seqkit vs keras-bare, epochs 1"]
    assert ratios["median"] == pytest.approx(2.0)
    assert (ratios["min"], ratios["max"]) == (1.5, 3.0)
    text = bench.markdown(
        {
            "command": "python bench/whole_job.py",
            "commit": "0" * 40,
            "date": "2026-12-07",
            "machine": {"cpu_count": 2},
            "rounds": 3,
            "epochs": [1, 2],
            "systems": ["seqkit", "keras-bare"],
            "summary": summary,
        }
    )
    assert (
        "| seqkit | 11.00 (10.00-12.00) | 15.00 (14.00-17.00) | 4.00 |" in text
    )
    assert "| seqkit vs keras-bare, epochs 1 | 2.00x |" in text
