"""`run_layer_test`: one call checks what every seqkit layer must do."""

import os
import tempfile

import keras
import numpy as np

# Words of the string examples: some in the test vocabularies, some not.
WORDS = ["the", "film", "is", "good", "bad", "not", "plot", "a", "xyzzy"]


def example_inputs(
    input_shape, input_dtype="float32", input_range=(0, 10), seed=0
):
    """Random inputs for a layer: one array, or a list for several inputs.

    Args:
        input_shape: a shape tuple (with batch), or a list of them.
        input_dtype: a dtype, or a list of them (one per input).
        input_range: `(low, high)` of integer inputs (high excluded).
        seed: seed of the NumPy generator.

    Returns:
        A NumPy array or a list of arrays.
    """
    rng = np.random.default_rng(seed)
    if isinstance(input_shape, list):
        dtypes = input_dtype
        if not isinstance(dtypes, (list, tuple)):
            dtypes = [input_dtype] * len(input_shape)
        return [
            example_inputs(s, d, input_range, seed + i)
            for i, (s, d) in enumerate(zip(input_shape, dtypes))
        ]
    if input_dtype in ("str", "string"):
        words = np.array(WORDS)
        count = int(np.prod(input_shape))
        texts = [
            " ".join(rng.choice(words, size=rng.integers(0, 6)))
            for _ in range(count)
        ]
        return np.array(texts, dtype=object).reshape(input_shape)
    if np.issubdtype(np.dtype(input_dtype), np.integer):
        return rng.integers(*input_range, size=input_shape).astype(input_dtype)
    return rng.standard_normal(input_shape).astype(input_dtype)


def _symbolic_inputs(data):
    if isinstance(data, list):
        return [_symbolic_inputs(d) for d in data]
    dtype = "string" if data.dtype == object else data.dtype
    return keras.Input(batch_shape=(None, *data.shape[1:]), dtype=dtype)


def _first(outputs):
    if isinstance(outputs, dict):
        return next(iter(outputs.values()))
    return outputs[0] if isinstance(outputs, (list, tuple)) else outputs


def _assert_close(actual, expected, what):
    np.testing.assert_allclose(
        np.asarray(actual),
        np.asarray(expected),
        rtol=1e-5,
        atol=1e-5,
        err_msg=what,
    )


def run_layer_test(
    layer_cls,
    init_kwargs,
    input_shape,
    input_dtype="float32",
    input_range=(0, 10),
    expected_output_shape=None,
    run_training_step=True,
):
    """Builds a layer and checks the behaviour every seqkit layer promises.

    The checks: the output has `expected_output_shape` (when given) and is
    finite; `layer_cls(**layer.get_config())` gives the same config, and
    with the first layer's weights the same outputs; a functional model
    around the layer survives `.keras` saving with identical outputs; and
    (when the layer has trainable weights and `run_training_step`) one
    gradient step changes the weights and the loss is finite.

    Args:
        layer_cls: the layer class.
        init_kwargs: constructor keyword arguments.
        input_shape: input shape with the batch dimension, or a list.
        input_dtype: input dtype, or a list of them.
        input_range: integer input range, for integer inputs.
        expected_output_shape: the shape of the (first) output, if known.
        run_training_step: whether to fit one step.

    Returns:
        The (first) output of the layer on the example inputs, as NumPy.

    Raises:
        AssertionError: when a check fails.
    """
    data = example_inputs(input_shape, input_dtype, input_range)
    layer = layer_cls(**init_kwargs)
    output = _first(layer(data))
    output = np.asarray(keras.ops.convert_to_numpy(output))
    if expected_output_shape is not None:
        assert output.shape == tuple(expected_output_shape), (
            f"{layer_cls.__name__}: output shape {output.shape}, expected "
            f"{tuple(expected_output_shape)}"
        )
    if np.issubdtype(output.dtype, np.floating):
        assert np.isfinite(output).all(), f"{layer_cls.__name__}: non-finite"

    config = layer.get_config()
    clone = layer_cls.from_config(config)
    assert clone.get_config() == config, (
        f"{layer_cls.__name__}: config changes on a round trip"
    )
    clone(data)
    clone.set_weights(layer.get_weights())
    _assert_close(_first(clone(data)), output, "clone with copied weights")

    inputs = _symbolic_inputs(data)
    model = keras.Model(inputs, _first(layer(inputs)))
    expected = model.predict(data, verbose=0)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "model.keras")
        model.save(path)
        restored = keras.saving.load_model(path)
    _assert_close(restored.predict(data, verbose=0), expected, ".keras load")

    if run_training_step and layer.trainable_weights:
        _check_training_step(model, data, expected)
    return output


def _check_training_step(model, data, expected):
    before = [np.array(w) for w in model.trainable_weights]
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    target = np.ones_like(expected)
    loss = model.train_on_batch(data, target)
    assert np.isfinite(loss), "training loss is not finite"
    after = [np.array(w) for w in model.trainable_weights]
    assert any(not np.allclose(a, b) for a, b in zip(before, after)), (
        "one training step changed no weight"
    )
