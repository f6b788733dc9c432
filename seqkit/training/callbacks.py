"""Callbacks whose state survives an interruption."""

import json
import math
import os

import keras


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
            self.model.save_weights(self.weights_path)
            self.state = {
                "best": float(value),
                "best_epoch": epoch + 1,
                "wait": 0,
            }
        else:
            self.state["wait"] += 1
        with open(self.state_path, "w", encoding="utf-8") as handle:
            json.dump(self.state, handle)
        if self.patience is not None and self.state["wait"] >= self.patience:
            self.model.stop_training = True

    def restore(self, model=None):
        """Loads the best weights into `model` (default: the fitted one)."""
        if os.path.exists(self.weights_path):
            (model or self.model).load_weights(self.weights_path)
        return self.state
