"""Length-bucketed batches: the same batches as tf.data's own bucketing."""

import numpy as np
import pytest

from seqkit.data.pipelines import bucket_boundaries, bucketed_dataset


def reference_dataset(sequences, labels, batch_size, shuffle, seed, edges):
    """The batches by `Dataset.bucket_by_sequence_length`, example by example.

    An independent construction: every example is its own dataset element,
    shuffled with the same seed, then grouped by tf.data's bucketing.
    """
    import tensorflow as tf

    lengths = [len(s) for s in sequences]
    padded = np.zeros((len(sequences), max(lengths)), "int32")
    for row, sequence in zip(padded, sequences):
        row[: len(sequence)] = sequence
    dataset = tf.data.Dataset.from_tensor_slices(
        (padded, np.asarray(lengths, "int32"), np.asarray(labels, "int32"))
    ).map(lambda ids, length, label: (ids[:length], label))
    if shuffle:
        dataset = dataset.shuffle(
            len(sequences), seed=seed, reshuffle_each_iteration=True
        )
    return dataset.bucket_by_sequence_length(
        element_length_func=lambda ids, label: tf.shape(ids)[0],
        bucket_boundaries=list(edges),
        bucket_batch_sizes=[batch_size] * (len(edges) + 1),
    )


def random_data(count, seed):
    rng = np.random.default_rng(seed)
    lengths = rng.integers(1, 40, count)
    sequences = [rng.integers(1, 500, n).astype("int32") for n in lengths]
    labels = rng.integers(0, 3, count)
    return sequences, labels


def epochs_of(dataset, epochs):
    return [
        [(ids.numpy(), labels.numpy()) for ids, labels in dataset]
        for _ in range(epochs)
    ]


@pytest.mark.parametrize(
    "count, batch_size, shuffle, edges",
    [
        (203, 8, True, None),  # quantile buckets, part-filled batches
        (203, 8, False, None),
        (96, 4, True, [5, 10, 20]),
        (50, 64, True, [10]),  # no full batch at all
        (70, 7, True, []),  # a single bucket
    ],
)
def test_batches_equal_tf_data_bucketing(count, batch_size, shuffle, edges):
    import keras

    sequences, labels = random_data(count, seed=count)
    lengths = [len(s) for s in sequences]
    edges = bucket_boundaries(lengths) if edges is None else edges
    keras.utils.set_random_seed(3)
    ours = bucketed_dataset(
        sequences,
        labels,
        batch_size,
        shuffle=shuffle,
        seed=11,
        boundaries=edges,
    )
    keras.utils.set_random_seed(3)
    theirs = reference_dataset(
        sequences, labels, batch_size, shuffle, 11, edges
    )
    our_epochs, their_epochs = epochs_of(ours, 3), epochs_of(theirs, 3)
    for mine, reference in zip(our_epochs, their_epochs):
        assert len(mine) == len(reference)
        for (ids, y), (ref_ids, ref_y) in zip(mine, reference):
            assert ids.dtype == ref_ids.dtype == np.int32
            np.testing.assert_array_equal(ids, ref_ids)
            np.testing.assert_array_equal(y, ref_y)
    if shuffle:  # a new order every epoch
        first = np.concatenate([y for _, y in our_epochs[0]])
        firsts = [ids[0, 0] for ids, _ in our_epochs[0]]
        seconds = [ids[0, 0] for ids, _ in our_epochs[1]]
        assert len(first) == count
        assert firsts != seconds


def test_every_example_once_in_one_bucket_padded_to_its_longest():
    sequences, labels = random_data(300, seed=5)
    labels = np.arange(300)  # labels name the examples
    edges = [6, 12, 24]
    dataset = bucketed_dataset(
        sequences, labels, 16, shuffle=True, seed=2, boundaries=edges
    )
    seen = []
    for ids, rows in dataset:
        ids, rows = ids.numpy(), rows.numpy()
        lengths = np.array([len(sequences[r]) for r in rows])
        assert ids.shape == (len(rows), lengths.max())
        assert len(set(np.searchsorted(edges, lengths, side="right"))) == 1
        for row, index in zip(ids, rows):
            n = len(sequences[index])
            np.testing.assert_array_equal(row[:n], sequences[index])
            assert not row[n:].any()
        seen.extend(rows.tolist())
    assert sorted(seen) == list(range(300))


def test_empty_input_gives_no_batches():
    assert list(bucketed_dataset([], [], 4)) == []


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="3 sequences but 2 labels"):
        bucketed_dataset([[1], [2], [3]], [0, 1], 4)
    with pytest.raises(ValueError, match="batch_size must be positive"):
        bucketed_dataset([[1]], [0], 0)
