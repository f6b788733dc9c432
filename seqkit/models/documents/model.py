"""Hierarchical document classification: words -> sentences -> document."""

import keras
from keras import ops

from seqkit.layers.attention import AttentionPooling
from seqkit.layers.rnn.stack import RecurrentStack
from seqkit.layers.seeds import layer_seed, seeded_dropout
from seqkit.models.backbone import RecurrentBackbone
from seqkit.models.classifier import checked_class_names
from seqkit.registry import register


@register(
    example={
        "init": {
            "word_encoder": {
                "class_name": "seqkit>RecurrentBackbone",
                "config": {
                    "vocabulary_size": 8,
                    "embedding_dim": 4,
                    "cell": "gru",
                    "units": 3,
                    "pooling": "attention",
                },
            },
            "units": 3,
        },
        "input_shape": (2, 3, 4),
        "input_dtype": "int32",
        "input_range": (0, 8),
    }
)
class HierarchicalEncoder(keras.Model):
    """Word ids `[documents, sentences, words]` -> a document vector.

    The hierarchical attention network of Yang et al. (2016), the
    hierarchical biRNN of Li et al. (2015) and Tang et al. (2015): the
    `word_encoder` (a `RecurrentBackbone`, typically a bidirectional GRU
    with attention pooling) turns every sentence into a vector; a
    bidirectional recurrent layer reads the sentence vectors, and
    attention pooling over its outputs gives the document vector.

    Returns a dict: `"pooled"` (`[documents, 2 * units]`),
    `"sentence_attention"` (`[documents, sentences]`) and, when the word
    encoder pools with attention, `"word_attention"` (`[documents,
    sentences, words]`).

    Masks: id 0 is padding at both levels. Padding words are masked inside
    the word encoder; a sentence whose ids are all 0 is a padding sentence
    and is masked in the sentence layer and its attention (weight exactly
    0). So a document padded with more sentences or longer sentences gives
    the same outputs as unpadded.

    Args:
        word_encoder: a `RecurrentBackbone` (or its config) for sentences.
        cell: the sentence layer's cell, `"gru"`, `"lstm"` or `"elman"`.
        units: units per direction of the sentence layer.
        num_layers: stacked sentence layers.
        dropout: dropout of the sentence vectors.
        seed: seed of the dropout.
        **kwargs: base `keras.Model` arguments (`name`).

    Example:

    ```python
    import numpy as np

    from seqkit.models import HierarchicalEncoder, RecurrentBackbone

    words = RecurrentBackbone(10, 4, cell="gru", units=3, pooling="attention")
    encoder = HierarchicalEncoder(words, units=2)
    ids = np.array([[[2, 5, 7], [3, 4, 0]],   # two sentences
                    [[6, 8, 0], [0, 0, 0]]])  # one, then a padding sentence
    outputs = encoder(ids)  # ids [documents, sentences, words]
    assert outputs["pooled"].shape == (2, 4)  # 2 directions x 2 units
    assert outputs["sentence_attention"].shape == (2, 2)
    assert outputs["word_attention"].shape == (2, 2, 3)
    assert float(outputs["sentence_attention"][1, 1]) == 0.0  # padding
    ```
    """

    def __init__(
        self,
        word_encoder,
        cell="gru",
        units=50,
        num_layers=1,
        dropout=0.0,
        seed=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if isinstance(word_encoder, dict):
            word_encoder = keras.saving.deserialize_keras_object(word_encoder)
        if not isinstance(word_encoder, RecurrentBackbone):
            raise TypeError(
                "word_encoder must be a RecurrentBackbone; received "
                f"{type(word_encoder).__name__}"
            )
        self.word_encoder = word_encoder
        self.cell = cell
        self.units = units
        self.num_layers = num_layers
        self.dropout = dropout
        self.seed = seed
        self.sentence_dropout = seeded_dropout(
            dropout, seed, "sentence_dropout"
        )
        self.sentence_rnn = RecurrentStack(
            cell,
            units,
            num_layers=num_layers,
            bidirectional=True,
            return_sequences=True,
            seed=layer_seed(seed, "sentence_rnn"),
            name="sentence_rnn",
        )
        self.sentence_attention = AttentionPooling(
            return_attention=True, name="sentence_attention"
        )

    def build(self, input_shape):
        # The word encoder is a functional model: built already.
        features = self.word_encoder.output["pooled"].shape[-1]
        self.sentence_rnn.build((None, None, features))
        self.sentence_attention.build((None, None, 2 * self.units))
        self.built = True

    def call(self, token_ids, training=False):
        token_ids = ops.cast(token_ids, "int32")
        shape = ops.shape(token_ids)
        words = self.word_encoder(
            ops.reshape(token_ids, (-1, shape[2])), training=training
        )
        vectors = ops.reshape(
            words["pooled"], (shape[0], shape[1], words["pooled"].shape[-1])
        )
        vectors = self.sentence_dropout(vectors, training=training)
        # A sentence is real when it holds a word.
        mask = ops.any(ops.not_equal(token_ids, 0), axis=-1)
        hidden = self.sentence_rnn(vectors, mask=mask, training=training)
        pooled, weights = self.sentence_attention(hidden, mask=mask)
        outputs = {"pooled": pooled, "sentence_attention": weights}
        if "attention" in words:
            outputs["word_attention"] = ops.reshape(words["attention"], shape)
        return outputs

    def layer_groups(self):
        """The word encoder's groups (prefixed `word_`), then `sentence`."""
        groups = [
            (f"word_{name}", layers)
            for name, layers in self.word_encoder.layer_groups()
        ]
        sentence = [self.sentence_rnn, self.sentence_attention]
        return [*groups, ("sentence", sentence)]

    def get_config(self):
        return {
            **super().get_config(),
            "word_encoder": keras.saving.serialize_keras_object(
                self.word_encoder
            ),
            "cell": self.cell,
            "units": self.units,
            "num_layers": self.num_layers,
            "dropout": self.dropout,
            "seed": self.seed,
        }

    @classmethod
    def from_config(cls, config):
        return cls(**config)


@register(
    example={
        "init": {
            "encoder": {
                "class_name": "seqkit>HierarchicalEncoder",
                "config": {
                    "word_encoder": {
                        "class_name": "seqkit>RecurrentBackbone",
                        "config": {
                            "vocabulary_size": 6,
                            "embedding_dim": 4,
                            "cell": "gru",
                            "units": 3,
                            "pooling": "attention",
                        },
                    },
                    "units": 3,
                },
            },
            "documents": {
                "class_name": "seqkit>DocumentVectorizer",
                "config": {
                    "vectorizer": {
                        "class_name": "seqkit>TextVectorizer",
                        "config": {"vocabulary": ["good", "bad", "film", "."]},
                    }
                },
            },
            "class_names": ["negative", "positive"],
        },
        "input_shape": (2,),
        "input_dtype": "str",
    }
)
class DocumentClassifier(keras.Model):
    """Raw documents in, class probabilities and attention out.

    `documents` (a `DocumentVectorizer`) splits each document into
    sentences and words in the graph; `encoder` (a `HierarchicalEncoder`)
    reads them; a softmax layer classifies the document vector. Outputs
    are a dict: `"probabilities"` (`[batch, classes]`),
    `"sentence_attention"` (`[batch, sentences]`) and, with a word
    attention, `"word_attention"` (`[batch, sentences, words]`).
    `ids_model` is the same network (shared weights) on word ids, which
    training uses.

    Masks: padding is id 0 at both levels and is masked (see
    `HierarchicalEncoder`); padding gets attention weight 0.

    Args:
        encoder: a `HierarchicalEncoder` (or its config).
        documents: a `seqkit.preprocessing.DocumentVectorizer` (or its
            config).
        class_names: the label of each output, in order.
        head_dropout: dropout before the softmax.
        seed: seed of the dropout.
        **kwargs: base `keras.Model` arguments (`name`).

    Example:

    ```python
    import numpy as np

    from seqkit.models import (
        DocumentClassifier, HierarchicalEncoder, RecurrentBackbone)
    from seqkit.preprocessing import (
        DocumentVectorizer, TextVectorizer, Vocabulary)

    texts = ["A fine film. Sharp and warm.", "A dull film.", "Dull. Flat."]
    vectorizer = TextVectorizer(Vocabulary.from_texts(texts), max_length=50)
    documents = DocumentVectorizer(vectorizer, max_sentences=20)
    words = RecurrentBackbone(vectorizer.vocabulary_size(), 4, cell="gru",
                              units=3, pooling="attention")
    classifier = DocumentClassifier(
        HierarchicalEncoder(words, units=2), documents, ["neg", "pos"])
    outputs = classifier(np.array(["A fine film. Sharp and warm."]))
    assert outputs["probabilities"].shape == (1, 2)
    assert outputs["sentence_attention"].shape == (1, 2)  # two sentences
    assert outputs["word_attention"].shape == (1, 2, 4)  # of up to 4 words
    ```
    """

    # The registered `Task` of these models (`seqkit.models.task`).
    task_name = "document-classification"

    def __init__(
        self,
        encoder,
        documents,
        class_names,
        head_dropout=0.0,
        seed=None,
        **kwargs,
    ):
        if isinstance(encoder, dict):
            encoder = keras.saving.deserialize_keras_object(encoder)
        if isinstance(documents, dict):
            documents = keras.saving.deserialize_keras_object(documents)
        class_names = checked_class_names(class_names)
        dropout = seeded_dropout(head_dropout, seed, "head_dropout")
        dense = keras.layers.Dense(
            len(class_names), activation="softmax", name="probabilities"
        )
        text = keras.Input((), dtype="string", name="text")
        features = encoder(documents(text))
        outputs = {
            "probabilities": dense(dropout(features["pooled"])),
            "sentence_attention": features["sentence_attention"],
        }
        if "word_attention" in features:
            outputs["word_attention"] = features["word_attention"]
        super().__init__(inputs=text, outputs=outputs, **kwargs)
        self.encoder = encoder
        self.documents = documents
        self.class_names = class_names
        self.head_dropout = head_dropout
        self.seed = seed
        self.head_layers = [dropout, dense]

    @property
    def vectorizer(self):
        """The word `TextVectorizer` (its vocabulary and tokenizer)."""
        return self.documents.vectorizer

    def ids_model(self):
        """The same network on word ids, returning the probabilities."""
        token_ids = keras.Input((None, None), dtype="int32", name="token_ids")
        hidden = self.encoder(token_ids)["pooled"]
        for layer in self.head_layers:
            hidden = layer(hidden)
        return keras.Model(token_ids, hidden)

    def layer_groups(self):
        """The encoder's groups, then `head`: the fine-tuning units."""
        return [*self.encoder.layer_groups(), ("head", self.head_layers)]

    def get_config(self):
        ser = keras.saving.serialize_keras_object
        return {
            "name": self.name,
            "trainable": self.trainable,
            "encoder": ser(self.encoder),
            "documents": ser(self.documents),
            "class_names": self.class_names,
            "head_dropout": self.head_dropout,
            "seed": self.seed,
        }

    @classmethod
    def from_config(cls, config):
        return cls(**config)
