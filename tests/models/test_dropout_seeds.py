"""Every random layer of a seeded model draws its own dropout masks."""

import numpy as np
from keras import ops

from seqkit.layers import RecurrentStack
from seqkit.layers.seeds import layer_seed
from seqkit.models import LanguageModel
from seqkit.models.sentiment import SentimentConfig, build_classifier
from seqkit.preprocessing import TextVectorizer

WORDS = ["the", "film", "good", "bad", "not", "plot"]


def _classifier(seed=7, **settings):
    config = SentimentConfig(
        **{
            "cell": "lstm",
            "units": 4,
            "embedding_dim": 8,
            "embeddings": None,
            "bidirectional": True,
            "layers": 2,
            "hidden_units": [6],
            "embedding_dropout": 0.1,
            "spatial_dropout": 0.3,
            "dropout": 0.3,
            "recurrent_dropout": 0.2,
            "head_dropout": 0.5,
            **settings,
        }
    )
    vectorizer = TextVectorizer(WORDS, max_length=6)
    return build_classifier(config, vectorizer, ["neg", "pos"], seed=seed)


def _random_layers(model, prefix=""):
    """`{"outer/inner/name": layer}` for every layer with a seed generator."""
    found = {}
    for layer in model._flatten_layers(include_self=False, recursive=False):
        path = f"{prefix}{layer.name}"
        if getattr(layer, "seed_generator", None) is not None:
            found[path] = layer
        found.update(_random_layers(layer, path + "/"))
    return found


def _seed_values(layers):
    return {
        path: tuple(ops.convert_to_numpy(layer.seed_generator.state))
        for path, layer in layers.items()
    }


def test_layer_seed_is_stable_and_distinct():
    assert layer_seed(None, "rnn") is None
    assert layer_seed(3, "rnn") == layer_seed(3, "rnn")
    assert layer_seed(3, "rnn") != layer_seed(3, "spatial_dropout")
    assert layer_seed(3, "rnn") != layer_seed(4, "rnn")
    assert 0 <= layer_seed(2**40, "x") < 2**31


def test_every_random_layer_of_a_classifier_has_its_own_seed():
    layers = _random_layers(_classifier())
    names = {path.split("/")[-1] for path in layers}
    # embedding, spatial dropout, four cells (2 layers x 2 directions) and
    # two head dropouts.
    assert {"embedding", "spatial_dropout", "head_dropout"} <= names
    assert sum("cell" in path for path in layers) == 4
    seeds = _seed_values(layers)
    assert len(set(seeds.values())) == len(seeds), seeds


def test_spatial_and_rnn_input_dropout_draw_different_masks():
    # With one shared seed, the spatial dropout's (batch, 1, 8) mask and
    # the cells' (batch, 8) input masks were the same numbers, so the
    # same units were dropped twice on every batch.
    model = _classifier()
    layers = _random_layers(model)
    spatial = next(v for k, v in layers.items() if "spatial" in k)
    cells = [v for k, v in layers.items() if k.endswith("cell")]
    batch = ops.ones((16, 3, 8))
    spatial_mask = ops.convert_to_numpy(spatial(batch, training=True))[:, 0]
    masks = [spatial_mask > 0]
    for cell in cells[:2]:  # the first layer's forward and backward cells
        masks.append(
            ops.convert_to_numpy(cell.get_dropout_mask(batch[:, 0])) > 0
        )
        cell.reset_dropout_mask()
    for i in range(len(masks)):
        for j in range(i + 1, len(masks)):
            assert not np.array_equal(masks[i], masks[j]), (i, j)


def test_the_same_seed_gives_the_same_masks():
    first = _seed_values(_random_layers(_classifier(seed=11)))
    again = _seed_values(_random_layers(_classifier(seed=11)))
    other = _seed_values(_random_layers(_classifier(seed=12)))
    assert first == again
    assert all(first[k] != other[k] for k in first)


def test_stack_layers_get_their_own_seeds_and_keep_the_config():
    stack = RecurrentStack(
        "gru", 3, num_layers=2, bidirectional=True, dropout=0.5, seed=5
    )
    stack.build((None, None, 4))
    seeds = [
        tuple(ops.convert_to_numpy(layer.cell.seed_generator.state))
        for bi in stack.rnn_layers
        for layer in (bi.forward_layer, bi.backward_layer)
    ]
    assert len(set(seeds)) == 4
    assert stack.get_config()["seed"] == 5
    rebuilt = RecurrentStack.from_config(stack.get_config())
    rebuilt.build((None, None, 4))
    assert [
        tuple(ops.convert_to_numpy(layer.cell.seed_generator.state))
        for bi in rebuilt.rnn_layers
        for layer in (bi.forward_layer, bi.backward_layer)
    ] == seeds


def test_language_model_dropouts_differ():
    vectorizer = TextVectorizer(["[EOS]", "a", "b", "c"])
    model = LanguageModel(
        vectorizer,
        embedding_dim=4,
        units=4,
        num_layers=2,
        directions="both",
        embedding_dropout=0.1,
        input_dropout=0.5,
        dropout=0.5,
        recurrent_dropout=0.2,
        seed=3,
    )
    model.build()
    seeds = _seed_values(_random_layers(model))
    # embedding, input and output dropout, 2 layers x 2 directions of cells
    assert len(seeds) == 7, sorted(seeds)
    assert len(set(seeds.values())) == len(seeds), seeds
