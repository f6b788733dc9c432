"""A quiet start: no TensorFlow log lines on a command's stderr.

The commands run as users run them, `python -m seqkit ...` in a fresh
process, with TF_CPP_MIN_LOG_LEVEL taken out of the environment (the test
session sets it) so that only seqkit decides what TensorFlow prints.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from seqkit.cli.quiet import filter_log_lines, is_log_line
from seqkit.models.sentiment import SentimentConfig, build_classifier
from seqkit.preprocessing import TextVectorizer

ROOT = Path(__file__).resolve().parents[2]
# A TensorFlow / abseil log line, as loosely as a reader would spot one:
# a severity letter and digits (`I0000`, `E0000 00:00:...`), or abseil's
# note on logging before InitializeLog.
TF_LOG = re.compile(r"^[IWEF]\d{4}|^WARNING: All log messages before absl")
# A machine with an NVIDIA driver loaded has this device node.
NVIDIA_DRIVER = Path("/dev/nvidiactl")

# Lines TensorFlow 2.21 wrote on this project's CPU machine.
SAMPLES = [
    "WARNING: All log messages before absl::InitializeLog() is called are "
    "written to STDERR",
    "I0000 00:00:1796534437.910308   14368 port.cc:153] oneDNN custom "
    "operations are on.",
    "I0000 00:00:1796534437.982897   14368 cpu_feature_guard.cc:227] This "
    "TensorFlow binary is optimized to use available CPU instructions.",
    "To enable the following instructions: AVX2 AVX512F FMA, in other "
    "operations, rebuild TensorFlow with the appropriate compiler flags.",
    "E0000 00:00:1796534442.279193   14368 cuda_platform.cc:52] failed call "
    "to cuInit: INTERNAL: CUDA error: Failed call to cuInit: UNKNOWN ERROR "
    "(303)",
    "W1206 05:20:42.123456    7 util.cc:131] a warning with a wall clock",
]


def _environment(**extra):
    environment = dict(os.environ)
    for name in ("TF_CPP_MIN_LOG_LEVEL", "SEQKIT_DEBUG", "GRPC_VERBOSITY"):
        environment.pop(name, None)
    environment["PYTHONPATH"] = os.pathsep.join(
        [str(ROOT), environment.get("PYTHONPATH", "")]
    )
    environment.update(extra)
    return environment


def _seqkit(*args, **extra):
    return subprocess.run(
        [sys.executable, "-m", "seqkit", *map(str, args)],
        capture_output=True,
        text=True,
        env=_environment(**extra),
        cwd=ROOT,
        timeout=300,
    )


def _log_lines(text):
    return [line for line in text.splitlines() if TF_LOG.match(line)]


def test_filter_drops_log_lines_and_keeps_the_rest():
    kept = [
        "Traceback (most recent call last):",
        '  File "x.py", line 1, in <module>',
        "ValueError: E0000 is not a label",
        "seqkit: no GPU visible: training on the CPU",
        "Error: run holds no model.keras",
        "I0000 without the rest of a log line",
        "To enable the following instructions: kept, no log line before",
    ]
    mixed = [kept[-1], SAMPLES[0], kept[0], SAMPLES[1], kept[1]]
    mixed += [SAMPLES[2], SAMPLES[3], *kept[2:6], SAMPLES[4], SAMPLES[5]]
    data = "".join(line + "\n" for line in mixed).encode()
    left = filter_log_lines(data).decode().splitlines()
    assert left == [kept[-1], *kept[:6]]
    assert [is_log_line(line.encode()) for line in SAMPLES] == [
        True,
        True,
        True,
        False,  # a continuation: dropped only after a log line
        True,
        True,
    ]


def test_filtered_stderr_keeps_python_lines_in_order():
    script = (
        "import os, sys\n"
        "from seqkit.cli.quiet import FilteredStderr\n"
        "print('before', file=sys.stderr, flush=True)\n"
        "with FilteredStderr():\n"
        "    os.write(2, b'I0000 00:00:17.5  12 port.cc:153] noise\\n')\n"
        "    print('kept 1', file=sys.stderr)\n"
        "    os.write(2, b'E0000 00:00:17.6  12 x.cc:9] more noise\\n')\n"
        "    os.write(2, b'kept 2\\n')\n"
        "print('after', file=sys.stderr)\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env=_environment(),
        check=True,
    )
    assert completed.stderr == "before\nkept 1\nkept 2\nafter\n"


@pytest.fixture(scope="module")
def info():
    return _seqkit("info")


def test_info_prints_no_tensorflow_log_line(info):
    assert info.returncode == 0, info.stderr
    assert _log_lines(info.stderr + info.stdout) == []
    assert info.stderr == ""
    assert "tensorflow " in info.stdout


@pytest.mark.skipif(NVIDIA_DRIVER.exists(), reason="an NVIDIA GPU may exist")
def test_info_says_in_its_own_words_that_no_gpu_is_visible(info):
    rows = [r for r in info.stdout.splitlines() if r.startswith("GPU visible")]
    assert len(rows) == 1, info.stdout
    assert rows[0].split(None, 2)[2].startswith("no: seqkit runs on the CPU (")


@pytest.mark.parametrize(
    "args, extra",
    [(("info",), {"SEQKIT_DEBUG": "1"}), (("--verbose", "info"), {})],
    ids=["SEQKIT_DEBUG", "--verbose"],
)
def test_debug_and_verbose_show_tensorflow_as_it_is(args, extra):
    completed = _seqkit(*args, **extra)
    assert completed.returncode == 0, completed.stderr
    # TensorFlow 2.21 on x86 always notes oneDNN as it loads.
    assert _log_lines(completed.stderr), completed.stderr


@pytest.fixture(scope="module")
def untrained_run(tmp_path_factory):
    """A run folder holding an untrained attention classifier."""
    folder = tmp_path_factory.mktemp("untrained")
    config = SentimentConfig(
        units=2, embedding_dim=3, embeddings=None, pooling="attention"
    )
    vectorizer = TextVectorizer(["a", "fine", "dull", "film"], max_length=6)
    model = build_classifier(config, vectorizer, ["neg", "pos"])
    model.save(folder / "model.keras")
    return folder


def test_predict_prints_no_tensorflow_log_line(untrained_run):
    completed = _seqkit("predict", untrained_run, "a fine film", "--attention")
    assert completed.returncode == 0, completed.stderr
    assert _log_lines(completed.stderr + completed.stdout) == []
    assert completed.stderr == ""
    assert '"attention": [["a", ' in completed.stdout


def test_user_errors_still_reach_stderr(untrained_run, tmp_path):
    # The run loads (TensorFlow is imported quietly), then the file fails.
    missing = tmp_path / "missing.csv"
    completed = _seqkit("predict", untrained_run, "--input", missing)
    assert completed.returncode == 1
    assert completed.stderr == f"Error: {missing}: no such file\n"


def test_other_errors_keep_their_traceback(tmp_path):
    script = (
        "import click, seqkit.cli\n"
        "def boom():\n"
        "    import tensorflow\n"
        "    raise RuntimeError('a bug after ' + tensorflow.__name__)\n"
        "seqkit.cli.cli.add_command(click.Command('boom', callback=boom))\n"
        "seqkit.cli.main()\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", script, "boom"],
        capture_output=True,
        text=True,
        env=_environment(),
        timeout=300,
    )
    assert completed.returncode == 1
    lines = completed.stderr.splitlines()
    assert lines[0] == "Traceback (most recent call last):"
    assert lines[-1] == "RuntimeError: a bug after tensorflow"
    assert _log_lines(completed.stderr) == []


SPEAKING_COMMAND = (
    "import logging, click, seqkit.cli\n"
    "def speak():\n"
    "    import tensorflow as tf\n"
    "    from absl import logging as absl_logging\n"
    "    tf.get_logger().warning('5 out of the last 5 calls retraced')\n"
    "    absl_logging.warning('an absl warning')\n"
    "    logging.getLogger('seqkit.data').warning('seqkit says this')\n"
    "seqkit.cli.cli.add_command(click.Command('speak', callback=speak))\n"
    "seqkit.cli.main()\n"
)


@pytest.mark.parametrize("verbose", [False, True], ids=["quiet", "verbose"])
def test_python_logs_of_tensorflow_and_absl(verbose):
    args = ["--verbose", "speak"] if verbose else ["speak"]
    completed = subprocess.run(
        [sys.executable, "-c", SPEAKING_COMMAND, *args],
        capture_output=True,
        text=True,
        env=_environment(),
        timeout=300,
    )
    assert completed.returncode == 0, completed.stderr
    lines = completed.stderr.splitlines()
    # absl's first warning gives the root logger Python's default format.
    seqkit = [line for line in lines if "seqkit says this" in line]
    tensorflow = [line for line in lines if "retraced" in line]
    absl = [line for line in lines if "an absl warning" in line]
    assert len(seqkit) == 1, lines
    if verbose:
        assert len(tensorflow) == 1 and len(absl) == 1, lines
        assert _log_lines(completed.stderr), lines
    else:
        assert lines == seqkit


@pytest.mark.skipif(NVIDIA_DRIVER.exists(), reason="an NVIDIA GPU may exist")
def test_training_says_once_where_it_runs_and_nothing_of_tensorflow(
    tmp_path,
):
    from tests.conftest import train_args, write_tiny_split

    paths = write_tiny_split(tmp_path)
    args = [*train_args(paths), "--epochs", "1", "--out", tmp_path / "run"]
    completed = _seqkit(*args, SEQKIT_DATA_DIR=str(tmp_path / "cache"))
    assert completed.returncode == 0, completed.stderr
    lines = completed.stderr.splitlines()
    assert _log_lines(completed.stderr) == [], lines
    devices = [line for line in lines if "GPU" in line]
    assert devices == [
        "seqkit: no GPU visible: training on the CPU (no NVIDIA driver "
        "found: libcuda.so.1 does not load)"
    ]
    assert lines[0] == devices[0]
    # Everything else on stderr is seqkit's progress log.
    assert all(line.startswith("seqkit: ") for line in lines), lines
