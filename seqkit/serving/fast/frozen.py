"""The export's weights as constants of its serving graph."""

# A text model's serving graph reads each weight of at most this many
# bytes as a constant (see `frozen_weights`).
FREEZE_WEIGHT_BYTES = 2**20


def frozen_weights(model):
    """A context in which `model`'s smaller weights read as constants.

    Every tensor a signature captures from outside its graph (a
    variable's handle, an eager constant) is one more argument its caller
    binds on every call: about 2.4 microseconds each in TensorFlow's
    Python client on a 2-core CPU (`bench/capture_cost.py`), where the
    default sentiment model's signature captured 17 of them. An export's
    weights never change, so the serving graph traced in this context
    (`keras.StatelessScope`, which maps each variable to a value) holds
    each weight of at most `FREEZE_WEIGHT_BYTES` as a constant, read when
    the function is made. Larger weights (embedding tables) stay
    variables: TensorFlow keeps several copies of a function's constants
    once it runs it (a process serving the default model held 1,098 MiB
    with every weight a constant, 1,082 with the small ones only and
    1,074 with none).

    Returns:
        A function that returns a fresh context manager; call it inside
        the traced function, so that the constants belong to its graph.
        A `tf.function` traced inside captures them from that graph, so
        it must not be called from another graph afterwards (the
        export's functions are made for one trace).
    """
    import keras
    import numpy as np

    values = [(weight, np.asarray(weight.numpy())) for weight in model.weights]
    values = [(w, v) for w, v in values if v.nbytes <= FREEZE_WEIGHT_BYTES]

    def scope():
        import tensorflow as tf

        return keras.StatelessScope(
            state_mapping=[(w, tf.constant(value)) for w, value in values]
        )

    return scope
