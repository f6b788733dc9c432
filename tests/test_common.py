"""Common tests, driven by the registry: every registered class gets them.

A class registered with `seqkit.registry.register(example=...)` is built
from its example, run, round-tripped through `get_config`/`from_config` and
`.keras` saving, trained one step, and checked for documented arguments,
without a test file of its own.
"""

import inspect
import re

import pytest

import seqkit.layers  # noqa: F401  (registers the layers)
from seqkit.registry import REGISTERED
from seqkit.testing import run_layer_test

NAMES = [cls.__name__ for cls in REGISTERED]


def test_registry_is_not_empty():
    expected = {
        "Elman",
        "ElmanCell",
        "LSTM",
        "LSTMCell",
        "GRU",
        "GRUCell",
        "RecurrentStack",
    }
    assert expected <= set(NAMES)
    # The text pipeline and the models register too (imported once Keras
    # is, by `seqkit`'s import hook).
    assert {"WordTokenizer", "TweetTokenizer", "TextVectorizer"} <= set(NAMES)
    assert {"TextClassifier", "CaptionModel", "LanguageModel"} <= set(NAMES)


def _is_tokenizer(cls):
    return "texts" in cls._seqkit_example


@pytest.mark.parametrize("cls", REGISTERED, ids=NAMES)
def test_has_an_example(cls):
    example = cls._seqkit_example
    shape = "texts" if _is_tokenizer(cls) else "input_shape"
    assert example and "init" in example and shape in example, (
        f"{cls.__name__} is registered without an example"
    )


def _is_cell(cls):
    return cls.__name__.endswith("Cell")


@pytest.mark.parametrize("cls", REGISTERED, ids=NAMES)
def test_builds_round_trips_and_trains(cls):
    example = cls._seqkit_example
    if _is_tokenizer(cls):
        _check_tokenizer(cls, example)
        return
    if _is_cell(cls):
        # A cell is tested inside keras.layers.RNN, as users run it.
        run_layer_test(
            _cell_layer(cls),
            example["init"],
            example["input_shape"],
            example.get("input_dtype", "float32"),
        )
        return
    run_layer_test(
        cls,
        example["init"],
        example["input_shape"],
        example.get("input_dtype", "float32"),
        example.get("input_range", (0, 10)),
    )


def _check_tokenizer(cls, example):
    # Built from its example, it tokenizes in Python and in the graph
    # alike, and a copy rebuilt from its config, or through Keras's
    # serialization, gives the same tokens.
    import keras
    import tensorflow as tf

    tokenizer = cls(**example["init"])
    texts = example["texts"]
    tokens = tokenizer.tokenize(texts)
    assert tokens == example["tokens"]
    in_graph = tokenizer(tf.constant(texts)).to_list()
    assert [[t.decode() for t in row] for row in in_graph] == tokens
    rebuilt = cls.from_config(tokenizer.get_config())
    assert rebuilt.get_config() == tokenizer.get_config()
    assert rebuilt.tokenize(texts) == tokens
    restored = keras.saving.deserialize_keras_object(
        keras.saving.serialize_keras_object(tokenizer)
    )
    assert type(restored) is cls and restored.tokenize(texts) == tokens


def _cell_layer(cell_cls):
    import keras

    class CellRNN(keras.layers.RNN):
        def __init__(self, **kwargs):
            base = {
                k: kwargs.pop(k)
                for k in ("name", "dtype", "trainable")
                if k in kwargs
            }
            super().__init__(cell_cls(**kwargs), **base)
            self.cell_kwargs = kwargs

        def get_config(self):
            return {"name": self.name, **self.cell_kwargs}

        @classmethod
        def from_config(cls, config):
            return cls(**config)

    CellRNN.__name__ = f"RNNOf{cell_cls.__name__}"
    return keras.saving.register_keras_serializable("seqkit_tests")(CellRNN)


@pytest.mark.parametrize("cls", REGISTERED, ids=NAMES)
def test_documents_its_arguments(cls):
    doc = inspect.getdoc(cls) or ""
    assert doc.splitlines()[0].strip(), f"{cls.__name__} has no summary"
    assert "Args:" in doc, f"{cls.__name__} has no Args: section"
    args_section = doc.split("Args:", 1)[1]
    documented = set(re.findall(r"^\s*\**(\w+):", args_section, re.M))
    # The constructor's own parameters; arguments passed on through
    # `**kwargs` are documented by the `kwargs:` entry.
    for name, param in inspect.signature(cls.__init__).parameters.items():
        if name == "self" or param.kind is param.VAR_POSITIONAL:
            continue
        assert name in documented, f"{cls.__name__} does not document `{name}`"
    assert "```python" in doc, f"{cls.__name__} has no example"


@pytest.mark.parametrize("cls", REGISTERED, ids=NAMES)
def test_mask_treatment_is_documented(cls):
    if _is_cell(cls):
        pytest.skip("cells see one step; the RNN layer owns the mask")
    if _is_tokenizer(cls):
        pytest.skip("a tokenizer makes tokens, before any mask exists")
    assert "mask" in (inspect.getdoc(cls) or "").lower(), cls.__name__
