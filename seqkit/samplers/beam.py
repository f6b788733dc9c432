"""Beam search over a step function, batched over rows.

Each row keeps `width` alive hypotheses. At every step each alive one is
extended by every token, and the `2 * width` best candidates by total
log-probability are taken; a candidate that ends with the end token and
ranks among the first `width` joins the row's finished list (ranked by
`score / length ** length_penalty`, `width` at most), and the `width` best
other candidates stay alive. The arrays of the state follow their beams
(`gather_state`), and rows that are done leave the batch.

The stopping rule, per row: the row is done once it holds `width`
finished hypotheses and no alive one, scored as if it ended now (its raw
score over its current length ** length_penalty), beats the worst of them.
This is the usual rule (Hugging Face's default); with a positive
length_penalty it is a heuristic, not a bound, since a longer hypothesis
may still raise its normalised score. Because the alive hypotheses have
the same length as the ones finished at that step, `width=1` stops exactly
where greedy decoding does, whatever the length_penalty. At `max_tokens`
the alive hypotheses join the results, unfinished.
"""

import numpy as np

from seqkit.samplers import _checks as checks
from seqkit.samplers.hypothesis import Hypothesis
from seqkit.samplers.state import gather_state


def beam_search(
    step,
    state,
    start_tokens,
    max_tokens,
    end_id=None,
    width=4,
    length_penalty=1.0,
):
    """Decodes the most probable sequences of each row by beam search.

    Args:
        step: `step(tokens, state) -> (log_probs, new_state)`: `tokens` is
            an int array [rows] holding each row's previous token,
            `log_probs` a float array [rows, vocabulary]. Here a "row" of
            the step is one beam: the step sees `width` rows per input row.
        state: the initial state of the rows (a nested list, tuple or dict
            of arrays with the rows on their first axis, or None); each
            row's state is copied to its `width` beams.
        start_tokens: int array [rows], the first token fed to each row.
        max_tokens: the most tokens generated per row, the end token
            included.
        end_id: the token that ends a hypothesis (None: all run to
            `max_tokens`).
        width: the number of hypotheses kept alive per row.
        length_penalty: finished hypotheses are ranked by
            `score / length ** length_penalty`, length counting the end
            token; 0 ranks by the raw sum of log-probabilities.

    Returns:
        One list per row of at most `width` `Hypothesis`, best first.

    Raises:
        ValueError: an argument is out of range, or `step` returns
            log-probabilities of the wrong shape.

    Example:

    ```python
    import numpy as np

    from seqkit.samplers import beam_search

    # A toy bigram model: row t is the next token's distribution after t
    # (1 starts a sequence, 2 ends it, 3 is a word).
    probs = np.full((4, 4), 0.25)
    probs[1] = [0.05, 0.05, 0.3, 0.6]
    probs[3] = [0.05, 0.05, 0.7, 0.2]

    def step(tokens, state):
        return np.log(probs[tokens]), state

    beams = beam_search(step, None, [1, 1], max_tokens=20, end_id=2,
                        width=4)
    best = beams[0][0]  # row 0's best Hypothesis
    assert best.tokens == [3] and best.finished
    ```
    """
    checks.check_step(step)
    starts = checks.check_start_tokens(start_tokens)
    max_tokens = checks.check_positive_int("max_tokens", max_tokens)
    end_id = checks.check_end_id(end_id)
    width = checks.check_positive_int("width", width)
    penalty = checks.check_finite_float("length_penalty", length_penalty)

    kept = _Kept(len(starts), width, penalty)
    rows = np.arange(len(starts))
    # The copies of a row's start begin at -inf, so that the first step
    # expands a single hypothesis per row.
    scores = np.full((rows.size, width), -np.inf)
    scores[:, 0] = 0.0
    tokens = np.repeat(starts, width)
    history = np.zeros((tokens.size, 0), dtype=np.int64)
    state = gather_state(state, np.repeat(rows, width))
    for length in range(1, max_tokens + 1):
        if rows.size == 0:
            break
        log_probs, state = step(tokens, state)
        log_probs = checks.check_log_probs(log_probs, tokens.size)
        beam, token, total = _candidates(scores, log_probs, width)
        sources = np.arange(rows.size)[:, None] * width + beam
        if end_id is not None:
            kept.add_ends(rows, history[sources], token, total, end_id)
        beam, token, scores = _survivors(beam, token, total, end_id, width)
        sources = (np.arange(rows.size)[:, None] * width + beam).ravel()
        history = np.column_stack([history[sources], token.ravel()])
        running = kept.retire(rows, history, scores, length, max_tokens)
        rows, scores = rows[running], scores[running]
        beams = (running[:, None] * width + np.arange(width)).ravel()
        history, tokens = history[beams], token.ravel()[beams]
        state = gather_state(state, sources[beams])
    return kept.results


def _candidates(scores, log_probs, width):
    """The best `2 * width` extensions of each row's beams, best first.

    Returns their beam [rows, k], token [rows, k] and total score
    [rows, k]. Ties go to the higher log-probability of the new token, then
    to the lower beam and token, so that width 1 picks what `np.argmax`
    picks.
    """
    rows, vocabulary = scores.shape[0], log_probs.shape[1]
    steps = log_probs.reshape(rows, width * vocabulary)
    totals = (scores[:, :, None] + steps.reshape(rows, width, -1)).reshape(
        rows, -1
    )
    order = _best_first(totals, steps, min(2 * width, totals.shape[1]))
    beam, token = np.divmod(order, vocabulary)
    return beam, token, np.take_along_axis(totals, order, axis=1)


def _best_first(totals, steps, count):
    """Column indices of the `count` best entries per row, best first."""
    size = totals.shape[1]
    shortlist = np.broadcast_to(np.arange(size), totals.shape)
    if count < size:
        # A partition finds each row's count-th best total; every entry at
        # least as good (ties included) is shortlisted, in index order, so
        # only the shortlist needs a full sort.
        threshold = np.partition(totals, size - count, axis=1)[:, size - count]
        below = totals < threshold[:, None]
        longest = int((~below).sum(axis=1).max())
        shortlist = np.argsort(below, axis=1, kind="stable")[:, :longest]
    keys = (
        -np.take_along_axis(steps, shortlist, axis=1),
        -np.take_along_axis(totals, shortlist, axis=1),
    )
    order = np.lexsort(keys, axis=-1)[:, :count]
    return np.take_along_axis(shortlist, order, axis=1)


def _survivors(beam, token, total, end_id, width):
    """The `width` best candidates that do not end, per row.

    A row with fewer such candidates fills its beams with dead ones
    (score -inf), which never reach the results.
    """
    alive = total > -np.inf
    if end_id is not None:
        alive &= token != end_id
    pick = np.argsort(~alive, axis=1, kind="stable")[:, :width]
    scores = np.where(
        np.take_along_axis(alive, pick, axis=1),
        np.take_along_axis(total, pick, axis=1),
        -np.inf,
    )
    beam = np.take_along_axis(beam, pick, axis=1)
    return beam, np.take_along_axis(token, pick, axis=1), scores


class _Kept:
    """The finished hypotheses of every row, and the results of rows done."""

    def __init__(self, rows, width, penalty):
        self.width = width
        self.penalty = penalty
        self.finished = [[] for _ in range(rows)]
        self.results = [[] for _ in range(rows)]

    def rank(self, hypotheses):
        """The best `width` of `hypotheses`, best first (stable on ties)."""
        ranked = sorted(hypotheses, key=lambda h: -h.normalized(self.penalty))
        return ranked[: self.width]

    def add_ends(self, rows, prefixes, token, total, end_id):
        """Finishes the end candidates ranked in the first `width`.

        `prefixes` [rows, k, length - 1] holds each candidate's tokens
        before the new one.
        """
        width = self.width
        ends = (token[:, :width] == end_id) & (total[:, :width] > -np.inf)
        for local, rank in np.argwhere(ends):
            hypothesis = Hypothesis(
                prefixes[local, rank].tolist(), float(total[local, rank]), True
            )
            row = rows[local]
            self.finished[row] = self.rank(self.finished[row] + [hypothesis])

    def retire(self, rows, history, scores, length, max_tokens):
        """Stores the results of the rows that are done.

        Returns:
            The local indices of the rows still running.
        """
        running = []
        for local, row in enumerate(rows):
            best = scores[local].max()
            if length < max_tokens and not self.done(row, best, length):
                running.append(local)
                continue
            alive = []
            if length == max_tokens:
                beams = history[local * self.width : (local + 1) * self.width]
                alive = [
                    Hypothesis(tokens.tolist(), float(score), False)
                    for tokens, score in zip(beams, scores[local])
                    if score > -np.inf
                ]
            self.results[row] = self.rank(self.finished[row] + alive)
        return np.array(running, dtype=np.int64)

    def done(self, row, best_alive, length):
        """Whether a row can stop: see the module docstring."""
        finished = self.finished[row]
        if best_alive == -np.inf:
            return True
        if len(finished) < self.width:
            return False
        normalized = best_alive / length**self.penalty
        return normalized <= finished[-1].normalized(self.penalty)
