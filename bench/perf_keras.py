"""The Keras training systems of `bench/perf_suite.py`: seqkit and the plain
Keras 3 scripts it is compared with.

Every system is the seqkit default single model (GloVe embedding,
fine-tuned; spatial dropout 0.3; a BiLSTM of `config.units` per
direction; max and mean pooling; dropout 0.5; a softmax), trained with
Adam at `config.learning_rate`, gradient clipping at norm 5, batches of
`config.batch_size`. They differ in how the batches are made and fed:

- `SeqkitSystem`: the library's own model and length-bucketed dataset, as
  `seqkit train sentiment --ensemble 1` trains it.
- `KerasPlainSystem`: the keras.io IMDB example's way: every text padded
  to one fixed length with `pad_sequences`, no mask.
- `KerasMaskedSystem`: Keras as its guides teach variable lengths: an
  `Embedding(mask_zero=True)`, a `tf.data` pipeline that pads each batch
  to its longest text (`padded_batch`) or groups texts by length first
  (`bucket_by_sequence_length`), and `steps_per_execution=16`.
"""

import time

import numpy as np

# What `seqkit.training.ensemble` uses; the masked Keras script takes the
# same, as the Keras guide on performance recommends for small steps.
STEPS_PER_EXECUTION = 16


class SeqkitSystem:
    """The seqkit default single model, trained as `fit_member` trains it."""

    def __init__(self, config, vectorizer, matrix, names, data):
        import keras

        from seqkit.data.pipelines import bucketed_dataset
        from seqkit.models.sentiment import build_classifier
        from seqkit.training.ensemble import compiled_ids_model

        keras.utils.set_random_seed(config.seed)
        self.classifier = build_classifier(
            config, vectorizer, names, matrix, seed=config.seed
        )
        self.model = compiled_ids_model(self.classifier, config)
        self.train = bucketed_dataset(
            *data["train"], config.batch_size, shuffle=True, seed=config.seed
        )
        self.eval = {
            name: bucketed_dataset(*data[name], 256)
            for name in ("valid", "test")
        }

    def epoch(self):
        from seqkit.training.callbacks import unknown_length_fit

        started = time.perf_counter()
        with unknown_length_fit():
            self.model.fit(self.train, epochs=1, verbose=0, shuffle=False)
        return time.perf_counter() - started

    def accuracy(self, split):
        result = self.model.evaluate(
            self.eval[split], verbose=0, return_dict=True
        )
        return float(result["accuracy"])


def plain_model(config, matrix, classes, mask_zero, steps_per_execution=1):
    """The default model written with `keras.layers` only, compiled.

    With `mask_zero`, the embedding masks id 0: the LSTM skips the padding
    and the mean pooling leaves it out; `GlobalMaxPooling1D` takes no
    mask, so there padded steps count as zeros (the LSTM's output there).
    """
    import keras
    from keras import layers

    inputs = keras.Input((None,), dtype="int32")
    x = layers.Embedding(
        matrix.shape[0],
        matrix.shape[1],
        embeddings_initializer=keras.initializers.Constant(matrix),
        mask_zero=mask_zero,
    )(inputs)
    x = layers.SpatialDropout1D(0.3)(x)
    x = layers.Bidirectional(layers.LSTM(config.units, return_sequences=True))(
        x
    )
    x = layers.Concatenate()(
        [layers.GlobalMaxPooling1D()(x), layers.GlobalAveragePooling1D()(x)]
    )
    x = layers.Dropout(0.5)(x)
    outputs = layers.Dense(classes, activation="softmax")(x)
    model = keras.Model(inputs, outputs)
    model.compile(
        optimizer=keras.optimizers.Adam(config.learning_rate, clipnorm=5.0),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
        steps_per_execution=steps_per_execution,
    )
    return model


class KerasPlainSystem:
    """The keras.io IMDB example's way: fixed length, padded, no mask."""

    def __init__(self, config, matrix, names, data, maxlen):
        import keras

        keras.utils.set_random_seed(config.seed)
        self.maxlen = maxlen
        self.x = {
            split: keras.utils.pad_sequences(ids, maxlen=maxlen)
            for split, (ids, _) in data.items()
        }
        self.y = {split: labels for split, (_, labels) in data.items()}
        self.model = plain_model(config, matrix, len(names), mask_zero=False)
        self.batch_size = config.batch_size

    def epoch(self):
        started = time.perf_counter()
        self.model.fit(
            self.x["train"],
            self.y["train"],
            batch_size=self.batch_size,
            epochs=1,
            shuffle=True,
            verbose=0,
        )
        return time.perf_counter() - started

    def accuracy(self, split):
        result = self.model.evaluate(
            self.x[split],
            self.y[split],
            batch_size=256,
            verbose=0,
            return_dict=True,
        )
        return float(result["accuracy"])


def masked_dataset(ids, labels, batch_size, shuffle=False, seed=0, edges=None):
    """Variable-length texts as `tf.data` batches, each padded with 0.

    Without `edges`, `padded_batch` pads every batch to its longest text;
    with `edges` (ascending lengths), `bucket_by_sequence_length` first
    groups the texts into length buckets and a bucket gives out a batch
    when full. With `shuffle`, the texts are shuffled anew every epoch.
    """
    import tensorflow as tf

    lengths = np.asarray([len(x) for x in ids], "int32")
    padded = np.zeros((len(ids), lengths.max()), "int32")
    for row, text in zip(padded, ids):
        row[: len(text)] = text
    dataset = tf.data.Dataset.from_tensor_slices(
        (padded, lengths, np.asarray(labels, "int32"))
    )
    if shuffle:
        dataset = dataset.shuffle(
            len(ids), seed=seed, reshuffle_each_iteration=True
        )
    # `padded_batch` takes dense elements: each text cut to its length.
    dataset = dataset.map(
        lambda row, length, label: (row[:length], label),
        num_parallel_calls=tf.data.AUTOTUNE,
    )
    if edges is None:
        dataset = dataset.padded_batch(batch_size)
    else:
        dataset = dataset.bucket_by_sequence_length(
            lambda text, label: tf.shape(text)[0],
            list(edges),
            [batch_size] * (len(edges) + 1),
        )
    return dataset.prefetch(tf.data.AUTOTUNE)


class KerasMaskedSystem:
    """Plain Keras with a mask and per-batch padding (`padded_batch`), or
    length buckets (`bucket_by_sequence_length`) where `edges` are given;
    `steps_per_execution=16` either way."""

    def __init__(self, config, matrix, names, data, edges=None):
        import keras

        keras.utils.set_random_seed(config.seed)
        self.train = masked_dataset(
            *data["train"],
            config.batch_size,
            shuffle=True,
            seed=config.seed,
            edges=edges,
        )
        self.eval = {
            split: masked_dataset(*data[split], 256)
            for split in ("valid", "test")
        }
        self.model = plain_model(
            config,
            matrix,
            len(names),
            mask_zero=True,
            steps_per_execution=STEPS_PER_EXECUTION,
        )

    def epoch(self):
        from seqkit.training.callbacks import unknown_length_fit

        started = time.perf_counter()
        with unknown_length_fit():  # buckets: a batch count Keras can't know
            # The dataset shuffles itself (Keras warns that it can't).
            self.model.fit(self.train, epochs=1, verbose=0, shuffle=False)
        return time.perf_counter() - started

    def accuracy(self, split):
        result = self.model.evaluate(
            self.eval[split], verbose=0, return_dict=True
        )
        return float(result["accuracy"])
