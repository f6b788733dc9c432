"""An n-gram classifier that runs in the graph, and its mix with an RNN.

`NgramClassifier` is TF-IDF of word and character n-grams followed by a
linear layer and a softmax: what a careful user fits with scikit-learn in
seconds, but computed from raw strings by TensorFlow ops, so it saves in a
`.keras` file and exports in a SavedModel like any other model. The
weights come from scikit-learn (`seqkit.training.ngram.fit_ngram`).

The features of a text, in order:

1. its tokens, from the run's tokenizer (`WordTokenizer` or
   `TweetTokenizer`, with the settings its config gives);
2. word n-grams of `word_orders` (tokens joined by one space, tagged
   `"w "`), then character n-grams of `char_orders` inside each token
   padded with one space at both ends (tagged `"c "`): a token shorter than
   n gives none of width n;
3. each known n-gram's count `c` becomes `(1 + ln c) * idf`, and each
   block (words, characters) is scaled to unit Euclidean length, as
   scikit-learn's `TfidfVectorizer(sublinear_tf=True)` does for each block
   of a `FeatureUnion`; unknown n-grams are dropped.

`MixedClassifier` averages a recurrent classifier and an `NgramClassifier`
with a share chosen on validation (`seqkit.training.ngram.choose_weight`).
"""

import keras
import numpy as np
import tensorflow as tf

WORD_TAG = "w "
CHAR_TAG = "c "


def _tokenizer_from_config(config):
    from seqkit.preprocessing.text_vectorizer import make_tokenizer

    config = dict(config)
    kind = config.pop("kind", "word")
    return make_tokenizer(
        kind,
        config.get("lowercase", True),
        "none"
        if config.get("normalization", "x") is None
        else config.get("normalization"),
        config.get("split_punctuation", True),
        config.get("strip_markup", False),
    )


def tokenizer_config(tokenizer):
    """The `tokenizer` argument of `NgramClassifier` for a tokenizer."""
    from seqkit.preprocessing.tweet_tokenizer import TweetTokenizer

    kind = "tweet" if isinstance(tokenizer, TweetTokenizer) else "word"
    return {"kind": kind, **tokenizer.get_config()}


def ngram_strings(tokenizer, texts, word_orders=(1, 2), char_orders=(2, 5)):
    """The tagged n-grams of each text, a `tf.RaggedTensor` `[batch, None]`.

    Args:
        tokenizer: a `WordTokenizer` (or `TweetTokenizer`).
        texts: a string tensor `[batch]`.
        word_orders: `(lowest, highest)` word n-gram width.
        char_orders: `(lowest, highest)` character n-gram width.
    """
    tokens = tokenizer(tf.convert_to_tensor(texts, tf.string))
    parts = []
    for width in range(word_orders[0], word_orders[1] + 1):
        grams = tf.strings.ngrams(tokens, width, separator=" ")
        parts.append(
            tf.ragged.map_flat_values(
                lambda g: tf.strings.join([WORD_TAG, g]), grams
            )
        )
    if char_orders is not None:
        padded = tf.ragged.map_flat_values(
            lambda t: tf.strings.join([" ", t, " "]), tokens
        )
        chars = tf.strings.unicode_split(padded, "UTF-8")
        for width in range(char_orders[0], char_orders[1] + 1):
            grams = tf.strings.ngrams(chars, width, separator="")
            grams = grams.merge_dims(1, 2)
            parts.append(
                tf.ragged.map_flat_values(
                    lambda g: tf.strings.join([CHAR_TAG, g]), grams
                )
            )
    return tf.concat(parts, axis=1)


@keras.saving.register_keras_serializable(package="seqkit")
class NgramClassifier(keras.Model):
    """TF-IDF of word and character n-grams, then a softmax layer.

    Args:
        vocabulary: the n-grams (tagged strings), word n-grams first; the
            feature index of each is its position.
        word_features: how many of `vocabulary` are word n-grams.
        class_names: the labels, in the order of the outputs.
        tokenizer: the tokenizer's config (`tokenizer_config`).
        word_orders: `(lowest, highest)` word n-gram width.
        char_orders: `(lowest, highest)` character n-gram width.
        **kwargs: base `keras.Model` arguments (`name`).

    Its weights (`idf` `[features]`, `kernel` `[features, classes]`,
    `bias` `[classes]`) are set by `set_parameters`.

    Example:

    ```python
    import numpy as np

    from seqkit.models.ngram import NgramClassifier
    from seqkit.preprocessing import WordTokenizer
    from seqkit.models.ngram import tokenizer_config

    model = NgramClassifier(
        ["w fine", "w dull"], 2, ["negative", "positive"],
        tokenizer_config(WordTokenizer()), char_orders=None,
    )
    model.set_parameters(np.ones(2), np.array([[0., 1.], [1., 0.]]),
                         np.zeros(2))
    probabilities = model(np.array(["a fine film"]))["probabilities"]
    assert probabilities.numpy()[0].argmax() == 1
    ```
    """

    task_name = "text-classification"

    def __init__(
        self,
        vocabulary,
        word_features,
        class_names,
        tokenizer,
        word_orders=(1, 2),
        char_orders=(2, 5),
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.vocabulary = list(vocabulary)
        self.word_features = int(word_features)
        self.class_names = list(class_names)
        self.tokenizer_settings = dict(tokenizer)
        self.tokenizer = _tokenizer_from_config(tokenizer)
        self.word_orders = tuple(word_orders)
        self.char_orders = None if char_orders is None else tuple(char_orders)
        size, classes = len(self.vocabulary), len(self.class_names)
        self.lookup = keras.layers.StringLookup(
            vocabulary=self.vocabulary,
            num_oov_indices=1,
            mask_token=None,
            name="ngram_lookup",
        )
        self.idf = self.add_weight(
            shape=(size,), initializer="ones", trainable=False, name="idf"
        )
        self.kernel = self.add_weight(
            shape=(size, classes), initializer="zeros", name="kernel"
        )
        self.bias = self.add_weight(
            shape=(classes,), initializer="zeros", name="bias"
        )

    def set_parameters(self, idf, kernel, bias):
        """Sets the idf weights, the linear layer's kernel and its bias."""
        self.idf.assign(np.asarray(idf, "float32"))
        self.kernel.assign(np.asarray(kernel, "float32"))
        self.bias.assign(np.asarray(bias, "float32"))

    def features(self, texts):
        """The TF-IDF features of a batch of texts, a `tf.SparseTensor`
        `[batch, len(vocabulary)]` (rows ordered, one entry per n-gram)."""
        texts = tf.convert_to_tensor(texts, tf.string)
        grams = ngram_strings(
            self.tokenizer, texts, self.word_orders, self.char_orders
        )
        # StringLookup: 0 is unknown, the n-grams are 1 ... size.
        ids = tf.cast(self.lookup(grams), tf.int64)
        size = len(self.vocabulary)
        counts = tf.sparse.bincount(
            ids, minlength=size + 1, maxlength=size + 1, axis=-1
        )
        counts = tf.sparse.retain(counts, counts.indices[:, 1] > 0)
        rows, columns = counts.indices[:, 0], counts.indices[:, 1] - 1
        values = (1.0 + tf.math.log(tf.cast(counts.values, tf.float32))) * (
            tf.gather(tf.convert_to_tensor(self.idf), columns)
        )
        # One norm per row and block (0: words, 1: characters).
        block = tf.cast(columns >= self.word_features, tf.int64)
        segments = rows * 2 + block
        batch = tf.shape(texts, out_type=tf.int64)[0]
        norms = tf.math.sqrt(
            tf.math.unsorted_segment_sum(tf.square(values), segments, batch * 2)
        )
        values = values / tf.gather(norms, segments)
        return tf.SparseTensor(
            tf.stack([rows, columns], axis=1),
            values,
            tf.stack([batch, tf.cast(size, tf.int64)]),
        )

    @property
    def _default_save_signature(self):
        # Keras's default signature of a subclassed model feeds floats; the
        # n-gram model reads strings, and the exports give their own.
        return None

    def call(self, texts, training=False):
        features = self.features(texts)
        logits = tf.sparse.sparse_dense_matmul(
            features, tf.convert_to_tensor(self.kernel)
        ) + tf.convert_to_tensor(self.bias)
        return {"probabilities": tf.nn.softmax(logits, axis=-1)}

    def build_from_config(self, config):
        """Nothing to build: the weights exist from the constructor."""
        self.built = True

    def compute_output_spec(self, texts, training=False):
        shape = (texts.shape[0], len(self.class_names))
        return {"probabilities": keras.KerasTensor(shape, dtype="float32")}

    def get_config(self):
        return {
            "name": self.name,
            "vocabulary": self.vocabulary,
            "word_features": self.word_features,
            "class_names": self.class_names,
            "tokenizer": self.tokenizer_settings,
            "word_orders": list(self.word_orders),
            "char_orders": None
            if self.char_orders is None
            else list(self.char_orders),
        }

    @classmethod
    def from_config(cls, config):
        return cls(**config)


@keras.saving.register_keras_serializable(package="seqkit")
class MixedClassifier(keras.Model):
    """`(1 - weight)` times a recurrent classifier plus `weight` times an
    `NgramClassifier`, on the same labels.

    The recurrent side's other outputs (attention) pass through, and its
    `vectorizer` is the model's, so code written for a `TextClassifier`
    or `EnsembleClassifier` (predict, explain, the fast export path on the
    recurrent side) works.

    Args:
        recurrent: a `TextClassifier`, `DocumentClassifier` or their
            `EnsembleClassifier` (or its serialized config).
        ngram: an `NgramClassifier` (or its serialized config).
        weight: the n-gram side's share, in [0, 1].
        offsets: None, or a log-offset per class added to the mix's
            log-probabilities (chosen on validation for metrics such as
            the F1 of one class: `seqkit.training.ngram.choose_offsets`).
        **kwargs: base `keras.Model` arguments (`name`).
    """

    def __init__(self, recurrent, ngram, weight, offsets=None, **kwargs):
        recurrent, ngram = (
            keras.saving.deserialize_keras_object(m)
            if isinstance(m, dict)
            else m
            for m in (recurrent, ngram)
        )
        if list(recurrent.class_names) != list(ngram.class_names):
            raise ValueError(
                "the n-gram and recurrent sides disagree on class_names: "
                f"{ngram.class_names} vs {recurrent.class_names}"
            )
        if not 0.0 <= float(weight) <= 1.0:
            raise ValueError(f"weight must be in [0, 1]; received {weight!r}")
        text = keras.Input((), dtype="string", name="text")
        results = recurrent(text)
        if offsets is not None:
            offsets = [float(v) for v in offsets]
            if len(offsets) != len(recurrent.class_names):
                raise ValueError(
                    f"{len(offsets)} offsets for "
                    f"{len(recurrent.class_names)} classes: one per class"
                )
        mixed = Mix(float(weight), offsets, name="probabilities")(
            [results["probabilities"], ngram(text)["probabilities"]]
        )
        outputs = {
            key: (mixed if key == "probabilities" else value)
            for key, value in results.items()
        }
        super().__init__(inputs=text, outputs=outputs, **kwargs)
        self.recurrent = recurrent
        self.ngram = ngram
        self.weight = float(weight)
        self.offsets = offsets
        self.class_names = list(recurrent.class_names)
        self.vectorizer = recurrent.vectorizer
        # A document classifier's reading (sentences, then words).
        documents = getattr(recurrent, "documents", None)
        if documents is not None:
            self.documents = documents

    @property
    def task_name(self):
        """The recurrent side's task: the mix answers the same question."""
        return self.recurrent.task_name

    @property
    def members(self):
        """The recurrent side's members (itself for a single model)."""
        return getattr(self.recurrent, "members", [self.recurrent])

    def get_config(self):
        return {
            "name": self.name,
            "recurrent": keras.saving.serialize_keras_object(self.recurrent),
            "ngram": keras.saving.serialize_keras_object(self.ngram),
            "weight": self.weight,
            "offsets": self.offsets,
        }

    @classmethod
    def from_config(cls, config):
        return cls(**config)


@keras.saving.register_keras_serializable(package="seqkit")
class Mix(keras.layers.Layer):
    """`(1 - weight) * a + weight * b` of two inputs `[a, b]`, each class
    then scaled by `exp(offset)` and the rows renormalised (`shift`)."""

    def __init__(self, weight, offsets=None, **kwargs):
        super().__init__(**kwargs)
        self.weight = float(weight)
        self.offsets = None if offsets is None else [float(v) for v in offsets]

    def call(self, inputs):
        first, second = inputs
        mixed = (1.0 - self.weight) * first + self.weight * second
        return shift(mixed, self.offsets)

    def compute_output_shape(self, input_shape):
        return input_shape[0]

    def get_config(self):
        return {
            **super().get_config(),
            "weight": self.weight,
            "offsets": self.offsets,
        }


def shift(probabilities, offsets):
    """`probabilities` with class `k` scaled by `exp(offsets[k])`, rows
    renormalised: the softmax of the log-probabilities plus the offsets,
    so the argmax is that of `log p + offsets`. None or all zeros: as
    they are."""
    if offsets is None or not any(offsets):
        return probabilities
    scale = keras.ops.exp(keras.ops.convert_to_tensor(offsets, "float32"))
    scaled = probabilities * scale
    return scaled / keras.ops.sum(scaled, axis=-1, keepdims=True)
