"""Length bucketing for the PyTorch baseline, as torchtext's BucketIterator
did it: shuffle the examples, cut them into pools of 100 batches, sort each
pool by length, cut the pool into batches and shuffle those batches.

A batch then holds texts of nearly one length, so little padding is
computed, while the order of the batches stays random. Plain Python and
NumPy: the sampler is a `batch_sampler` for `torch.utils.data.DataLoader`
(any iterable of index lists with a length will do), and its tests run
without PyTorch.
"""

import math

import numpy as np

POOL_BATCHES = 100


class LengthBucketSampler:
    """Batches of example indices, each of texts of similar length.

    Every epoch (every `iter()`) draws a new order from `(seed, epoch)`:
    two samplers with the same seed give the same epochs, one after the
    other, and each epoch differs from the last. Each example appears in
    exactly one batch an epoch; at most one batch an epoch is short (the
    end of the last pool). Ties in length keep their shuffled order.

    Args:
        lengths: the length of each example.
        batch_size: examples per batch.
        seed: the seed of every epoch's order.
        pool_batches: batches per sorted pool (torchtext used 100).

    Raises:
        ValueError: if `batch_size` or `pool_batches` is not positive.

    Example:

    >>> sampler = LengthBucketSampler([3, 1, 2, 3], batch_size=2, seed=0)
    >>> sorted(len(batch) for batch in sampler)
    [2, 2]
    """

    def __init__(self, lengths, batch_size, seed=0, pool_batches=POOL_BATCHES):
        if batch_size < 1:
            raise ValueError(
                f"batch_size must be positive; received {batch_size}"
            )
        if pool_batches < 1:
            raise ValueError(
                f"pool_batches must be positive; received {pool_batches}"
            )
        self.lengths = np.asarray(lengths)
        self.batch_size = batch_size
        self.seed = seed
        self.pool_batches = pool_batches
        self.epoch = 0

    def set_epoch(self, epoch):
        """Makes the next `iter()` give epoch `epoch`'s batches."""
        self.epoch = epoch

    def __len__(self):
        return math.ceil(len(self.lengths) / self.batch_size)

    def __iter__(self):
        rng = np.random.default_rng((self.seed, self.epoch))
        self.epoch += 1
        order = rng.permutation(len(self.lengths))
        pool_size = self.batch_size * self.pool_batches
        for start in range(0, len(order), pool_size):
            pool = order[start : start + pool_size]
            pool = pool[np.argsort(self.lengths[pool], kind="stable")]
            batches = [
                pool[i : i + self.batch_size].tolist()
                for i in range(0, len(pool), self.batch_size)
            ]
            for index in rng.permutation(len(batches)):
                yield batches[index]
