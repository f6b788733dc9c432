"""The one fit loop of every seqkit application.

`fit` trains a compiled model epoch by epoch with early stopping on a
logged quantity and ends with the best epoch's weights in the model. Given
a checkpoint folder it keeps the best weights and every epoch on disk
(`BestWeights`, `EpochCheckpoint`), so `resume` continues after the last
complete epoch, even after a SIGKILL; without one (the steps of a
fine-tuning strategy) the best weights stay in memory.

An epoch is Keras's `Model.fit` by default. An application whose epoch is
something else passes `run_epoch`, and the same callbacks run around it:
the language model's BPTT with carried state (`training.recipes.lm`) and
the loop under `tf.distribute` (`training.distributed_fit`).
"""

import logging
import math

import keras

from seqkit.training.callbacks import (
    BestWeights,
    EpochCheckpoint,
    unknown_length_fit,
)

log = logging.getLogger(__name__)


class MemoryBest(keras.callbacks.Callback):
    """`BestWeights` without files: the best weights stay in memory.

    The same state (`best`, `best_epoch`, `wait`), the same early stop and
    the same `restore`, for fits that are not resumed (a fine-tuning
    step).
    """

    def __init__(self, monitor="val_loss", mode="min", patience=None):
        super().__init__()
        self.monitor = monitor
        self.mode = mode
        self.patience = patience
        worst = math.inf if mode == "min" else -math.inf
        self.state = {"best": worst, "best_epoch": None, "wait": 0}
        self.weights = None

    def on_epoch_end(self, epoch, logs=None):
        if self.monitor not in (logs or {}):
            raise ValueError(
                f"fit monitors {self.monitor!r}, which training did not "
                f"log; logged: {sorted(logs or {})}"
            )
        value = float(logs[self.monitor])
        best = self.state["best"]
        if value < best if self.mode == "min" else value > best:
            self.weights = self.model.get_weights()
            self.state = {"best": value, "best_epoch": epoch + 1, "wait": 0}
        else:
            self.state["wait"] += 1
        if self.patience is not None and self.state["wait"] >= self.patience:
            self.model.stop_training = True

    def restore(self, model=None):
        """Puts the best epoch's weights back; returns the state."""
        if self.weights is not None:
            (model or self.model).set_weights(self.weights)
        return self.state


class MemoryHistory(keras.callbacks.Callback):
    """The per-epoch logs of a fit without checkpoints."""

    def __init__(self):
        super().__init__()
        self.history = []

    def on_epoch_end(self, epoch, logs=None):
        row = {"epoch": epoch + 1}
        row.update({k: float(v) for k, v in (logs or {}).items()})
        self.history.append(row)


def monitor_mode(monitor):
    """`"max"` for accuracies and F1s, `"min"` for losses and the rest."""
    return "max" if monitor.endswith(("accuracy", "f1")) else "min"


def fit(
    model,
    train=None,
    valid=None,
    *,
    epochs,
    patience=None,
    monitor="val_loss",
    checkpoints=None,
    resume=False,
    verbose=1,
    logs=None,
    on_epoch_begin=None,
    class_weight=None,
    run_epoch=None,
    callbacks=(),
    measures=(),
):
    """Trains `model` with early stopping; it ends with the best weights.

    It stays whole: restoring, resuming, the early-stop check, the epochs
    and the final restore are one sequence whose order is the contract of
    a resumable run.

    Args:
        model: a compiled model whose weights (and, to resume, optimizer)
            are built.
        train: the training data (a dataset or `PyDataset` that shuffles
            itself: Keras does not shuffle it); unused with `run_epoch`.
        valid: the validation data; unused with `run_epoch`.
        epochs: the most epochs.
        patience: epochs without improvement of `monitor` before stopping
            (None: never stop early).
        monitor: the logged quantity to watch (`"val_loss"`,
            `"val_accuracy"`, ...); accuracies are maximised.
        checkpoints: a folder for the best weights and the epoch
            checkpoints (`resume` reads them), or None to keep the best
            weights in memory only. A folder whose `done` marker exists
            (a member finished before an interruption) is not trained
            again.
        resume: continue after the last complete epoch in `checkpoints`.
        verbose: Keras's progress display.
        logs: a folder for TensorBoard logs (Keras epochs only), or None.
        on_epoch_begin: called with the epoch number before each epoch.
        class_weight: Keras's `class_weight` (Keras epochs only).
        run_epoch: `run_epoch(epoch) -> logs` runs one epoch in place of
            `Model.fit`, returning the epoch's logs (with `monitor`).
        callbacks: more Keras callbacks, run after the engine's own.
        measures: Keras callbacks that add a quantity to the epoch's logs
            (`monitor` may be one), run before the engine's own.

    Returns:
        `(state, history)`: the best-epoch state (`best`, `best_epoch`,
        `wait`) and the per-epoch history (`epoch` and the logs).
    """
    mode = monitor_mode(monitor)
    if checkpoints is None:
        best = MemoryBest(monitor, mode, patience)
        last = MemoryHistory()
        done = None
        initial_epoch = 0
    else:
        checkpoints.mkdir(parents=True, exist_ok=True)
        best = BestWeights(str(checkpoints), monitor, mode, patience)
        last = EpochCheckpoint(str(checkpoints / "last"))
        done = checkpoints / "done"
        if done.exists():
            last.restore(model)
            return best.restore(model), last.history
        initial_epoch = last.restore(model) if resume else 0
    if initial_epoch:
        log.info("resuming after epoch %d", initial_epoch)
    stopped = best.state["wait"] >= (patience or math.inf)
    if not stopped and initial_epoch < epochs:
        callbacks = [*measures, best, last, *callbacks]
        if run_epoch is not None:
            _run_epochs(
                model,
                run_epoch,
                callbacks,
                initial_epoch,
                epochs,
                on_epoch_begin,
            )
        else:
            _keras_epochs(
                model,
                (train, valid),
                callbacks,
                (initial_epoch, epochs),
                on_epoch_begin,
                {
                    "logs": logs,
                    "class_weight": class_weight,
                    "verbose": verbose,
                },
            )
    state = best.restore(model)
    if done is not None:
        done.write_text("finished\n", encoding="utf-8")
    return state, last.history


def _keras_epochs(model, data, callbacks, epochs, begin, options):
    """Runs the epochs `epochs[0]` to `epochs[1]` through `Model.fit`."""
    callbacks = list(callbacks)
    if options["logs"] is not None:
        callbacks.insert(2, keras.callbacks.TensorBoard(str(options["logs"])))
    if begin is not None:
        callbacks.insert(
            0,
            keras.callbacks.LambdaCallback(
                on_epoch_begin=lambda epoch, _: begin(epoch)
            ),
        )
    with unknown_length_fit():
        model.fit(
            data[0],
            validation_data=data[1],
            epochs=epochs[1],
            initial_epoch=epochs[0],
            shuffle=False,  # the data shuffles itself
            callbacks=callbacks,
            class_weight=options["class_weight"],
            verbose=options["verbose"],
        )


def _run_epochs(model, run_epoch, callbacks, initial_epoch, epochs, begin):
    """Drives `callbacks` around `run_epoch` as `Model.fit` would."""
    for callback in callbacks:
        callback.set_model(model)
    model.stop_training = False
    for epoch in range(initial_epoch, epochs):
        if begin is not None:
            begin(epoch)
        logs = run_epoch(epoch)
        for callback in callbacks:
            callback.on_epoch_end(epoch, logs)
        if model.stop_training:
            break
