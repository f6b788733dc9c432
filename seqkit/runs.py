"""The run folder: load a finished run, read its settings, write its files.

Every JSON file of a run is written to a temporary name and moved into
place, so a process killed at any instant leaves the previous complete file.
"""

import json
import os
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
