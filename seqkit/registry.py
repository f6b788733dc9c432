"""One decorator that makes a seqkit class public and serializable."""

import keras

PACKAGE = "seqkit"

# Every registered class, in registration order. The common tests walk this
# list: each entry is built from its example, round-tripped through its
# config and `.keras` saving, and checked for documented arguments.
REGISTERED = []


def register(cls=None, *, example=None):
    """Register a class for Keras serialization and the common tests.

    The class is registered under the package name `"seqkit"`, so a saved
    model that uses it loads with `keras.saving.load_model` once seqkit is
    imported.

    Args:
        cls: the class to register (when used as `@register`).
        example: a dict describing a tiny instance for the common tests:
            `init` (constructor keyword arguments), `input_shape` (a tuple
            with the batch dimension, or a list of tuples), and optionally
            `input_dtype` (default `"float32"`) and `input_range` (the
            integer range for integer inputs, default `(0, 10)`). A
            tokenizer (not a layer) gives `init`, `texts` (a few
            strings) and `tokens` (what it must make of them) instead.

    Returns:
        The class itself, or a decorator when called with keywords.

    Example:

    ```python
    import keras

    from seqkit.registry import register

    @register(example={"init": {"units": 2}, "input_shape": (2, 5, 3)})
    class MyLayer(keras.layers.Layer):
        ...

    assert keras.saving.get_registered_name(MyLayer) == "seqkit>MyLayer"
    ```
    """

    def decorate(klass):
        keras.saving.register_keras_serializable(package=PACKAGE)(klass)
        klass._seqkit_example = example
        if klass not in REGISTERED:
            REGISTERED.append(klass)
        return klass

    if cls is None:
        return decorate
    return decorate(cls)
