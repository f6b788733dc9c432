"""A text classifier task: raw text -> vectorizer -> backbone -> softmax."""

import keras

from seqkit.layers.seeds import seeded_dropout
from seqkit.registry import register


@register(
    example={
        "init": {
            "backbone": {
                "class_name": "seqkit>RecurrentBackbone",
                "config": {
                    "vocabulary_size": 6,
                    "embedding_dim": 4,
                    "units": 3,
                    "pooling": "attention",
                },
            },
            "vectorizer": {
                "class_name": "seqkit>TextVectorizer",
                "config": {"vocabulary": ["good", "bad", "film", "the"]},
            },
            "class_names": ["negative", "positive"],
            "hidden_units": [4],
        },
        "input_shape": (2,),
        "input_dtype": "str",
    }
)
class TextClassifier(keras.Model):
    """An RNN acceptor: raw text in, class probabilities out.

    The model takes a string tensor `text` of shape `[batch]`, tokenizes it
    in the graph with `vectorizer`, encodes the ids with `backbone` (a
    `RecurrentBackbone`), and puts an MLP head with a softmax on the pooled
    vector. Its outputs are a dict: `"probabilities"` (`[batch, classes]`)
    and, when the backbone pools with attention, `"attention"`
    (`[batch, time]`). `ids_model` is the same network (shared weights) on
    token ids, which training uses with length-bucketed batches.

    Masks: padding is id 0 and is masked from the embedding on; the
    attention weights of padding are 0.

    Args:
        backbone: a `RecurrentBackbone` (or its serialized config).
        vectorizer: a `seqkit.preprocessing.TextVectorizer` (or its config).
        class_names: the label of each output, in order.
        hidden_units: sizes of the hidden ReLU layers of the head.
        head_dropout: dropout before each head layer.
        seed: seed of the head's dropout.
        **kwargs: base `keras.Model` arguments (`name`).

    Attributes:
        head_layers: the head, in order from the pooled vector: a dropout
            before each `Dense` layer (ReLU ones, then the softmax).

    Example:

    ```python
    import numpy as np

    from seqkit.models import RecurrentBackbone, TextClassifier
    from seqkit.preprocessing import TextVectorizer, Vocabulary

    texts = ["a fine film", "a dull film", "a fine cast"]
    vectorizer = TextVectorizer(Vocabulary.from_texts(texts), max_length=50)
    backbone = RecurrentBackbone(
        vectorizer.vocabulary_size(), embedding_dim=4, units=3,
        pooling="attention")
    classifier = TextClassifier(
        backbone, vectorizer, class_names=["negative", "positive"])
    outputs = classifier(np.array(["a fine film", "dull"]))
    assert outputs["probabilities"].shape == (2, 2)  # [texts, classes]
    assert outputs["attention"].shape == (2, 3)  # [texts, words]
    ```
    """

    task_name = "text-classification"

    def __init__(
        self,
        backbone,
        vectorizer,
        class_names,
        hidden_units=(),
        head_dropout=0.0,
        seed=None,
        **kwargs,
    ):
        if isinstance(backbone, dict):
            backbone = keras.saving.deserialize_keras_object(backbone)
        if isinstance(vectorizer, dict):
            vectorizer = keras.saving.deserialize_keras_object(vectorizer)
        class_names = checked_class_names(class_names)
        # === Layers ===
        head = []
        for index, size in enumerate(hidden_units):
            head.append(
                seeded_dropout(head_dropout, seed, f"head_dropout_{index}")
            )
            head.append(
                keras.layers.Dense(
                    size, activation="relu", name=f"head_dense_{index}"
                )
            )
        head.append(seeded_dropout(head_dropout, seed, "head_dropout"))
        head.append(
            keras.layers.Dense(
                len(class_names), activation="softmax", name="probabilities"
            )
        )

        # === Functional graph ===
        text = keras.Input((), dtype="string", name="text")
        features = backbone(vectorizer(text))
        outputs = {"probabilities": _apply(head, features["pooled"])}
        if "attention" in features:
            outputs["attention"] = features["attention"]
        super().__init__(inputs=text, outputs=outputs, **kwargs)

        # === Config ===
        self.backbone = backbone
        self.vectorizer = vectorizer
        self.class_names = class_names
        self.hidden_units = [int(u) for u in hidden_units]
        self.head_dropout = head_dropout
        self.seed = seed
        self.head_layers = head

    def ids_model(self):
        """The same network on token ids, returning the probabilities."""
        token_ids = keras.Input((None,), dtype="int32", name="token_ids")
        features = self.backbone(token_ids)
        return keras.Model(
            token_ids, _apply(self.head_layers, features["pooled"])
        )

    def layer_groups(self):
        """The backbone's groups, then `head`: the fine-tuning units."""
        return [*self.backbone.layer_groups(), ("head", self.head_layers)]

    def get_config(self):
        ser = keras.saving.serialize_keras_object
        return {
            "name": self.name,
            "trainable": self.trainable,
            "backbone": ser(self.backbone),
            "vectorizer": ser(self.vectorizer),
            "class_names": self.class_names,
            "hidden_units": self.hidden_units,
            "head_dropout": self.head_dropout,
            "seed": self.seed,
        }

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def checked_class_names(class_names):
    """The class names as strings; a classifier needs at least two."""
    class_names = [str(name) for name in class_names]
    if len(class_names) < 2:
        raise ValueError(
            "a classifier needs at least 2 classes; received "
            f"class_names={class_names!r}"
        )
    return class_names


def _apply(layers, tensor):
    for layer in layers:
        tensor = layer(tensor)
    return tensor


@register(
    example={
        "init": {
            "members": [
                {
                    "class_name": "seqkit>TextClassifier",
                    "config": TextClassifier._seqkit_example["init"],
                }
            ]
            * 2,
        },
        "input_shape": (2,),
        "input_dtype": "str",
    }
)
class EnsembleClassifier(keras.Model):
    """The average of several classifiers trained on the same labels.

    The members are `TextClassifier`s, or `DocumentClassifier`s that share
    their document preprocessing (vocabulary, sentence rules, limits), so
    that their attention weights refer to the same words. Every output all
    members have is averaged: `"probabilities"` and, for text members that
    pool with attention, `"attention"`; for document members
    `"sentence_attention"` and `"word_attention"`. `class_names`,
    `vectorizer`, and `backbone` or `documents` are the first member's, so
    code written for one classifier works.

    Masks: each member masks padding itself; padding gets zero attention.

    Args:
        members: classifiers (or their serialized configs) with the same
            `class_names`.
        **kwargs: base `keras.Model` arguments (`name`).

    Example:

    ```python
    import numpy as np

    from seqkit.models import (
        EnsembleClassifier, RecurrentBackbone, TextClassifier)
    from seqkit.preprocessing import TextVectorizer

    vectorizer = TextVectorizer(["a", "fine", "dull", "film"])

    def classifier(cell):
        backbone = RecurrentBackbone(vectorizer.vocabulary_size(), 4,
                                     cell=cell, units=3)
        return TextClassifier(backbone, vectorizer, ["negative", "positive"])

    model_a, model_b = classifier("lstm"), classifier("gru")
    ensemble = EnsembleClassifier([model_a, model_b])
    texts = np.array(["a fine film"])
    probabilities = ensemble(texts)["probabilities"]  # the members' average
    expected = (model_a(texts)["probabilities"]
                + model_b(texts)["probabilities"]) / 2
    np.testing.assert_allclose(probabilities, expected, rtol=1e-6)
    ```
    """

    def __init__(self, members, **kwargs):
        members = [
            keras.saving.deserialize_keras_object(m)
            if isinstance(m, dict)
            else m
            for m in members
        ]
        if len(members) < 2:
            raise ValueError(
                f"an ensemble needs 2 or more members; received {len(members)}"
            )
        names = members[0].class_names
        for member in members[1:]:
            if member.class_names != names:
                raise ValueError(
                    "ensemble members disagree on class_names: "
                    f"{names} vs {member.class_names}"
                )
        documents = getattr(members[0], "documents", None)
        if documents is not None:
            reading = _reading(documents)
            for member in members[1:]:
                if _reading(member.documents) != reading:
                    raise ValueError(
                        "ensemble members must share the document "
                        "preprocessing (vocabulary, sentence rules, limits)"
                    )
        # === Functional graph ===
        text = keras.Input((), dtype="string", name="text")
        results = [member(text) for member in members]
        outputs = {
            key: keras.layers.Average(name=key)([r[key] for r in results])
            for key in results[0]
            if all(key in r for r in results)
        }
        super().__init__(inputs=text, outputs=outputs, **kwargs)

        # === Config ===
        self.members = members
        self.class_names = names
        self.vectorizer = members[0].vectorizer
        if documents is not None:
            self.documents = documents
        else:
            self.backbone = members[0].backbone

    @property
    def task_name(self):
        """The members' task (`seqkit.models.task`): an ensemble of
        document classifiers classifies documents."""
        return getattr(self.members[0], "task_name", None)

    def get_config(self):
        return {
            "name": self.name,
            "trainable": self.trainable,
            "members": [
                keras.saving.serialize_keras_object(m) for m in self.members
            ],
        }

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def text_classifiers(model):
    """The `TextClassifier`s whose probabilities `model` gives, or None.

    `[model]` for a `TextClassifier`, the members of an `EnsembleClassifier`
    of them (which averages them); None for any other model (document
    classifiers and their ensembles among them).
    """
    if isinstance(model, TextClassifier):
        return [model]
    if isinstance(model, EnsembleClassifier) and all(
        isinstance(member, TextClassifier) for member in model.members
    ):
        return list(model.members)
    return None


def _reading(documents):
    """What decides a `DocumentVectorizer`'s ids (its config minus names)."""
    config = documents.get_config()
    words = dict(config.pop("vectorizer")["config"])
    for found in (config, words):
        for key in ("name", "trainable", "dtype"):
            found.pop(key, None)
    return config, words
