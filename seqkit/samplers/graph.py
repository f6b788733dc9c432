"""Greedy decoding and beam search that trace into a graph.

The NumPy samplers (`greedy`, `beam_search`) drop rows as they finish and
stop as soon as every row is done, which a traced graph cannot do. The
functions here give the same results with `keras.ops` only, so that they
can run inside a `tf.function` or a Keras export endpoint (the batch size
may be unknown at trace time): a static Python loop runs all `max_tokens`
steps, every row steps every time, and the rows that are done keep
stepping with their results frozen by masks.

Beam search follows `seqkit.samplers.beam` rule for rule (candidates,
finished lists, the stopping rule, the final ranking), so both give the
same hypotheses for the same step function; only ties between equal
scores may be broken differently. Results are dicts of tensors, not
`Hypothesis` objects; `lengths` count the generated tokens (end token
left out) and `tokens` are padded with 0 after them.
"""

import keras
from keras import ops

from seqkit.samplers import _checks as checks

_NEG_INF = float("-inf")


def greedy_decode(step, state, start_tokens, max_tokens, end_id):
    """Decodes by taking the most probable token at every step, in-graph.

    The traceable counterpart of `seqkit.samplers.greedy`: every row runs
    all `max_tokens` steps; once a row has emitted the end token its
    tokens, length and score no longer change.

    Args:
        step: `step(tokens, state) -> (log_probs, new_state)`: `tokens` is
            an int32 tensor [rows] holding each row's previous token,
            `log_probs` a float tensor [rows, vocabulary]. The tensors of
            the state hold the rows on their first axis.
        state: the initial state of the rows (a nested list, tuple or dict
            of tensors, or None).
        start_tokens: int tensor [rows], the first token fed to each row;
            the number of rows may be unknown at trace time.
        max_tokens: a Python int, the number of steps (the most tokens
            generated per row, the end token included).
        end_id: the token that ends a row (None: rows run to `max_tokens`).

    Returns:
        A dict of tensors: `tokens` int32 [rows, max_tokens], the generated
        tokens, end token left out, padded with 0; `lengths` int32 [rows],
        the number of generated tokens; `scores` float32 [rows], the sum of
        their log-probabilities, the end token's included; `finished` bool
        [rows], whether the row emitted the end token.

    Raises:
        ValueError: an argument is out of range, or `step` returns
            log-probabilities of the wrong rank.

    Example:

    ```python
    import numpy as np
    from keras import ops

    from seqkit.samplers import greedy_decode

    # A toy bigram model (1 starts, 2 ends, 3 is a word), in keras.ops.
    probs = np.full((4, 4), 0.25, "float32")
    probs[1] = [0.05, 0.05, 0.3, 0.6]
    probs[3] = [0.05, 0.05, 0.7, 0.2]

    def step(tokens, state):
        return ops.take(ops.log(probs), tokens, axis=0), state

    start_tokens = np.array([1, 1])
    best = greedy_decode(step, None, start_tokens, max_tokens=5, end_id=2)
    best["tokens"], best["lengths"]  # [[3, 0, 0, 0, 0], [3, 0, ...]], [1, 1]
    ```
    """
    checks.check_step(step)
    tokens = _start_tensor(start_tokens)
    max_tokens = checks.check_positive_int("max_tokens", max_tokens)
    end_id = checks.check_end_id(end_id)
    finished = ops.zeros_like(tokens, dtype="bool")
    scores = ops.zeros_like(tokens, dtype="float32")
    lengths = ops.zeros_like(tokens)
    generated = []
    for _ in range(max_tokens):
        log_probs, state = step(tokens, state)
        log_probs = _log_probs_tensor(log_probs)
        tokens = ops.cast(ops.argmax(log_probs, axis=-1), "int32")
        chosen = ops.take_along_axis(log_probs, tokens[:, None], axis=1)
        scores = scores + ops.where(finished, 0.0, chosen[:, 0])
        finished = finished | _is_end(tokens, end_id)
        generated.append(ops.where(finished, 0, tokens))
        lengths = lengths + ops.cast(ops.logical_not(finished), "int32")
    return {
        "tokens": ops.stack(generated, axis=1),
        "lengths": lengths,
        "scores": scores,
        "finished": finished,
    }


def beam_search_decode(
    step,
    state,
    start_tokens,
    max_tokens,
    end_id,
    width=4,
    length_penalty=1.0,
):
    """Decodes the most probable sequences of each row by beam search,
    in-graph.

    The traceable counterpart of `seqkit.samplers.beam_search`, with the
    same candidates, finished lists and stopping rule (see
    `seqkit.samplers.beam`). Every row runs all `max_tokens` steps; a row
    that is done keeps stepping but its finished hypotheses no longer
    change, and its unfinished ones stay out of the results.

    Args:
        step: `step(tokens, state) -> (log_probs, new_state)`: `tokens` is
            an int32 tensor [rows], `log_probs` a float tensor [rows,
            vocabulary]. Here a "row" of the step is one beam: the step
            sees `width` rows per input row, row `r`'s beams being rows
            `r * width` to `r * width + width - 1`.
        state: the initial state of the rows (a nested list, tuple or dict
            of tensors with the rows on their first axis, or None); each
            row's state is copied to its `width` beams, and the state
            follows the surviving beams after every step.
        start_tokens: int tensor [rows], the first token fed to each row;
            the number of rows may be unknown at trace time.
        max_tokens: a Python int, the number of steps (the most tokens
            generated per row, the end token included).
        end_id: the token that ends a hypothesis (None: all run to
            `max_tokens`).
        width: the number of hypotheses kept alive per row.
        length_penalty: hypotheses are ranked by
            `score / length ** length_penalty`, length counting the end
            token; 0 ranks by the raw sum of log-probabilities.

    Returns:
        A dict of tensors, each row's hypotheses best first: `tokens`
        int32 [rows, width, max_tokens] (end token left out, padded with
        0), `lengths` int32 [rows, width] (the number of tokens),
        `scores` float32 [rows, width] (the sum of log-probabilities, the
        end token's included), `normalized` float32 [rows, width] (the
        score the ranking uses) and `finished` bool [rows, width]. A row
        with fewer than `width` hypotheses fills the rest with score and
        normalized score -inf.

    Raises:
        ValueError: an argument is out of range, or `step` returns
            log-probabilities of the wrong rank.

    Example:

    ```python
    import numpy as np
    from keras import ops

    from seqkit.samplers import beam_search_decode

    # A toy bigram model (1 starts, 2 ends, 3 is a word), in keras.ops.
    probs = np.full((4, 4), 0.25, "float32")
    probs[1] = [0.05, 0.05, 0.3, 0.6]
    probs[3] = [0.05, 0.05, 0.7, 0.2]

    def step(tokens, state):
        return ops.take(ops.log(probs), tokens, axis=0), state

    start_tokens = np.array([1, 1])
    beams = beam_search_decode(step, None, start_tokens, max_tokens=5,
                               end_id=2, width=4)
    best_tokens = beams["tokens"][:, 0]  # [[3, 0, 0, 0, 0], [3, 0, ...]]
    ```
    """
    checks.check_step(step)
    starts = _start_tensor(start_tokens)
    max_tokens = checks.check_positive_int("max_tokens", max_tokens)
    end_id = checks.check_end_id(end_id)
    width = checks.check_positive_int("width", width)
    penalty = checks.check_finite_float("length_penalty", length_penalty)

    rows = ops.arange(ops.shape(starts)[0], dtype="int32")
    offsets = rows[:, None] * width
    # The copies of a row's start begin at -inf, so that the first step
    # expands a single hypothesis per row.
    first = ops.where(ops.arange(width) == 0, 0.0, _NEG_INF)
    scores = ops.zeros_like(starts, dtype="float32")[:, None] + first
    tokens = ops.repeat(starts, width)
    history = ops.zeros_like(tokens)[:, None] + ops.zeros(max_tokens, "int32")
    state = gather_state_tensors(state, ops.repeat(rows, width))
    kept = _no_hypotheses(scores, max_tokens)
    done = ops.zeros_like(starts, dtype="bool")
    for length in range(1, max_tokens + 1):
        log_probs, state = step(tokens, state)
        log_probs = _log_probs_tensor(log_probs)
        beam, token, total = _candidates(scores, log_probs, width)
        sources = offsets + beam
        is_end = _is_end(token, end_id)
        prefixes = _take_rows(history, sources[:, :width])
        kept = _add_ends(kept, done, prefixes, is_end, total, length, penalty)
        pick, scores = _survivors(is_end, total, width)
        sources = ops.reshape(ops.take_along_axis(sources, pick, axis=1), [-1])
        tokens = ops.reshape(ops.take_along_axis(token, pick, axis=1), [-1])
        column = ops.arange(max_tokens) == length - 1
        history = ops.take(history, sources, axis=0)
        history = ops.where(column, tokens[:, None], history)
        state = gather_state_tensors(state, sources)
        if length < max_tokens:
            done = done | _is_done(kept, scores, length, penalty)
    # Only the rows still running at the last step rank their unfinished
    # hypotheses with the finished ones, as `beam_search` does.
    running = ops.logical_not(done)[:, None] & (scores > _NEG_INF)
    history = ops.reshape(history, (-1, width, max_tokens))
    alive = _hypotheses(history, scores, running, max_tokens, penalty, False)
    return _results(_best(kept, alive, width))


def gather_state_tensors(state, indices):
    """Takes rows `indices` of every tensor in a nested state, in-graph.

    The `keras.ops` counterpart of `seqkit.samplers.gather_state`: the
    state is None, a tensor whose first axis holds the rows, or a list,
    tuple or dict of such states, nested to any depth.

    Args:
        state: the nested state.
        indices: int tensor, the rows to take, in order; a row may appear
            several times.

    Returns:
        A state of the same structure whose tensors hold the chosen rows.

    Raises:
        ValueError: a leaf of the state has no row axis (a scalar).

    Example:

    ```python
    import numpy as np
    from seqkit.samplers.graph import gather_state_tensors

    state = {"h": [np.zeros((3, 8))], "step": np.arange(3)}
    gather_state_tensors(state, np.array([2, 2, 0]))["step"]  # [2, 2, 0]
    ```
    """

    def take(values):
        values = ops.convert_to_tensor(values)
        if len(values.shape) == 0:
            raise ValueError(
                "Every tensor of the state must hold the rows on its first "
                f"axis; got a scalar: {values!r}"
            )
        return ops.take(values, indices, axis=0)

    return keras.tree.map_structure(take, state, none_is_leaf=False)


def _start_tensor(start_tokens):
    """The start tokens as an int32 tensor [rows]."""
    tokens = ops.convert_to_tensor(start_tokens)
    if len(tokens.shape) != 1:
        raise ValueError(
            "start_tokens must be 1-D (one token per row), got a tensor of "
            f"shape {tuple(tokens.shape)}"
        )
    dtype = keras.backend.standardize_dtype(tokens.dtype)
    if "int" not in dtype:
        raise ValueError(f"start_tokens must hold ints, got dtype {dtype}")
    return ops.cast(tokens, "int32")


def _log_probs_tensor(log_probs):
    """The step's log-probabilities as float32 [rows, vocabulary]."""
    log_probs = ops.convert_to_tensor(log_probs)
    if len(log_probs.shape) != 2:
        raise ValueError(
            "step must return log_probs of shape (rows, vocabulary), got "
            f"shape {tuple(log_probs.shape)}"
        )
    return ops.cast(log_probs, "float32")


def _is_end(tokens, end_id):
    if end_id is None:
        return ops.zeros_like(tokens, dtype="bool")
    return ops.equal(tokens, end_id)


def _take_rows(values, indices):
    """`values[indices]` along axis 0, for indices of any shape."""
    taken = ops.take(values, ops.reshape(indices, [-1]), axis=0)
    count = indices.shape[-1]
    return ops.reshape(taken, (-1, count, *values.shape[1:]))


def _candidates(scores, log_probs, width):
    """The best `2 * width` extensions of each row's beams, best first.

    Returns their beam [rows, k], token [rows, k] and total score
    [rows, k], as `beam._candidates` does; ties may be broken otherwise.
    """
    vocabulary = log_probs.shape[-1]
    if vocabulary is None:
        vocabulary = ops.shape(log_probs)[-1]
        count = 2 * width
    else:
        count = min(2 * width, width * vocabulary)
    steps = ops.reshape(log_probs, (-1, width, vocabulary))
    totals = ops.reshape(scores[:, :, None] + steps, (-1, width * vocabulary))
    total, order = ops.top_k(totals, k=count)
    order = ops.cast(order, "int32")
    return order // vocabulary, order % vocabulary, total


def _survivors(is_end, total, width):
    """The `width` best candidates that do not end, per row.

    Returns their positions among the candidates [rows, width] and their
    scores; a row with fewer such candidates fills its beams with dead
    ones (score -inf), as `beam._survivors` does.
    """
    alive = (total > _NEG_INF) & ops.logical_not(is_end)
    count = total.shape[-1]
    position = ops.arange(count, dtype="float32")
    # The alive candidates first, then the dead ones, each in rank order:
    # a stable partition, which `top_k` does through the keys.
    _, pick = ops.top_k(
        ops.where(alive, 2 * count - position, -position), k=width
    )
    pick = ops.cast(pick, "int32")
    scores = ops.where(
        ops.take_along_axis(alive, pick, axis=1),
        ops.take_along_axis(total, pick, axis=1),
        _NEG_INF,
    )
    return pick, scores


def _add_ends(kept, done, prefixes, is_end, total, length, penalty):
    """Finishes the end candidates ranked in the first `width`.

    `prefixes` [rows, width, max_tokens] holds those candidates' tokens
    before the new one. The rows that are done keep their finished lists
    as they are.
    """
    width = prefixes.shape[1]
    ends = is_end[:, :width] & (total[:, :width] > _NEG_INF)
    ends = ends & ops.logical_not(done)[:, None]
    ended = _hypotheses(prefixes, total[:, :width], ends, length, penalty)
    return _best(kept, ended, width)


def _hypotheses(tokens, scores, valid, length, penalty, finished=True):
    """Hypotheses [rows, n] of `length` tokens (the end token included when
    `finished`), as a dict of tensors; entries not `valid` score -inf."""
    scores = ops.where(valid, scores, _NEG_INF)
    return {
        "tokens": tokens,
        "lengths": ops.full_like(scores, length - int(finished), "int32"),
        "scores": scores,
        "normalized": scores / length**penalty,
        "finished": ops.logical_and(valid, finished),
    }


def _no_hypotheses(scores, max_tokens):
    """An empty finished list: -inf scores, shaped like `scores`."""
    empty = ops.zeros_like(scores, dtype="bool")
    tokens = ops.zeros_like(scores, dtype="int32")[:, :, None]
    tokens = tokens + ops.zeros(max_tokens, "int32")
    return _hypotheses(tokens, scores, empty, 1, 0.0)


def _best(kept, new, width):
    """The best `width` of two lists of `width` hypotheses each, by
    normalized score.

    On ties `top_k` prefers the lower index, so `kept` wins over `new` and
    each keeps its order, as the stable sort of `beam._Kept.rank` does.
    """
    merged = {key: ops.concatenate([kept[key], new[key]], 1) for key in kept}
    _, order = ops.top_k(merged["normalized"], k=width)
    order = ops.cast(order, "int32")
    rows = ops.arange(ops.shape(order)[0], dtype="int32")
    sources = rows[:, None] * (2 * width) + order
    return {
        key: _take_rows(ops.reshape(values, (-1, *values.shape[2:])), sources)
        for key, values in merged.items()
    }


def _is_done(kept, scores, length, penalty):
    """Whether each row can stop: see `seqkit.samplers.beam`.

    The worst kept hypothesis is -inf until `width` are kept, so a single
    comparison covers both "no alive hypothesis" (best alive -inf) and
    "the best alive one does not beat the worst of `width` finished".
    """
    best_alive = ops.max(scores, axis=1) / length**penalty
    return best_alive <= kept["normalized"][:, -1]


def _results(hypotheses):
    """The final hypotheses, with the missing ones' tokens and lengths 0.

    With a stable `top_k` (TensorFlow's, JAX's) the missing ones are the
    empty entries of the finished list already; other backends need not
    break ties between -inf scores that way.
    """
    valid = hypotheses["scores"] > _NEG_INF
    results = dict(hypotheses)
    results["tokens"] = ops.where(valid[:, :, None], hypotheses["tokens"], 0)
    results["lengths"] = ops.where(valid, hypotheses["lengths"], 0)
    return results
