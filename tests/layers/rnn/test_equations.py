"""Each cell and layer against the NumPy equations and against Keras."""

import numpy as np
import pytest
from keras import ops

from tests.layers.rnn import reference as ref
from tests.layers.rnn.cases import CASES, IDS

UNITS, FEATURES, BATCH, TIME = 4, 3, 3, 6


def _randomize(layer, rng, scale=0.6):
    """Random weights everywhere (biases too), so every term matters."""
    layer.set_weights(
        [
            rng.normal(0.0, scale, w.shape).astype("float32")
            for w in layer.get_weights()
        ]
    )
    return [np.asarray(w, dtype=np.float64) for w in layer.get_weights()]


def _initial_state(layer_cls, rng):
    count = 2 if layer_cls.__name__ == "LSTM" else 1
    return [
        rng.normal(0, 0.5, (BATCH, UNITS)).astype("float32")
        for _ in range(count)
    ]


@pytest.mark.parametrize("case", IDS)
def test_layer_matches_numpy_equations(case):
    layer_cls, _, kwargs, step = CASES[case]
    rng = np.random.default_rng(1)
    x = rng.normal(0, 1, (BATCH, TIME, FEATURES)).astype("float32")
    state0 = _initial_state(layer_cls, rng)
    layer = layer_cls(UNITS, return_sequences=True, return_state=True, **kwargs)
    layer(x)
    weights = _randomize(layer, rng)

    outputs, *states = layer(x, initial_state=state0)
    expected, expected_states = ref.run(
        lambda xt, s: step(xt, s, weights), x, state0
    )
    np.testing.assert_allclose(
        ops.convert_to_numpy(outputs), expected, atol=1e-5, rtol=1e-5
    )
    for got, want in zip(states, expected_states):
        np.testing.assert_allclose(
            ops.convert_to_numpy(got), want, atol=1e-5, rtol=1e-5
        )


@pytest.mark.parametrize("projected", [False, True], ids=["x", "projected"])
@pytest.mark.parametrize("case", IDS)
def test_cell_step_matches_numpy(case, projected):
    # `step_from_projection` is given `x W + b` (the export's folded
    # tables) instead of x. A GRU with reset_after adds its input bias row
    # in the step, so its projection is `x W` alone.
    layer_cls, _, kwargs, step = CASES[case]
    rng = np.random.default_rng(2)
    cell = layer_cls.cell_class(UNITS, **kwargs)
    x = rng.normal(0, 1, (BATCH, FEATURES)).astype("float32")
    state = _initial_state(layer_cls, rng)
    cell(x, state)
    weights = _randomize(cell, rng)
    if projected:
        kernel, bias = weights[0], weights[-1]
        given = x.astype(np.float64) @ kernel
        if bias.ndim == 1:
            given = given + bias
        output, new_state = cell.step_from_projection(
            given.astype("float32"), state
        )
    else:
        output, new_state = cell(x, state)
    expected = step(x, tuple(state), weights)
    np.testing.assert_allclose(
        ops.convert_to_numpy(output), expected[0], atol=1e-5, rtol=1e-5
    )
    for got, want in zip(new_state, expected):
        np.testing.assert_allclose(
            ops.convert_to_numpy(got), want, atol=1e-5, rtol=1e-5
        )


@pytest.mark.parametrize("case", IDS)
def test_a_training_step_drops_the_input_before_its_projection(case):
    # `call` applies the input mask to x, then the equations (and the
    # recurrent mask) of `step_from_projection`.
    layer_cls, _, kwargs, _ = CASES[case]
    rng = np.random.default_rng(4)
    cell = layer_cls.cell_class(
        UNITS, dropout=0.5, recurrent_dropout=0.5, seed=1, **kwargs
    )
    x = rng.normal(0, 1, (BATCH, FEATURES)).astype("float32")
    state = _initial_state(layer_cls, rng)
    cell(x, state)
    _randomize(cell, rng)
    input_mask = cell.get_dropout_mask(x)
    cell.get_recurrent_dropout_mask(state[0])
    output, new_state = cell(x, state, training=True)
    projection = cell.input_projection(x * input_mask)
    want, want_state = cell.step_from_projection(
        projection, state, training=True
    )
    assert not np.allclose(
        ops.convert_to_numpy(output),
        ops.convert_to_numpy(cell.step_from_projection(projection, state)[0]),
    )  # the recurrent mask matters
    for got, expected in zip([output, *new_state], [want, *want_state]):
        np.testing.assert_allclose(
            ops.convert_to_numpy(got), ops.convert_to_numpy(expected)
        )


@pytest.mark.parametrize("case", [c for c in IDS if CASES[c][1] is not None])
@pytest.mark.parametrize("direction", ["seqkit-to-keras", "keras-to-seqkit"])
def test_weights_move_between_seqkit_and_keras(case, direction):
    layer_cls, keras_cls, kwargs, _ = CASES[case]
    rng = np.random.default_rng(3)
    x = rng.normal(0, 1, (BATCH, TIME, FEATURES)).astype("float32")
    mask = np.arange(TIME)[None, :] < np.array([[6], [3], [1]])
    ours = layer_cls(UNITS, return_sequences=True, **kwargs)
    theirs = keras_cls(UNITS, return_sequences=True, **kwargs)
    ours(x)
    theirs(x)
    source, target = (ours, theirs)
    if direction == "keras-to-seqkit":
        source, target = theirs, ours
    _randomize(source, rng)
    assert [w.shape for w in source.get_weights()] == [
        w.shape for w in target.get_weights()
    ]
    target.set_weights(source.get_weights())
    got = ops.convert_to_numpy(ours(x, mask=mask))
    want = ops.convert_to_numpy(theirs(x, mask=mask))
    # Keras repeats the last output at masked steps by default; seqkit
    # zeroes them. Compare the real steps.
    np.testing.assert_allclose(got[mask], want[mask], atol=1e-5, rtol=1e-5)


def test_weight_names_and_shapes_follow_keras_layout():
    import seqkit.layers as L

    x = np.zeros((1, 2, FEATURES), "float32")
    for layer, shapes in [
        (L.Elman(UNITS), [(3, 4), (4, 4), (4,)]),
        (L.LSTM(UNITS), [(3, 16), (4, 16), (16,)]),
        (L.GRU(UNITS), [(3, 12), (4, 12), (2, 12)]),
        (L.GRU(UNITS, reset_after=False), [(3, 12), (4, 12), (12,)]),
    ]:
        layer(x)
        names = [w.path.split("/")[-1] for w in layer.weights]
        assert names == ["kernel", "recurrent_kernel", "bias"]
        assert [tuple(w.shape) for w in layer.weights] == shapes


def test_lstm_forget_bias_starts_at_one():
    import seqkit.layers as L

    layer = L.LSTM(UNITS)
    layer(np.zeros((1, 2, FEATURES), "float32"))
    bias = ops.convert_to_numpy(layer.cell.bias)
    np.testing.assert_array_equal(bias[UNITS : 2 * UNITS], 1.0)
    np.testing.assert_array_equal(bias[:UNITS], 0.0)
    np.testing.assert_array_equal(bias[2 * UNITS :], 0.0)


def test_hard_sigmoid_keras2_values():
    from seqkit.layers import hard_sigmoid_keras2

    x = np.linspace(-4, 4, 33).astype("float32")
    got = ops.convert_to_numpy(hard_sigmoid_keras2(x))
    np.testing.assert_allclose(got, ref.hard_sigmoid_keras2(x), atol=1e-7)
    assert got[0] == 0.0 and got[-1] == 1.0 and got[16] == 0.5


def test_bad_arguments_name_the_argument():
    import seqkit.layers as L

    with pytest.raises(ValueError, match="units"):
        L.LSTM(0)
    with pytest.raises(ValueError, match="recurrent_dropout"):
        L.GRU(3, recurrent_dropout=1.5)
    with pytest.raises(ValueError, match="use_cudnn"):
        L.LSTM(3, use_cudnn="yes")
    with pytest.raises(ValueError, match="hard_sigmoid_keras3|Could not"):
        L.LSTM(3, recurrent_activation="hard_sigmoid_keras3")
