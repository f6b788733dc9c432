"""Greedy decoding and random sampling, one token per row at a time.

Both run the same loop: call the step function on the rows still running,
choose one token per row, add the model's log-probability of that token to
the row's score, and drop the rows that emitted the end token (their state
is dropped too, so the step function never sees them again).
"""

import numpy as np

from seqkit.samplers import _checks as checks
from seqkit.samplers.hypothesis import Hypothesis
from seqkit.samplers.state import gather_state


def greedy(step, state, start_tokens, max_tokens, end_id=None):
    """Decodes by taking the most probable token at every step.

    On ties the lowest token id wins, as in `beam_search`, so that
    `beam_search(..., width=1)` returns the same sequences and scores.

    Args:
        step: `step(tokens, state) -> (log_probs, new_state)`: `tokens` is
            an int array [rows] holding each row's previous token,
            `log_probs` a float array [rows, vocabulary]. The arrays of the
            state hold the rows on their first axis.
        state: the initial state of the rows (a nested list, tuple or dict
            of arrays, or None).
        start_tokens: int array [rows], the first token fed to each row.
        max_tokens: the most tokens generated per row, the end token
            included.
        end_id: the token that ends a row (None: rows run to `max_tokens`).

    Returns:
        A list with one `Hypothesis` per row.

    Raises:
        ValueError: an argument is out of range, or `step` returns
            log-probabilities of the wrong shape.

    Example:

    ```python
    import numpy as np

    from seqkit.samplers import greedy

    # A toy bigram model: row t is the next token's distribution after t
    # (1 starts a sequence, 2 ends it, 3 is a word).
    probs = np.full((4, 4), 0.25)
    probs[1] = [0.05, 0.05, 0.3, 0.6]
    probs[3] = [0.05, 0.05, 0.7, 0.2]

    def step(tokens, state):
        return np.log(probs[tokens]), state

    best = greedy(step, None, start_tokens=[1, 1], max_tokens=20, end_id=2)
    best[0].tokens, best[0].score  # [3], log(0.6) + log(0.7)
    ```
    """
    return _decode(step, state, start_tokens, max_tokens, end_id, _argmax)


def sample(
    step,
    state,
    start_tokens,
    max_tokens,
    end_id=None,
    temperature=1.0,
    top_k=None,
    seed=None,
):
    """Decodes by drawing every token at random.

    Each token is drawn from `softmax(log_probs / temperature)`, restricted
    to the `top_k` most probable tokens when `top_k` is given. The step's
    output is normalised again after the temperature, so logits work too.

    Args:
        step: `step(tokens, state) -> (log_probs, new_state)`, as for
            `greedy`.
        state: the initial state of the rows, or None.
        start_tokens: int array [rows], the first token fed to each row.
        max_tokens: the most tokens generated per row, the end token
            included.
        end_id: the token that ends a row (None: rows run to `max_tokens`).
        temperature: a positive number; below 1 sharpens the distribution
            (towards greedy), above 1 flattens it.
        top_k: draw only among the `top_k` most probable tokens (None: all).
        seed: a seed or `numpy.random.Generator` for
            `numpy.random.default_rng`; the same seed gives the same draws.

    Returns:
        A list with one `Hypothesis` per row; its score sums the model's
        log-probabilities (before the temperature) of the drawn tokens.

    Raises:
        ValueError: an argument is out of range, or `step` returns
            log-probabilities of the wrong shape.

    Example:

    ```python
    import numpy as np

    from seqkit.samplers import sample

    # A toy bigram model: row t is the next token's distribution after t
    # (1 starts a sequence, 2 ends it, 3 is a word).
    probs = np.full((4, 4), 0.25)
    probs[1] = [0.05, 0.05, 0.3, 0.6]
    probs[3] = [0.05, 0.05, 0.7, 0.2]

    def step(tokens, state):
        return np.log(probs[tokens]), state

    drawn = sample(step, None, [1] * 8, 20, end_id=2, temperature=0.8,
                   top_k=2, seed=0)
    assert len(drawn) == 8 and all(token == 3 for token in drawn[0].tokens)
    ```
    """
    temperature = checks.check_positive_float("temperature", temperature)
    top_k = checks.check_optional_positive_int("top_k", top_k)
    rng = np.random.default_rng(seed)

    def choose(log_probs):
        return _draw(log_probs, temperature, top_k, rng)

    return _decode(step, state, start_tokens, max_tokens, end_id, choose)


def log_softmax(values):
    """Normalises the last axis of `values` into log-probabilities."""
    shifted = values - np.max(values, axis=-1, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))


def _argmax(log_probs):
    return np.argmax(log_probs, axis=1)


def _draw(log_probs, temperature, top_k, rng):
    """One token per row from the tempered, top-k-restricted softmax."""
    scaled = log_probs / temperature
    if top_k is not None and top_k < scaled.shape[1]:
        kept = np.argsort(-log_probs, axis=1, kind="stable")[:, :top_k]
        restricted = np.full_like(scaled, -np.inf)
        values = np.take_along_axis(scaled, kept, axis=1)
        np.put_along_axis(restricted, kept, values, axis=1)
        scaled = restricted
    cumulative = np.cumsum(np.exp(log_softmax(scaled)), axis=1)
    total = cumulative[:, -1]
    # Inverse CDF: the first token whose cumulative probability exceeds the
    # draw. Keeping the draw below the total means a token of probability 0
    # is never chosen, even when rounding pushes the draw up.
    draws = np.minimum(rng.random(len(total)) * total, np.nextafter(total, 0))
    return np.argmax(cumulative > draws[:, None], axis=1)


def _decode(step, state, start_tokens, max_tokens, end_id, choose):
    """The loop shared by `greedy` and `sample`."""
    checks.check_step(step)
    tokens = checks.check_start_tokens(start_tokens)
    max_tokens = checks.check_positive_int("max_tokens", max_tokens)
    end_id = checks.check_end_id(end_id)
    generated = [[] for _ in tokens]
    scores = np.zeros(len(tokens))
    finished = np.zeros(len(tokens), dtype=bool)
    rows = np.arange(len(tokens))
    for _ in range(max_tokens):
        if rows.size == 0:
            break
        log_probs, state = step(tokens, state)
        log_probs = checks.check_log_probs(log_probs, rows.size)
        tokens = np.asarray(choose(log_probs), dtype=np.int64)
        scores[rows] += log_probs[np.arange(rows.size), tokens]
        ended = np.zeros(rows.size, dtype=bool)
        if end_id is not None:
            ended = tokens == end_id
        for row, token, end in zip(rows.tolist(), tokens.tolist(), ended):
            if not end:
                generated[row].append(token)
        if ended.any():
            finished[rows[ended]] = True
            running = np.flatnonzero(~ended)
            rows, tokens = rows[running], tokens[running]
            state = gather_state(state, running)
    return [
        Hypothesis(row_tokens, float(score), bool(done))
        for row_tokens, score, done in zip(generated, scores, finished)
    ]
