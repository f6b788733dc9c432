"""The resumable fit loop the caption and document runs share."""

import logging

log = logging.getLogger(__name__)


def fit_resumably(
    model,
    train,
    valid,
    out,
    epochs,
    patience,
    resume=False,
    verbose=1,
    on_epoch_begin=None,
):
    """Fits with early stopping, best weights and a checkpoint per epoch.

    Early stopping watches the validation loss and keeps the best weights
    on disk (`BestWeights`); every epoch writes `RUN/checkpoints/last`
    (weights, optimizer state, history), from which `resume` continues.
    TensorBoard logs go to `RUN/logs`. Batches are not shuffled by Keras:
    `train` shuffles itself (give `on_epoch_begin` to reseed it).

    Args:
        model: a compiled model whose weights are built.
        train: the training data (a dataset or `PyDataset`).
        valid: the validation data.
        out: the run folder (a `Path`).
        epochs: the most epochs.
        patience: epochs without a lower validation loss before stopping.
        resume: continue after the last complete epoch.
        verbose: Keras progress display.
        on_epoch_begin: called with the epoch number before each epoch.

    Returns:
        `(best, history)`: the best-weights state (`best`, `best_epoch`,
        `wait`) and the per-epoch history. The model holds the best
        weights.
    """
    import keras

    from seqkit.training.callbacks import BestWeights, EpochCheckpoint

    checkpoints = out / "checkpoints"
    checkpoints.mkdir(parents=True, exist_ok=True)
    best = BestWeights(str(checkpoints), monitor="val_loss", patience=patience)
    last = EpochCheckpoint(str(checkpoints / "last"))
    initial_epoch = last.restore(model) if resume else 0
    if initial_epoch:
        log.info("resuming after epoch %d", initial_epoch)
    callbacks = [best, last, keras.callbacks.TensorBoard(str(out / "logs"))]
    if on_epoch_begin is not None:
        callbacks.insert(
            0,
            keras.callbacks.LambdaCallback(
                on_epoch_begin=lambda epoch, logs: on_epoch_begin(epoch)
            ),
        )
    if best.state["wait"] < patience and initial_epoch < epochs:
        model.fit(
            train,
            validation_data=valid,
            epochs=epochs,
            initial_epoch=initial_epoch,
            shuffle=False,
            callbacks=callbacks,
            verbose=verbose,
        )
    return best.restore(model), last.history
