"""Training under tf.distribute: cluster checks, the input split, and
real runs (mirrored over logical CPUs; two workers on loopback)."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from seqkit.cli import cli
from seqkit.training.distribute import (
    Cluster,
    global_batches,
    read_tf_config,
    worker_rows,
)
from tests.conftest import write_tiny_split

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "value, message",
    [
        (None, "needs the TF_CONFIG environment variable"),
        ("{oops", "not valid JSON"),
        ('{"cluster": {}, "task": {}}', "cluster.worker must be"),
        (
            '{"cluster": {"worker": ["a:1"]}, "task": {"type": "ps"}}',
            "task.type must be 'worker'",
        ),
        (
            '{"cluster": {"worker": ["a:1"]}, '
            '"task": {"type": "worker", "index": 1}}',
            "task.index must be 0..0",
        ),
    ],
)
def test_bad_tf_config(value, message):
    environ = {} if value is None else {"TF_CONFIG": value}
    with pytest.raises(ValueError, match=message):
        read_tf_config(environ)


def test_tf_config_cluster():
    cluster = read_tf_config(
        {
            "TF_CONFIG": json.dumps(
                {
                    "cluster": {"worker": ["a:1", "b:2", "c:3"]},
                    "task": {"type": "worker", "index": 2},
                }
            )
        }
    )
    assert cluster == Cluster(3, 2) and not cluster.is_chief


def test_global_batches_cover_every_example_once_per_epoch():
    lengths = np.random.default_rng(0).integers(1, 40, 203)
    batches = global_batches(lengths, 16, [5, 10, 20], seed=3, epoch=0)
    seen = np.concatenate(batches)
    assert sorted(seen.tolist()) == list(range(203))
    for batch in batches:
        assert 1 <= len(batch) <= 16
        buckets = np.searchsorted([5, 10, 20], lengths[batch], side="right")
        assert len(set(buckets.tolist())) == 1  # one length bucket
    again = global_batches(lengths, 16, [5, 10, 20], seed=3, epoch=0)
    assert all((a == b).all() for a, b in zip(batches, again))
    other = global_batches(lengths, 16, [5, 10, 20], seed=3, epoch=1)
    assert any(
        len(a) != len(b) or (a != b).any() for a, b in zip(batches, other)
    )


def test_worker_rows_partition_each_batch():
    batch = np.arange(11)
    parts = [worker_rows(batch, Cluster(3, i)) for i in range(3)]
    assert sorted(np.concatenate(parts).tolist()) == list(range(11))
    assert [len(p) for p in parts] == [4, 4, 3]


def test_multi_worker_without_tf_config(tiny_train_args, tmp_path, monkeypatch):
    monkeypatch.delenv("TF_CONFIG", raising=False)
    result = CliRunner().invoke(
        cli,
        [
            *tiny_train_args,
            "--distribute",
            "multi-worker",
            "--out",
            str(tmp_path / "run"),
        ],
    )
    assert result.exit_code == 1
    assert "needs the TF_CONFIG environment variable" in result.output


# Runs in a fresh process: logical devices are fixed before TensorFlow
# starts. Trains the tiny preset without dropout, mirrored over N devices.
MIRRORED = """
import json, logging, sys
import tensorflow as tf
devices, data, out = int(sys.argv[1]), sys.argv[2], sys.argv[3]
cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(
    cpu, [tf.config.LogicalDeviceConfiguration()] * devices)
logging.basicConfig(level=logging.INFO)
from seqkit.models.sentiment import PRESETS, SentimentConfig
from seqkit.training.recipes.sentiment import train_text_classifier
values = dict(PRESETS["tiny"], epochs=3, batch_size=8, learning_rate=0.01,
              embedding_dropout=0.0, spatial_dropout=0.0, dropout=0.0,
              head_dropout=0.0, patience=None, text_column="review",
              label_column="verdict", train=data + "/train.csv",
              valid=data + "/valid.csv")
config = SentimentConfig.from_dict(values, source="test")
train_text_classifier(config, out, verbose=0, distribute="mirrored")
"""


def _weights(run):
    import keras

    import seqkit

    seqkit.register_with_keras()
    return keras.saving.load_model(Path(run) / "model.keras").get_weights()


def test_mirrored_over_two_devices_equals_one_device(tmp_path):
    write_tiny_split(tmp_path)
    logs = {}
    for devices in (1, 2):
        completed = subprocess.run(
            [
                sys.executable,
                "-c",
                MIRRORED,
                str(devices),
                str(tmp_path),
                str(tmp_path / f"run{devices}"),
            ],
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        assert completed.returncode == 0, completed.stderr[-3000:]
        logs[devices] = completed.stderr
    assert "mirrored over 2 devices" in logs[2]
    assert "mirrored over 1 device:" in logs[1]
    one, two = _weights(tmp_path / "run1"), _weights(tmp_path / "run2")
    for a, b in zip(one, two):
        np.testing.assert_allclose(a, b, atol=1e-5)
    history = json.loads((tmp_path / "run2" / "history.json").read_text())
    assert [row["epoch"] for row in history] == [1, 2, 3]
    assert history[-1]["loss"] < history[0]["loss"]


def _free_ports(count):
    sockets = [socket.socket() for _ in range(count)]
    for s in sockets:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


def _start_workers(args, ports, round_name, folder):
    workers = [f"127.0.0.1:{p}" for p in ports]
    processes = []
    for index in range(len(ports)):
        env = {
            **os.environ,
            "TF_CPP_MIN_LOG_LEVEL": "3",
            "TF_CONFIG": json.dumps(
                {
                    "cluster": {"worker": workers},
                    "task": {"type": "worker", "index": index},
                }
            ),
        }
        err = open(folder / f"worker{index}.{round_name}.err", "w")
        processes.append(
            subprocess.Popen(
                [sys.executable, "-m", "seqkit", *args],
                env=env,
                stdout=subprocess.PIPE,
                stderr=err,
                text=True,
            )
        )
    return processes


def _epochs_done(run):
    path = run / "checkpoints" / "member_0" / "last" / "latest.json"
    try:
        return json.loads(path.read_text())["epoch"]
    except (OSError, ValueError):
        return 0


@pytest.mark.large  # over a minute: two worker processes, killed, resumed
def test_two_workers_train_and_resume_after_a_worker_is_killed(tmp_path):
    # More rows than the tiny split, so that an epoch takes a moment.
    train = tmp_path / "train_big.csv"
    rows = (ROOT / "data" / "rt-snippets" / "train.csv").read_text()
    train.write_text("\n".join(rows.splitlines()[:801]) + "\n")
    run = tmp_path / "run"
    args = [
        "train",
        "sentiment",
        "--preset",
        "tiny",
        "--train",
        str(train),
        "--valid",
        str(ROOT / "data" / "rt-snippets" / "valid.csv"),
        "--epochs",
        "8",
        "--patience",
        "100",
        "--learning-rate",
        "0.01",
        "--distribute",
        "multi-worker",
        "--out",
        str(run),
    ]
    ports = _free_ports(2)
    chief, worker = _start_workers(args, ports, "first", tmp_path)
    deadline = time.time() + 240
    while _epochs_done(run) < 2 and time.time() < deadline:
        if chief.poll() is not None:
            break
        time.sleep(0.2)
    assert _epochs_done(run) >= 2, (tmp_path / "worker0.first.err").read_text()
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    try:
        chief.wait(timeout=180)
    except subprocess.TimeoutExpired:
        chief.kill()  # what a cluster manager does to a stuck task
        chief.wait()
    assert chief.returncode != 0
    chief_log = (tmp_path / "worker0.first.err").read_text()
    assert "a worker of the cluster stopped" in chief_log
    assert not (run / "metrics.json").exists()

    ports = _free_ports(2)
    processes = _start_workers(args, ports, "second", tmp_path)
    outputs = [p.communicate(timeout=300)[0] for p in processes]
    assert [p.returncode for p in processes] == [0, 0], outputs
    assert json.loads(outputs[1].strip().splitlines()[-1])["worker"] == 1
    summary = json.loads(outputs[0].strip().splitlines()[-1])
    assert summary["valid"]["n"] == 1275
    for index in (0, 1):
        log = (tmp_path / f"worker{index}.second.err").read_text()
        assert "resuming after epoch" in log
    history = json.loads((run / "history.json").read_text())
    assert [row["epoch"] for row in history] == list(range(1, 9))
    # Each example counted once per epoch across the two workers.
    assert all(0 <= row["accuracy"] <= 1 for row in history)
    assert (run / "model.keras").is_file()
    assert not any(p.name.startswith(".worker-") for p in run.iterdir())


# Pretrains a tiny base on one device, then fine-tunes it by chain-thaw,
# mirrored over 2 logical CPU devices (fixed before TensorFlow starts).
FINETUNE_MIRRORED = """
import sys
import tensorflow as tf
cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(
    cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
from seqkit.cli import main
data, work = sys.argv[1], sys.argv[2]
common = ["--text-column", "review", "--label-column", "verdict"]
try:
    main(["train", "sentiment", "--preset", "tiny", "--train",
          data + "/train.csv", "--valid", data + "/valid.csv", *common,
          "--pooling", "attention", "--quiet", "--out", work + "/base"])
except SystemExit as done:
    assert done.code in (0, None), done.code
main(["finetune", "--base", work + "/base", "--train", data + "/train.csv",
      "--valid", data + "/valid.csv", *common, "--chain-thaw", "--epochs",
      "2", "--distribute", "mirrored", "--out", work + "/tuned"])
"""


@pytest.mark.large  # about a minute; mirrored training stays in the default
def test_finetune_mirrored_over_two_devices(tmp_path):
    write_tiny_split(tmp_path)
    completed = subprocess.run(
        [sys.executable, "-c", FINETUNE_MIRRORED, str(tmp_path), str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert "mirrored over 2 devices" in completed.stderr
    summary = json.loads(completed.stdout.strip().splitlines()[-1])
    assert [s["step"] for s in summary["steps"]] == [
        "head",
        "embedding",
        "bi_lstm_0",
        "attention",
        "all",
    ]
    assert (tmp_path / "tuned" / "model.keras").is_file()
    assert summary["valid"]["n"] == 16
