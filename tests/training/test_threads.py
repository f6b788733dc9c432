"""Training threads: half the cores per op for bidirectional models."""

import os
import subprocess
import sys

import pytest

from seqkit.environment import training_threads


@pytest.mark.parametrize(
    ("bidirectional", "cores", "expected"),
    [(True, 2, 1), (True, 8, 4), (True, 1, 1), (True, 3, 1), (False, 8, None)],
)
def test_rule(bidirectional, cores, expected):
    assert training_threads(bidirectional, cores=cores) == expected


def test_applied_in_a_fresh_process():
    code = (
        "import tensorflow as tf\n"
        "from seqkit.environment import configure_training_threads\n"
        "chosen = configure_training_threads(True)\n"
        "threading = tf.config.threading\n"
        "print(chosen, threading.get_intra_op_parallelism_threads())\n"
    )
    env = {
        **os.environ,
        "CUDA_VISIBLE_DEVICES": "",
        "TF_CPP_MIN_LOG_LEVEL": "3",
    }
    completed = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    expected = max(1, (os.cpu_count() or 1) // 2)
    assert completed.stdout.split()[-2:] == [str(expected), str(expected)]
