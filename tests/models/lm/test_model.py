"""The language model: truncated BPTT states, tied weights, saving."""

import keras
import numpy as np
import pytest

from seqkit.data.lm_corpus import bptt_windows
from seqkit.models import LanguageModel
from seqkit.preprocessing import TextVectorizer
from tests.models.lm.tiny import WORDS, tiny_lm


@pytest.mark.parametrize("cell", ["lstm", "gru", "elman"])
def test_carried_state_equals_the_whole_sequence(cell):
    model = tiny_lm(cell=cell)
    rng = np.random.default_rng(3)
    docs = [rng.integers(2, 10, size=n).astype("int32") for n in (11, 4, 17, 9)]
    windows = bptt_windows(docs, batch_size=2, bptt=3)
    states = model.initial_states(2)
    carried = {0: [], 1: []}
    for index in range(len(windows)):
        keep = 1.0 - windows.reset[index].astype("float32")[:, None]
        states = [[s * keep for s in layer] for layer in states]
        logits, states = model.step(windows.inputs[index], states)
        logits = keras.ops.convert_to_numpy(logits)
        for lane in (0, 1):
            mask = windows.targets[index, lane] > 0
            carried[lane].extend(logits[lane][mask])
    # Whole documents from zero states, in the order the lanes hold them.
    whole = {0: [], 1: []}
    for lane in (0, 1):
        flat = windows.inputs[:, lane].reshape(-1)
        starts = np.flatnonzero(windows.reset[:, lane]) * 3
        for start in starts:
            if flat[start] == 0:
                continue
            doc = next(
                d
                for d in docs
                if np.array_equal(flat[start : start + len(d) - 1], d[:-1])
            )
            logits = model(doc[None, :-1])
            whole[lane].extend(keras.ops.convert_to_numpy(logits)[0])
    for lane in (0, 1):
        np.testing.assert_allclose(
            np.array(carried[lane]), np.array(whole[lane]), atol=2e-5
        )


def test_padding_changes_nothing():
    model = tiny_lm()
    ids = np.array([[2, 3, 4, 5]], dtype="int32")
    padded = np.array([[2, 3, 4, 5, 0, 0]], dtype="int32")
    states = model.initial_states(1)
    short, short_states = model.step(ids, states)
    long, long_states = model.step(padded, states)
    np.testing.assert_allclose(long[:, :4], short, atol=1e-6)
    for a, b in zip(
        keras.tree.flatten(short_states), keras.tree.flatten(long_states)
    ):
        np.testing.assert_allclose(a, b, atol=1e-6)


def test_tied_weights_share_the_embedding():
    model = tiny_lm(units=6, embedding_dim=6)
    names = [w.path for w in model.weights]
    assert not any("output/kernel" in n for n in names)
    assert not any("projection" in n for n in names)
    hidden = np.random.default_rng(0).normal(size=(1, 3, 6)).astype("float32")
    matrix = model.embedding.get_weights()[0]
    bias = keras.ops.convert_to_numpy(model.output_bias)
    np.testing.assert_allclose(
        model.logits(hidden), hidden @ matrix.T + bias, rtol=1e-5, atol=1e-6
    )
    # Changing the embedding changes the output layer with it.
    model.embedding.set_weights([matrix * 2])
    np.testing.assert_allclose(
        model.logits(hidden),
        hidden @ (2 * matrix).T + bias,
        rtol=1e-5,
        atol=1e-5,
    )


def test_untied_and_projected_output_layers():
    untied = tiny_lm(tie_weights=False)
    assert any("output/kernel" in w.path for w in untied.weights)
    projected = tiny_lm(units=5, embedding_dim=6)
    assert any("projection/kernel" in w.path for w in projected.weights)
    ids = np.array([[2, 3]], dtype="int32")
    assert untied(ids).shape == (1, 2, len(WORDS) + 2)
    assert projected(ids).shape == (1, 2, len(WORDS) + 2)


def test_both_directions_share_embedding_and_output():
    model = tiny_lm(directions="both")
    ids = np.array([[2, 3, 4, 5]], dtype="int32")
    forward, _ = model.step(ids, model.initial_states(1), "forward")
    backward, _ = model.step(ids, model.initial_states(1), "backward")
    assert not np.allclose(forward, backward)
    paths = [w.path for w in model.weights]
    assert sum("embeddings" in p for p in paths) == 1
    assert any("backward_lstm_1" in p for p in paths)
    with pytest.raises(ValueError, match="no 'backward' direction"):
        tiny_lm().step(ids, model.initial_states(1), "backward")


def test_vocabulary_must_start_with_eos():
    with pytest.raises(ValueError, match=r"\[EOS\]"):
        LanguageModel(TextVectorizer(["the", "film"]))


def test_saving_round_trip(tmp_path):
    model = tiny_lm(directions="both")
    ids = np.array([[2, 3, 4]], dtype="int32")
    model.save(tmp_path / "lm.keras")
    loaded = keras.saving.load_model(tmp_path / "lm.keras")
    np.testing.assert_allclose(loaded(ids), model(ids), atol=1e-6)
    for direction in ("forward", "backward"):
        a, _ = model.step(ids, model.initial_states(1), direction)
        b, _ = loaded.step(ids, loaded.initial_states(1), direction)
        np.testing.assert_allclose(a, b, atol=1e-6)
