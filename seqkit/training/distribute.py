"""Training under `tf.distribute`: strategies, the cluster, the input split.

`--distribute` names a strategy:

- `none`: TensorFlow's default strategy (one device);
- `mirrored`: `tf.distribute.MirroredStrategy` over this machine's GPUs,
  or, without GPUs, over its logical CPU devices;
- `multi-worker`: `tf.distribute.MultiWorkerMirroredStrategy` over the
  workers that the `TF_CONFIG` environment variable describes.

Every worker builds the same sequence of global batches (same data, same
seed) and keeps its own rows of each (`worker_rows`), so each example is
seen once per epoch across the workers and every worker runs the same
number of steps. The gradient is the mean over the global batch, as on one
device.
"""

import json
import logging
import os
from dataclasses import dataclass

import numpy as np

from seqkit.errors import SeqkitError

log = logging.getLogger("seqkit")

STRATEGIES = ("none", "mirrored", "multi-worker")


@dataclass(frozen=True)
class Cluster:
    """Where this process stands in a `TF_CONFIG` cluster.

    Attributes:
        workers: how many workers.
        index: this worker's index.
    """

    workers: int = 1
    index: int = 0

    @property
    def is_chief(self):
        """Worker 0 writes the run folder; the others only train."""
        return self.index == 0


def read_tf_config(environ=None):
    """The cluster described by `TF_CONFIG`, checked.

    Raises:
        SeqkitError: `TF_CONFIG` is missing, not JSON, or not a worker
            cluster with this task in it.
    """
    environ = os.environ if environ is None else environ
    raw = environ.get("TF_CONFIG")
    if not raw:
        raise SeqkitError(
            "--distribute multi-worker needs the TF_CONFIG environment "
            'variable, e.g. {"cluster": {"worker": ["host1:port", '
            '"host2:port"]}, "task": {"type": "worker", "index": 0}}'
        )
    try:
        config = json.loads(raw)
    except json.JSONDecodeError as error:
        raise SeqkitError(f"TF_CONFIG is not valid JSON: {error}") from None
    workers = (config.get("cluster") or {}).get("worker")
    task = config.get("task") or {}
    if not isinstance(workers, list) or not workers:
        raise SeqkitError(
            "TF_CONFIG: field cluster.worker must be a non-empty list of "
            f"host:port addresses; received {workers!r}"
        )
    if task.get("type") != "worker":
        raise SeqkitError(
            "TF_CONFIG: field task.type must be 'worker'; received "
            f"{task.get('type')!r}"
        )
    index = task.get("index")
    if not isinstance(index, int) or not 0 <= index < len(workers):
        raise SeqkitError(
            f"TF_CONFIG: field task.index must be 0..{len(workers) - 1}; "
            f"received {index!r}"
        )
    return Cluster(len(workers), index)


def make_strategy(name):
    """The `tf.distribute` strategy for a `--distribute` value.

    Returns:
        `(strategy, cluster)`.

    Raises:
        SeqkitError: an unknown name, or a bad `TF_CONFIG`.
    """
    import tensorflow as tf

    if name not in STRATEGIES:
        raise SeqkitError(
            f"--distribute must be one of {STRATEGIES}; received {name!r}"
        )
    if name == "none":
        return tf.distribute.get_strategy(), Cluster()
    if name == "mirrored":
        devices = tf.config.list_logical_devices("GPU") or (
            tf.config.list_logical_devices("CPU")
        )
        strategy = tf.distribute.MirroredStrategy([d.name for d in devices])
        log.info(
            "mirrored over %d device%s: %s",
            len(devices),
            "" if len(devices) == 1 else "s",
            ", ".join(d.name for d in devices),
        )
        return strategy, Cluster()
    cluster = read_tf_config()
    strategy = tf.distribute.MultiWorkerMirroredStrategy()
    log.info(
        "worker %d of %d (%d replicas in sync)",
        cluster.index,
        cluster.workers,
        strategy.num_replicas_in_sync,
    )
    return strategy, cluster


def global_batches(lengths, batch_size, boundaries, seed, epoch):
    """One epoch of global batches: index arrays grouped by length.

    The examples are shuffled (seeded by `seed` and `epoch`, so every
    worker computes the same batches), put in length buckets, and each
    bucket is cut into batches of `batch_size`; the batches come out in a
    shuffled order. Every example is in exactly one batch.

    Args:
        lengths: the length of each example.
        batch_size: rows per global batch.
        boundaries: bucket edges (as in `bucketed_dataset`).
        seed: the run's seed.
        epoch: the epoch number (0-based).

    Returns:
        A list of int arrays of example indices.
    """
    rng = np.random.default_rng([seed, epoch])
    order = rng.permutation(len(lengths))
    buckets = np.searchsorted(
        np.asarray(boundaries), np.asarray(lengths)[order], side="right"
    )
    batches = []
    for bucket in np.unique(buckets):
        members = order[buckets == bucket]
        batches.extend(
            members[start : start + batch_size]
            for start in range(0, len(members), batch_size)
        )
    return [batches[i] for i in rng.permutation(len(batches))]


def worker_rows(batch, cluster):
    """This worker's rows of a global batch (every `workers`-th row)."""
    return batch[cluster.index :: cluster.workers]


def pad_rows(sequences, rows, length):
    """`[len(rows), length]` int32 ids, right-padded with 0."""
    padded = np.zeros((len(rows), length), "int32")
    for row, index in zip(padded, rows):
        sequence = sequences[index]
        row[: len(sequence)] = sequence
    return padded
