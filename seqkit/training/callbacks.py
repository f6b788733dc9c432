"""Callbacks whose state survives an interruption, even a SIGKILL.

Every file is written to a temporary name and moved into place, so a
process killed at any instant leaves the previous complete state behind.
"""

import contextlib
import json
import math
import os
import shutil
import warnings

import keras
import numpy as np

from seqkit.runs import write_json_atomic


@contextlib.contextmanager
def unknown_length_fit():
    """Silences Keras's end-of-first-epoch warning for datasets of unknown
    length (length bucketing makes the batch count unknown)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Your input ran out of data")
        yield


class BestWeights(keras.callbacks.Callback):
    """Early stopping that keeps the best weights on disk, resumably.

    After each epoch it compares `monitor` with the best so far; on an
    improvement it writes the weights to `DIR/best.weights.h5` and its state
    (best value, best epoch, epochs since) to `DIR/best.json`. After
    `patience` epochs without improvement it stops training. A resumed run
    reads the state back, so an interruption loses neither the best weights
    nor the patience count (Keras's `EarlyStopping` keeps both in memory).
    Call `restore()` after `fit` to load the best weights.

    Args:
        directory: where the files go.
        monitor: the logged quantity, e.g. `"val_loss"`.
        mode: `"min"` or `"max"`.
        patience: epochs without improvement before stopping (None: never).
        min_delta: the smallest change that counts as an improvement.
    """

    def __init__(
        self,
        directory,
        monitor="val_loss",
        mode="min",
        patience=None,
        min_delta=0.0,
    ):
        super().__init__()
        if mode not in ("min", "max"):
            raise ValueError(f"mode must be 'min' or 'max'; received {mode!r}")
        self.directory = directory
        self.monitor = monitor
        self.mode = mode
        self.patience = patience
        self.min_delta = min_delta
        self.weights_path = os.path.join(directory, "best.weights.h5")
        self.state_path = os.path.join(directory, "best.json")
        self.state = self._load_state()

    def _load_state(self):
        if os.path.exists(self.state_path):
            with open(self.state_path, encoding="utf-8") as handle:
                return json.load(handle)
        worst = math.inf if self.mode == "min" else -math.inf
        return {"best": worst, "best_epoch": None, "wait": 0}

    def _improved(self, value):
        best = self.state["best"]
        if self.mode == "min":
            return value < best - self.min_delta
        return value > best + self.min_delta

    def on_epoch_end(self, epoch, logs=None):
        value = (logs or {}).get(self.monitor)
        if value is None:
            raise ValueError(
                f"BestWeights monitors {self.monitor!r}, which training did "
                f"not log; logged: {sorted(logs or {})}"
            )
        if self._improved(float(value)):
            os.makedirs(self.directory, exist_ok=True)
            tmp = self.weights_path.replace(".weights.h5", ".tmp.weights.h5")
            self.model.save_weights(tmp)
            os.replace(tmp, self.weights_path)
            self.state = {
                "best": float(value),
                "best_epoch": epoch + 1,
                "wait": 0,
            }
        else:
            self.state["wait"] += 1
        write_json_atomic(self.state_path, self.state)
        if self.patience is not None and self.state["wait"] >= self.patience:
            self.model.stop_training = True

    def restore(self, model=None):
        """Loads the best weights into `model` (default: the fitted one)."""
        if os.path.exists(self.weights_path):
            (model or self.model).load_weights(self.weights_path)
        return self.state


class EpochCheckpoint(keras.callbacks.Callback):
    """Saves weights, optimizer state and history after every epoch.

    Each epoch goes to `DIR/epoch-N/` (weights and optimizer variables);
    then `DIR/latest.json` (epoch, history, folder) is replaced atomically
    and older epoch folders are removed. `restore(model)` loads the latest
    complete epoch into a compiled model and returns the epoch to pass as
    `fit(initial_epoch=...)`. Unlike `keras.callbacks.BackupAndRestore`,
    a kill while writing cannot leave a half-written checkpoint in use, and
    the optimizer's moments survive.

    Args:
        directory: where the checkpoints go.
    """

    def __init__(self, directory):
        super().__init__()
        self.directory = directory
        self.latest_path = os.path.join(directory, "latest.json")
        self.history = []

    def read_latest(self):
        """The latest complete checkpoint's record, or None."""
        if not os.path.exists(self.latest_path):
            return None
        with open(self.latest_path, encoding="utf-8") as handle:
            return json.load(handle)

    def restore(self, model):
        """Loads the latest epoch into `model`; returns epochs done (0+)."""
        latest = self.read_latest()
        if latest is None:
            return 0
        folder = os.path.join(self.directory, latest["folder"])
        model.load_weights(os.path.join(folder, "model.weights.h5"))
        optimizer = model.optimizer
        optimizer.build(model.trainable_variables)
        with np.load(os.path.join(folder, "optimizer.npz")) as values:
            stored = [values[f"v{i}"] for i in range(len(values.files))]
        if len(stored) != len(optimizer.variables):
            raise ValueError(
                f"{folder}: the checkpoint holds {len(stored)} optimizer "
                f"variables, the model has {len(optimizer.variables)}"
            )
        for variable, value in zip(optimizer.variables, stored):
            variable.assign(value)
        self.history = list(latest["history"])
        return int(latest["epoch"])

    def on_epoch_end(self, epoch, logs=None):
        os.makedirs(self.directory, exist_ok=True)
        folder = f"epoch-{epoch + 1}"
        path = os.path.join(self.directory, folder)
        tmp = path + ".tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        os.makedirs(tmp)
        self.model.save_weights(os.path.join(tmp, "model.weights.h5"))
        np.savez(
            os.path.join(tmp, "optimizer.npz"),
            **{
                f"v{i}": keras.ops.convert_to_numpy(v)
                for i, v in enumerate(self.model.optimizer.variables)
            },
        )
        shutil.rmtree(path, ignore_errors=True)
        os.replace(tmp, path)
        row = {"epoch": epoch + 1}
        row.update({k: float(v) for k, v in (logs or {}).items()})
        self.history.append(row)
        write_json_atomic(
            self.latest_path,
            {"epoch": epoch + 1, "folder": folder, "history": self.history},
        )
        for name in os.listdir(self.directory):
            if name.startswith("epoch-") and name != folder:
                shutil.rmtree(
                    os.path.join(self.directory, name), ignore_errors=True
                )


class ValidationF1(keras.callbacks.Callback):
    """Adds the validation split's macro-F1 to each epoch's logs.

    Keras's validation loss and accuracy reward the frequent classes; a
    task scored by macro-F1 over many uneven classes (20 emoji) wants its
    best epoch chosen by that. Passed to `fit` among its `measures`, it
    runs before early stopping reads the logs.

    Args:
        data: the validation batches, `(inputs, labels)` pairs.
        name: the key it logs (`val_macro_f1`).
    """

    def __init__(self, data, name="val_macro_f1"):
        super().__init__()
        self.data = data
        self.name = name

    def on_epoch_end(self, epoch, logs=None):
        from sklearn.metrics import f1_score

        found, truth = [], []
        for inputs, labels in self.data:
            found.append(np.asarray(self.model.predict_on_batch(inputs)))
            truth.append(np.asarray(labels))
        predicted = np.concatenate(found).argmax(-1)
        score = f1_score(np.concatenate(truth), predicted, average="macro")
        if logs is not None:
            logs[self.name] = float(score)
