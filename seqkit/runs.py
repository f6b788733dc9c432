"""The run folder: load a finished run, read its settings, write its files.

Every JSON file of a run is written to a temporary name and moved into
place, so a process killed at any instant leaves the previous complete file.
"""

import json
import os
from pathlib import Path


def load_run(run):
    """Loads `RUN/model.keras` (a seqkit text model).

    Args:
        run: the run folder.

    Returns:
        The Keras model.

    Raises:
        ValueError: if the folder holds no finished run.
    """
    path = Path(run) / "model.keras"
    if not path.is_file():
        raise ValueError(
            f"{run} holds no model.keras: is it a finished seqkit run?"
        )
    import keras

    import seqkit

    seqkit.register_with_keras()
    return keras.saving.load_model(path)


def run_config(run):
    """The `config.json` of a run, as a dict."""
    with open(Path(run) / "config.json", encoding="utf-8") as handle:
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
        file = Path(run) / f"{name}.json"
        with open(file, encoding="utf-8") as handle:
            settings[name] = json.load(handle)
    return settings["config"], settings["data"]
