"""A quiet start: TensorFlow's own log lines kept off a command's stderr.

Loading TensorFlow prints a dozen lines from its C++ runtime (oneDNN, the
CUDA stubs, the CPU features it was built for, a failed `cuInit` on a
machine without a GPU), and training adds Python warnings about retraced
functions. None of them is a problem a user has to act on, and seqkit says
the ones that matter in its own words (`seqkit info`, and "no GPU visible:
training on the CPU" when a training command shows its progress).

`quiet_tensorflow`, which the root command calls unless `--verbose` or
`SEQKIT_DEBUG=1` is given, does what measurement showed is needed
(TensorFlow 2.21, `seqkit info` on a machine without a GPU):

- `TF_CPP_MIN_LOG_LEVEL=3` before TensorFlow loads silences what its C++
  code logs once running (the `cuInit` error, `cpu_feature_guard`, oneDNN
  notes during training), but not the lines abseil writes while the
  libraries load, before `absl::InitializeLog()` (the "WARNING: All log
  messages before absl::InitializeLog() ..." line, `port.cc`,
  `cudart_stub.cc`): those ignore every variable;
- so during `import tensorflow` file descriptor 2 points at a temporary
  file, and afterwards every line of it that is not a TensorFlow or abseil
  log line goes on to stderr (Python warnings, errors and tracebacks of the
  import are kept, in order);
- TensorFlow's and abseil's Python loggers only pass errors, and Python
  warnings raised from their modules are ignored.

A process that dies inside `import tensorflow` (a missing CPU instruction,
say) loses what it logged there: `--verbose` shows it.
"""

import logging
import os
import re
import sys
import tempfile
import warnings

# What `quiet_tensorflow` sets before TensorFlow loads.
ENVIRONMENT = {
    "TF_CPP_MIN_LOG_LEVEL": "3",  # C++ logs: fatal only
    "GRPC_VERBOSITY": "ERROR",  # multi-worker training's gRPC
}

# An abseil / TensorFlow C++ log line: severity letter, month and day,
# time, thread, `file:line]`, e.g.
# `E0000 00:00:1796534442.279193   14368 cuda_platform.cc:52] failed ...`.
LOG_LINE = re.compile(rb"^[IWEF]\d{4} \d+:\d+:\d+\.\d+ +\d+ [^\s\]]+:\d+\] ")
# Lines abseil writes of its own accord.
ABSL_LINES = (
    b"WARNING: All log messages before absl::InitializeLog() is called "
    b"are written to STDERR",
)
# Second lines of multi-line log messages (`cpu_feature_guard.cc`).
CONTINUATIONS = (b"To enable the following instructions:",)

# The Python loggers and warning modules quieted.
PYTHON_LOGGERS = ("tensorflow", "absl")
WARNING_MODULES = r"(tensorflow|absl)(\.|$)"


def is_log_line(line):
    """Whether a line (bytes, without its newline) is TensorFlow's log."""
    line = line.rstrip(b"\r")
    return bool(LOG_LINE.match(line)) or line in ABSL_LINES


def filter_log_lines(data):
    """`data` (bytes) without its TensorFlow/abseil log lines.

    A line that continues a dropped log message (`CONTINUATIONS`) is
    dropped with it; every other line is kept, in order.
    """
    kept = []
    dropped = False
    for line in data.splitlines(keepends=True):
        bare = line.rstrip(b"\r\n")
        if is_log_line(bare) or (dropped and bare.startswith(CONTINUATIONS)):
            dropped = True
            continue
        dropped = False
        kept.append(line)
    return b"".join(kept)


def _flush_stderr():
    try:
        sys.stderr.flush()
    except (AttributeError, OSError, ValueError):
        pass


def _write_all(fd, data):
    while data:
        data = data[os.write(fd, data) :]


class FilteredStderr:
    """A context in which file descriptor 2 goes to a temporary file; on
    leaving, the lines that are not TensorFlow log lines are written on to
    the real stderr. Where fd 2 cannot be duplicated it does nothing."""

    def __enter__(self):
        self.saved = None
        _flush_stderr()
        try:
            self.saved = os.dup(2)
        except OSError:
            return self
        self.capture = tempfile.TemporaryFile()
        os.dup2(self.capture.fileno(), 2)
        return self

    def __exit__(self, *exc_info):
        if self.saved is None:
            return False
        _flush_stderr()
        os.dup2(self.saved, 2)
        os.close(self.saved)
        with self.capture:
            self.capture.seek(0)
            data = self.capture.read()
        kept = filter_log_lines(data)
        if kept:
            _write_all(2, kept)
        return False


def quiet_python_logs():
    """TensorFlow's and abseil's Python loggers pass errors only; Python
    warnings issued from their modules are ignored."""
    for name in PYTHON_LOGGERS:
        logging.getLogger(name).setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", module=WARNING_MODULES)


def quiet_tensorflow():
    """Keeps TensorFlow's log lines off stderr for this process.

    Before TensorFlow is imported: sets `ENVIRONMENT` and filters stderr
    while it loads. Either way: quiets its Python logging. Returns whether
    TensorFlow was still to be imported.
    """
    quiet_python_logs()
    if "tensorflow" in sys.modules:
        return False
    os.environ.update(ENVIRONMENT)
    from seqkit._import_hook import around_import

    around_import("tensorflow", FilteredStderr)
    return True
