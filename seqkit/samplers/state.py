"""Selecting rows of a nested decoder state."""

import numpy as np


def gather_state(state, indices):
    """Takes rows `indices` of every array in a nested state.

    The state of a step function is None, an array whose first axis holds
    the rows, or a list, tuple (named tuples included) or dict of such
    states, nested to any depth. Samplers use this to follow the beams that
    survive a step and to drop the rows that have finished.

    Args:
        state: the nested state.
        indices: int array, the rows to take, in order; a row may appear
            several times (a beam with several surviving continuations).

    Returns:
        A state of the same structure whose arrays hold the chosen rows.

    Raises:
        ValueError: a leaf of the state has no row axis (a scalar).

    Example:

    ```python
    import numpy as np
    from seqkit.samplers import gather_state

    state = {"h": [np.zeros((3, 8)), np.ones((3, 8))], "step": np.arange(3)}
    gather_state(state, np.array([2, 2, 0]))["step"]  # array([2, 2, 0])
    ```
    """
    indices = np.asarray(indices, dtype=np.int64)
    return _gather(state, indices)


def _gather(state, indices):
    if state is None:
        return None
    if isinstance(state, dict):
        gathered = {
            key: _gather(value, indices) for key, value in state.items()
        }
        return gathered if type(state) is dict else type(state)(gathered)
    if isinstance(state, tuple) and hasattr(state, "_fields"):
        return type(state)(*(_gather(value, indices) for value in state))
    if isinstance(state, list | tuple):
        return type(state)(_gather(value, indices) for value in state)
    values = np.asarray(state)
    if values.ndim == 0:
        raise ValueError(
            "Every array of the state must hold the rows on its first axis; "
            f"got a scalar: {state!r}"
        )
    return np.take(values, indices, axis=0)
