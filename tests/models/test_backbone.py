"""RecurrentBackbone: what it tells about its parts."""

import numpy as np
import pytest
from keras import ops

from seqkit.models import RecurrentBackbone


@pytest.mark.parametrize(
    "settings",
    [{}, {"static_channel": True, "embedding_activation": "tanh"}],
    ids=["plain", "static-channel-tanh"],
)
def test_embed_tokens_gives_what_the_recurrent_stack_reads(settings):
    backbone = RecurrentBackbone(6, 3, units=2, seed=1, **settings)
    ids = np.array([[1, 5, 0], [2, 0, 0]], "int32")
    got = ops.convert_to_numpy(backbone.embed_tokens(ids))
    tables = [backbone.get_layer("embedding").embeddings]
    if settings:
        tables.append(backbone.get_layer("static_embedding").embeddings)
    vectors = np.concatenate([ops.convert_to_numpy(t) for t in tables], -1)
    expected = vectors[ids]
    if settings:
        expected = np.tanh(expected)
    assert got.shape == (2, 3, 3 * len(tables))
    np.testing.assert_allclose(got, expected, atol=1e-6)


@pytest.mark.parametrize("bidirectional", [True, False])
def test_recurrent_directions_are_a_layers_forward_and_backward(
    bidirectional,
):
    backbone = RecurrentBackbone(
        6, 3, cell="gru", units=2, num_layers=2, bidirectional=bidirectional
    )
    for index in (0, 1):
        layers = backbone.recurrent_directions(index)
        expected = [False, True] if bidirectional else [False]
        assert [layer.go_backwards for layer in layers] == expected
        assert all(layer.name.endswith(f"gru_{index}") for layer in layers)
        assert all(layer.cell.units == 2 for layer in layers)
