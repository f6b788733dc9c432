"""`seqkit.cli.exit_now`: a finished command ends at once, with its exit
handlers run, its output flushed and its exit status kept."""

import subprocess
import sys

import pytest

SCRIPT = """
import atexit, sys
{imports}
from seqkit.cli import exit_now
atexit.register(lambda: print("handler ran", flush=True))
print("unflushed", end="")
sys.stderr.write("to stderr")
exit_now({code!r})
"""


def run(code, imports="import tensorflow"):
    script = SCRIPT.format(imports=imports, code=code)
    return subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("code", "status"), [(0, 0), (None, 0), (3, 3), ("stopped: bad", 1)]
)
def test_status_output_and_handlers_with_tensorflow(code, status):
    done = run(code)
    assert done.returncode == status, done.stderr
    assert done.stdout == "unflushedhandler ran\n"
    assert "to stderr" in done.stderr
    if isinstance(code, str):
        assert done.stderr.rstrip().endswith(code)


def test_without_tensorflow_it_is_the_usual_exit():
    done = run(2, imports="")
    assert done.returncode == 2
    assert done.stdout == "unflushedhandler ran\n"
    assert "tensorflow" not in done.stderr


def test_python_m_seqkit_exits_with_the_commands_status(tmp_path):
    missing = tmp_path / "no-run"
    done = subprocess.run(
        [sys.executable, "-m", "seqkit", "predict", str(missing), "x"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert "holds no model.keras" in done.stderr
