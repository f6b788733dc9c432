"""A training process killed mid-epoch resumes from its last checkpoint."""

import json
import os
import signal
import subprocess
import sys
import time


def _command(train_args, out, *extra):
    return [
        sys.executable,
        "-c",
        "from seqkit.cli import main; main()",
        *train_args,
        "--epochs",
        "6",
        "--batch-size",
        "2",
        "--patience",
        "10",
        "--quiet",
        "--out",
        str(out),
        *extra,
    ]


def test_sigkill_mid_epoch_then_resume(tiny_train_args, tmp_path):
    out = tmp_path / "run"
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    process = subprocess.Popen(
        _command(tiny_train_args, out),
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    state = out / "checkpoints" / "member_0" / "best.json"
    deadline = time.time() + 120
    while not state.exists() and time.time() < deadline:
        if process.poll() is not None:
            break
        time.sleep(0.05)
    assert state.exists(), process.communicate()[1].decode()[-2000:]
    time.sleep(0.3)  # into the next epoch
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert not (out / "metrics.json").exists()
    latest = out / "checkpoints" / "member_0" / "last" / "latest.json"
    done = json.loads(latest.read_text())["epoch"]
    assert 1 <= done < 6

    result = subprocess.run(
        _command(tiny_train_args, out, "--resume"),
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    history = json.loads((out / "history.json").read_text())
    epochs = [row["epoch"] for row in history]
    assert epochs == sorted(set(epochs)) and epochs[-1] == 6
    assert epochs[0] == 1
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["test"]["n"] == 16
