"""The training loop under a `tf.distribute` strategy.

Keras 3's `Model.fit` fails under `MultiWorkerMirroredStrategy`
(keras-team/keras#20585: it all-reduces the first input batch while
building), so distributed runs use this loop: `strategy.run` of one step
per global batch, Keras's optimizer (which sums the replicas' gradients)
and seqkit's own callbacks (`BestWeights`, `EpochCheckpoint`), called at
the end of every epoch as `fit` would.

Every replica's loss is its rows' summed loss divided by the global batch
size, so the summed gradient is the global batch's mean gradient: the same
step as on one device with the same batch.
"""

import logging
import time

import numpy as np

from seqkit.data.pipelines import bucket_boundaries
from seqkit.errors import SeqkitError
from seqkit.training.distribute import global_batches, pad_rows

log = logging.getLogger("seqkit")


def epoch_runner(model, strategy, cluster, data, config, seed, class_weight):
    """`run_epoch(epoch) -> logs` for `seqkit.training.fit.fit`.

    One epoch trains a compiled ids model (built under `strategy.scope()`)
    on this worker's rows of the epoch's global batches, then measures the
    validation loss and accuracy.

    Args:
        model: the compiled Keras model (token ids -> probabilities).
        strategy: its `tf.distribute` strategy.
        cluster: this worker's `Cluster`.
        data: `(train_ids, train_y, valid_ids, valid_y)`.
        config: the member's settings (`epochs`, `batch_size`).
        seed: the seed of the batches' order.
        class_weight: a dict or None.

    Returns:
        The function.
    """
    train_ids, train_y, valid_ids, valid_y = data
    train_step, eval_step = _steps(model, strategy, class_weight)
    lengths = [len(s) for s in train_ids]
    boundaries = bucket_boundaries(lengths)
    valid_batches = _sorted_batches(valid_ids, 256)

    def run_epoch(epoch):
        started = time.perf_counter()
        batches = global_batches(
            lengths, config.batch_size, boundaries, seed, epoch
        )
        train = _run(
            train_step,
            _dataset(strategy, cluster, batches, train_ids, train_y),
            len(batches),
        )
        valid = _run(
            eval_step,
            _dataset(strategy, cluster, valid_batches, valid_ids, valid_y),
            len(valid_batches),
        )
        logs = {
            "accuracy": train[1] / len(train_ids),
            "loss": train[0] / len(train_ids),
            "val_accuracy": valid[1] / len(valid_ids),
            "val_loss": valid[0] / len(valid_ids),
        }
        log.info(
            "epoch %d/%d (%.1f s): %s",
            epoch + 1,
            config.epochs,
            time.perf_counter() - started,
            " - ".join(f"{k}: {v:.4f}" for k, v in logs.items()),
        )
        return logs

    return run_epoch


def evaluate_distributed(model, strategy, cluster, sequences, labels):
    """The mean loss of `model` on labelled sequences, under `strategy`."""
    _, eval_step = _steps(model, strategy, None)
    batches = _sorted_batches(sequences, 256)
    loss, _ = _run(
        eval_step,
        _dataset(strategy, cluster, batches, sequences, labels),
        len(batches),
    )
    return loss / len(sequences)


def _sorted_batches(sequences, size):
    order = np.argsort([len(s) for s in sequences], kind="stable")
    return [order[i : i + size] for i in range(0, len(order), size)]


def _dataset(strategy, cluster, batches, sequences, labels):
    """Each replica's rows of each global batch, as a distributed dataset.

    All workers iterate the same global batches; replica `r` (of `R` in
    the cluster) takes rows `r, r + R, ...` of each, padded to the global
    batch's longest sequence, with the global row count for the loss.
    """
    import tensorflow as tf

    replicas = strategy.num_replicas_in_sync
    local = replicas // cluster.workers

    def input_fn(context):
        def rows():
            for batch in batches:
                length = max(len(sequences[i]) for i in batch)
                for replica in range(local):
                    first = context.input_pipeline_id * local + replica
                    mine = batch[first::replicas]
                    yield (
                        pad_rows(sequences, mine, length),
                        np.asarray(labels)[mine].astype("int32"),
                        np.float32(len(batch)),
                    )

        return tf.data.Dataset.from_generator(
            rows,
            output_signature=(
                tf.TensorSpec([None, None], tf.int32),
                tf.TensorSpec([None], tf.int32),
                tf.TensorSpec([], tf.float32),
            ),
        ).prefetch(2)

    return strategy.distribute_datasets_from_function(input_fn)


def _run(step, dataset, steps):
    import tensorflow as tf

    iterator = iter(dataset)
    loss, correct = 0.0, 0.0
    try:
        for _ in range(steps):
            step_loss, step_correct = step(iterator)
            loss += float(step_loss)
            correct += float(step_correct)
    except (tf.errors.UnavailableError, tf.errors.AbortedError) as error:
        lines = [
            line.strip()
            for line in str(error).splitlines()
            if line.strip()
            and not line.strip().startswith("[[")
            and "Graph execution error" not in line
        ]
        message = lines[0] if lines else type(error).__name__
        raise WorkerLostError(
            f"a worker of the cluster stopped ({message}); restart every "
            "worker with the same command: the run resumes from its last "
            "finished epoch"
        ) from None
    return loss, correct


class WorkerLostError(SeqkitError):
    """Another worker stopped in the middle of a distributed step."""


def _steps(model, strategy, class_weight):
    """The replicated train and evaluation steps (tf.functions)."""
    import keras
    import tensorflow as tf

    weights = None
    if class_weight:
        weights = tf.constant(
            [class_weight[i] for i in range(len(class_weight))], tf.float32
        )

    def losses_and_correct(x, y, training):
        probabilities = model(x, training=training)
        losses = keras.losses.sparse_categorical_crossentropy(y, probabilities)
        predicted = tf.argmax(probabilities, -1, output_type=tf.int32)
        correct = tf.reduce_sum(tf.cast(tf.equal(predicted, y), tf.float32))
        return losses, correct

    def train(x, y, global_rows):
        with tf.GradientTape() as tape:
            losses, correct = losses_and_correct(x, y, True)
            weighted = (
                losses if weights is None else losses * tf.gather(weights, y)
            )
            loss = tf.reduce_sum(weighted) / global_rows
        variables = model.trainable_variables
        gradients = tape.gradient(loss, variables)
        model.optimizer.apply(gradients, variables)
        return tf.reduce_sum(losses), correct

    def evaluate(x, y, global_rows):
        losses, correct = losses_and_correct(x, y, False)
        return tf.reduce_sum(losses), correct

    def replicated(fn):
        @tf.function(reduce_retracing=True)
        def step(iterator):
            loss, correct = strategy.run(fn, args=next(iterator))
            total = tf.distribute.ReduceOp.SUM
            return (
                strategy.reduce(total, loss, axis=None),
                strategy.reduce(total, correct, axis=None),
            )

        return step

    return replicated(train), replicated(evaluate)
