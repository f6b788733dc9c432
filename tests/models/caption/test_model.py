"""The caption decoder: teacher forcing, masking, the step, the vocabulary."""

import keras
import numpy as np
import pytest
from keras import ops

from seqkit.models.caption import (
    END_ID,
    START_ID,
    CaptionModel,
    caption_vocabulary,
    decode_ids,
    encode_captions,
)

WORDS = caption_vocabulary(["one two", "two three", "three"])


def _model(**options):
    settings = {
        "input_kind": "image",
        "filters": [4, 6],
        "feature_dim": 5,
        "units": 7,
        "embedding_dim": 3,
        "attention_units": 4,
        "seed": 3,
    }
    settings.update(options)
    keras.utils.set_random_seed(0)
    return CaptionModel(WORDS, **settings)


def _images(count=3, seed=0):
    return np.random.default_rng(seed).random((count, 12, 16), "float32")


def test_vocabulary_and_ids():
    assert WORDS[:4] == ["", "[UNK]", "[START]", "[END]"]
    # By falling count, ties alphabetical.
    assert WORDS[4:] == ["three", "two", "one"]
    ids = encode_captions(WORDS, ["two  one", "nine"], length=5)
    assert ids.tolist() == [
        [START_ID, 5, 6, END_ID, 0],
        [START_ID, 1, END_ID, 0, 0],
    ]
    assert decode_ids(WORDS, [5, 6, END_ID, 4]) == "two one"
    assert decode_ids(WORDS, [4, 0, 5]) == "three"
    with pytest.raises(ValueError, match="caption 2 is empty"):
        encode_captions(WORDS, ["one", "  "])
    with pytest.raises(ValueError, match="at most 1 fit"):
        encode_captions(WORDS, ["one two"], length=3)
    assert encode_captions(WORDS, [""], allow_empty=True).tolist() == [
        [START_ID, END_ID]
    ]


def test_a_vocabulary_without_the_reserved_words_is_refused():
    with pytest.raises(ValueError, match="starts with"):
        CaptionModel(["one", "two"])


@pytest.mark.parametrize("attention", [True, False])
@pytest.mark.parametrize("cell", ["lstm", "gru", "elman"])
def test_teacher_forcing_shapes(cell, attention):
    model = _model(cell=cell, attention=attention)
    tokens = encode_captions(WORDS, ["one two", "three", "two"])[:, :-1]
    logits, weights = model.teacher_forced(_images(), tokens)
    assert tuple(logits.shape) == (3, 3, len(WORDS))
    # 16 columns, two 2x2 poolings: 4 regions.
    assert model.region_count == 4
    if attention:
        weights = ops.convert_to_numpy(weights)
        assert weights.shape == (3, 3, 4)
        np.testing.assert_allclose(weights.sum(-1), 1.0, rtol=1e-5)
    else:
        assert weights is None


def test_teacher_forcing_equals_the_step_by_step_decoder():
    model = _model()
    images = _images()
    tokens = encode_captions(WORDS, ["one two", "three", "two"])[:, :-1]
    logits, _ = model.teacher_forced(images, tokens)
    state = model.initial_state(images)
    for position in range(tokens.shape[1]):
        step_logits, state, _ = model.decode_step(tokens[:, position], state)
        np.testing.assert_allclose(
            ops.convert_to_numpy(step_logits),
            ops.convert_to_numpy(logits[:, position]),
            rtol=1e-5,
            atol=1e-6,
        )


def test_padding_changes_nothing_of_the_real_positions():
    model = _model()
    images = _images(2)
    short = encode_captions(WORDS, ["three", "one"])[:, :-1]  # 2 steps
    padded = encode_captions(WORDS, ["three", "one"], length=6)[:, :-1]
    a, _ = model.teacher_forced(images, short)
    b, _ = model.teacher_forced(images, padded)
    np.testing.assert_allclose(
        ops.convert_to_numpy(a), ops.convert_to_numpy(b[:, :2]), atol=1e-6
    )
    # A later word never changes an earlier position's logits.
    other = padded.copy()
    other[:, 3:] = 4
    c, _ = model.teacher_forced(images, other)
    np.testing.assert_allclose(
        ops.convert_to_numpy(b[:, :3]), ops.convert_to_numpy(c[:, :3])
    )


def test_the_masked_loss_of_a_padded_batch_is_each_caption_alone():
    model = _model()
    model.compile(
        loss=keras.losses.SparseCategoricalCrossentropy(
            from_logits=True, reduction="sum"
        )
    )
    images = _images(2)
    ids = encode_captions(WORDS, ["one two three", "two"], length=6)
    targets = ids[:, 1:]
    together = model.evaluate(
        [images, ids[:, :-1]],
        targets,
        sample_weight=(targets != 0).astype("float32"),
        verbose=0,
    )

    def alone(caption, row):
        # Unpadded, and computed by hand from the logits.
        ids = encode_captions(WORDS, [caption])
        logits, _ = model.teacher_forced(images[row : row + 1], ids[:, :-1])
        logits = ops.convert_to_numpy(logits)[0].astype("float64")
        shifted = logits - logits.max(-1, keepdims=True)
        log_probs = shifted - np.log(np.exp(shifted).sum(-1, keepdims=True))
        targets = ids[0, 1:]
        return -log_probs[np.arange(len(targets)), targets].sum()

    expected = alone("one two three", 0) + alone("two", 1)
    assert together == pytest.approx(expected, rel=1e-5)


def _numpy_step(model, images, token):
    """One decoder step from the weights, in NumPy (LSTM with attention)."""

    def sigmoid(x):
        return 1 / (1 + np.exp(-x))

    state = model.initial_state(images)
    regions = ops.convert_to_numpy(state["regions"])
    h, c = (ops.convert_to_numpy(s) for s in state["cell"])
    attention = model.attention_layer
    scores = np.tanh(
        regions @ ops.convert_to_numpy(attention.key_kernel)
        + (h @ ops.convert_to_numpy(attention.query_kernel))[:, None]
        + ops.convert_to_numpy(attention.bias)
    ) @ ops.convert_to_numpy(attention.score_kernel)
    weights = np.exp(scores[..., 0])
    weights /= weights.sum(1, keepdims=True)
    context = (weights[..., None] * regions).sum(1)
    embedded = ops.convert_to_numpy(model.embedding.embeddings)[token]
    x = np.concatenate([embedded, context], -1)
    cell = model.cell
    z = (
        x @ ops.convert_to_numpy(cell.kernel)
        + h @ ops.convert_to_numpy(cell.recurrent_kernel)
        + ops.convert_to_numpy(cell.bias)
    )
    i, f, g, o = np.split(z, 4, axis=-1)
    c = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
    h = sigmoid(o) * np.tanh(c)
    kernel, bias = (ops.convert_to_numpy(w) for w in model.output_layer.weights)
    return np.concatenate([h, context], -1) @ kernel + bias, weights


def test_a_step_matches_a_numpy_reference():
    model = _model()
    images = _images()
    tokens = np.array([START_ID, 5, 4])
    logits, _, weights = model.decode_step(tokens, model.initial_state(images))
    expected, expected_weights = _numpy_step(model, images, tokens)
    np.testing.assert_allclose(
        ops.convert_to_numpy(logits), expected, rtol=1e-4, atol=1e-5
    )
    np.testing.assert_allclose(
        ops.convert_to_numpy(weights), expected_weights, rtol=1e-4, atol=1e-6
    )


def test_the_step_never_predicts_padding_unknown_or_start():
    model = _model()
    images = _images()
    log_probs, _ = model.step(np.full(3, START_ID), model.initial_state(images))
    probabilities = np.exp(ops.convert_to_numpy(log_probs))
    np.testing.assert_allclose(probabilities.sum(-1), 1.0, rtol=1e-5)
    assert probabilities[:, :END_ID].max() < 1e-30


def test_scheduled_sampling_feeds_the_model_its_own_words():
    tokens = encode_captions(WORDS, ["one two three"] * 4)[:, :-1]
    images = _images(4)
    plain = _model()
    logits, _ = plain.teacher_forced(images, tokens, training=True)
    sampled = _model(scheduled_sampling=0.99)
    sampled.teacher_forced(images, tokens)  # builds the weights
    sampled.set_weights(plain.get_weights())
    mixed, _ = sampled.teacher_forced(images, tokens, training=True)
    mixed, logits = ops.convert_to_numpy(mixed), ops.convert_to_numpy(logits)
    # The first input is always [START]; later ones are the model's words.
    np.testing.assert_allclose(mixed[:, 0], logits[:, 0], atol=1e-6)
    assert np.abs(mixed[:, 1:] - logits[:, 1:]).max() > 1e-4
    # Outside training it is plain teacher forcing.
    inference, _ = sampled.teacher_forced(images, tokens)
    np.testing.assert_allclose(
        ops.convert_to_numpy(inference), logits, atol=1e-6
    )


@pytest.mark.parametrize("shape", [(3, 6), (3, 5, 6)])
def test_features_as_inputs(shape):
    model = _model(input_kind="features")
    features = np.random.default_rng(1).random(shape, "float32")
    tokens = encode_captions(WORDS, ["one", "two", "three"])[:, :-1]
    logits, weights = model.teacher_forced(features, tokens)
    assert tuple(logits.shape) == (3, 2, len(WORDS))
    regions = 1 if len(shape) == 2 else shape[1]
    assert tuple(weights.shape) == (3, 2, regions)
    assert model.input_size == shape[1:]


def test_bad_settings_are_named():
    with pytest.raises(ValueError, match="input_kind"):
        _model(input_kind="audio")
    with pytest.raises(ValueError, match="cell"):
        _model(cell="transformer")
    with pytest.raises(ValueError, match="scheduled_sampling"):
        _model(scheduled_sampling=1.5)
    with pytest.raises(ValueError, match="size"):
        _model(filters=[4, 4, 4, 4, 4])([_images(), np.zeros((3, 2), "int32")])
