"""The run folder: load a finished run, read its settings, write its files.

Every JSON file of a run is written to a temporary name and moved into
place, so a process killed at any instant leaves the previous complete file.
"""

import contextlib
import json
import os
import time
from pathlib import Path

from seqkit.pretrained import resolve


def load_run(run):
    """Loads `RUN/model.keras` (a seqkit text model).

    Args:
        run: the run folder, or the name of a shipped pretrained model
            (`seqkit.pretrained`, e.g. `deepmoji-tweets`).

    Returns:
        The Keras model.

    Raises:
        ValueError: if the folder holds no finished run.
    """
    path = Path(resolve(run)) / "model.keras"
    if not path.is_file():
        raise ValueError(
            f"{run} holds no model.keras: is it a finished seqkit run?"
        )
    import keras

    import seqkit

    seqkit.register_with_keras()
    return keras.saving.load_model(path)


def run_config(run):
    """The `config.json` of a run (or shipped model), as a dict."""
    with open(Path(resolve(run)) / "config.json", encoding="utf-8") as handle:
        return json.load(handle)


def write_json_atomic(path, value):
    """Writes JSON to `path` through a temporary file and a rename."""
    tmp = f"{path}.tmp"
    with open(tmp, "w", encoding="utf-8") as handle:
        json.dump(value, handle, indent=2)
        handle.write("\n")
    os.replace(tmp, path)


def run_settings(run):
    """A run's `config.json` and `data.json` (what the data decided)."""
    settings = {}
    for name in ("config", "data"):
        file = Path(resolve(run)) / f"{name}.json"
        with open(file, encoding="utf-8") as handle:
            settings[name] = json.load(handle)
    return settings["config"], settings["data"]


def prepare_run_folder(out, config, resume):
    """Checks `out` for a new run (empty) or a resume (an unfinished run
    with the same settings) and writes `config.json` for a new run.

    Raises:
        ValueError: a non-empty `out` without `resume`; `resume` of a
            finished or absent run, or with changed settings (named).
    """
    config_path = out / "config.json"
    if resume:
        if not config_path.exists():
            raise ValueError(f"--resume: {out} holds no run to resume")
        if (out / "metrics.json").exists():
            raise ValueError(f"--resume: the run in {out} already finished")
        with open(config_path, encoding="utf-8") as handle:
            saved = json.load(handle)
        if saved != config.to_dict():
            changed = sorted(
                k for k in saved if saved[k] != config.to_dict().get(k)
            )
            raise ValueError(
                f"--resume: the settings differ from the run's config.json "
                f"({', '.join(changed)})"
            )
        return
    if out.exists() and any(
        not p.name.startswith(".worker-") for p in out.iterdir()
    ):
        raise ValueError(
            f"{out} is not empty: choose a new --out, or --resume an "
            "interrupted run"
        )
    out.mkdir(parents=True, exist_ok=True)
    write_json_atomic(config_path, config.to_dict())


class Stopwatch:
    """Wall-clock seconds of a job's steps, in the order they ran.

    A run's `metrics.json` keeps them under `"seconds"`, so a user sees
    where the time to a finished run went (reading the data, the word
    vectors, training, the n-gram side, saving, scoring) beside the
    epochs themselves.

    Example:

    ```python
    from seqkit.runs import Stopwatch

    watch = Stopwatch()
    with watch.step("read"):
        rows = list(range(1000))
    report = watch.report()
    assert list(report) == ["read", "other", "total"]
    assert report["total"] >= report["read"]
    ```
    """

    def __init__(self):
        self.started = time.perf_counter()
        self.seconds = {}

    @contextlib.contextmanager
    def step(self, name):
        """Adds the time spent in the `with` block to step `name`."""
        begun = time.perf_counter()
        try:
            yield
        finally:
            spent = time.perf_counter() - begun
            self.seconds[name] = self.seconds.get(name, 0.0) + spent

    def report(self):
        """`{step: seconds, ..., "other": untimed, "total": since
        creation}`, rounded to hundredths; `other` is what no step
        covered."""
        total = time.perf_counter() - self.started
        timed = sum(self.seconds.values())
        report = {name: round(s, 2) for name, s in self.seconds.items()}
        report["other"] = round(max(total - timed, 0.0), 2)
        report["total"] = round(total, 2)
        return report

    def summary(self):
        """One line for the log: `total 36.3 s (read 0.1, ...)`."""
        report = self.report()
        total = report.pop("total")
        parts = ", ".join(f"{name} {s:.1f}" for name, s in report.items())
        return f"{total:.1f} s ({parts})"
