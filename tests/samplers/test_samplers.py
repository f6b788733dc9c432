"""Samplers over hand-built step functions: greedy paths, beam search
(width 1 is greedy, it beats myopic greedy, length penalty, state
reordering), sampling statistics, and argument checks."""

import numpy as np
import pytest

from seqkit.samplers import (
    Hypothesis,
    beam_search,
    gather_state,
    greedy,
    sample,
)

END = 0


def markov_step(probabilities):
    """A step whose log-probs depend on the previous token only; a state,
    when given, counts the calls each row has seen; every call is logged."""
    log_table = np.log(np.asarray(probabilities, dtype=np.float64))
    calls = []

    def step(tokens, state):
        calls.append(tokens.copy())
        if state is not None:
            assert len(state["count"]) == len(tokens)
            state = {"count": state["count"] + 1}
        return log_table[tokens], state

    step.calls = calls
    return step


def counter(rows):
    return {"count": np.zeros(rows, dtype=np.int64)}


def random_chain(seed, vocabulary=6):
    rng = np.random.default_rng(seed)
    return rng.dirichlet(np.full(vocabulary, 0.5), size=vocabulary)


# Greedy path from 1: 1 -> 2 (0.6) -> 3 (0.5) -> END (0.7).
CHAIN = [
    [0.25, 0.25, 0.25, 0.25],
    [0.1, 0.2, 0.6, 0.1],
    [0.2, 0.1, 0.2, 0.5],
    [0.7, 0.1, 0.1, 0.1],
]


def test_greedy_follows_argmax_and_stops_at_the_end_token():
    step = markov_step(CHAIN)
    got = greedy(step, counter(3), [1, 3, 2], max_tokens=10, end_id=END)
    assert [h.tokens for h in got] == [[2, 3], [], [3]]
    assert all(h.finished for h in got)
    expected = [np.log(0.6) + np.log(0.5) + np.log(0.7), np.log(0.7)]
    expected.append(np.log(0.5) + np.log(0.7))
    assert [h.score for h in got] == pytest.approx(expected)
    # Finished rows leave the batch: the end token is never fed back.
    assert [len(tokens) for tokens in step.calls] == [3, 2, 1]
    assert all(END not in tokens for tokens in step.calls)


def test_greedy_stops_at_max_tokens():
    step = markov_step(CHAIN)
    got = greedy(step, counter(1), np.array([1]), max_tokens=2, end_id=END)
    assert got == [
        Hypothesis([2, 3], pytest.approx(np.log(0.6) + np.log(0.5)), False)
    ]
    no_end = greedy(markov_step(CHAIN), counter(1), [3], 4)
    assert no_end[0].tokens == [0, 0, 0, 0]
    assert not no_end[0].finished
    assert len(step.calls) == 2


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("length_penalty", [0.0, 1.0, 2.0])
def test_beam_width_one_is_greedy(seed, length_penalty):
    chain = random_chain(seed)
    starts = np.random.default_rng(100 + seed).integers(0, 6, size=9)
    end_id = None if seed == 5 else END
    expected = greedy(markov_step(chain), counter(9), starts, 8, end_id)
    beams = beam_search(
        markov_step(chain),
        counter(9),
        starts,
        8,
        end_id,
        width=1,
        length_penalty=length_penalty,
    )
    assert [row[0] for row in beams] == expected
    assert all(len(row) == 1 for row in beams)


# From 1, greedy takes 2 (0.5) then END (0.3): 0.15 in all; beam search
# finds 3 (0.4) then END (0.9): 0.36.
MYOPIC = [
    [0.25, 0.25, 0.25, 0.25],
    [0.05, 0.05, 0.5, 0.4],
    [0.3, 0.25, 0.2, 0.25],
    [0.9, 0.05, 0.025, 0.025],
]


@pytest.mark.parametrize("length_penalty", [0.0, 1.0])
def test_beam_search_beats_myopic_greedy(length_penalty):
    (found,) = beam_search(
        markov_step(MYOPIC),
        counter(1),
        [1],
        5,
        END,
        width=2,
        length_penalty=length_penalty,
    )
    (best,) = greedy(markov_step(MYOPIC), counter(1), [1], 5, END)
    assert best == Hypothesis([2], pytest.approx(np.log(0.5 * 0.3)), True)
    assert found == [
        Hypothesis([3], pytest.approx(np.log(0.4) + np.log(0.9)), True),
        Hypothesis([2], pytest.approx(np.log(0.5) + np.log(0.3)), True),
    ]
    assert found[0].score > best.score


# Short: 1 -> 2 -> END, 0.56 * 0.5 = 0.28 over 2 tokens (-0.64 a token).
# Long: 1 -> 3 -> 4 -> END, 0.4 * 0.8 * 0.8 = 0.256 over 3 (-0.45 a token).
PENALTY = [
    [0.2, 0.2, 0.2, 0.2, 0.2],
    [0.02, 0.01, 0.56, 0.4, 0.01],
    [0.5, 0.2, 0.2, 0.05, 0.05],
    [0.05, 0.05, 0.05, 0.05, 0.8],
    [0.8, 0.05, 0.05, 0.05, 0.05],
]


def test_length_penalty_favours_the_longer_hypothesis():
    short = Hypothesis([2], pytest.approx(np.log(0.56 * 0.5)), True)
    long = Hypothesis([3, 4], pytest.approx(np.log(0.4 * 0.8 * 0.8)), True)
    for length_penalty, expected in [(0.0, [short, long]), (1, [long, short])]:
        (found,) = beam_search(
            markov_step(PENALTY),
            counter(1),
            [1],
            6,
            END,
            width=2,
            length_penalty=length_penalty,
        )
        assert found == expected


def history_step(vocabulary=5):
    """Log-probs that depend on a row's whole history, which the state
    carries in a nested dict/list/tuple."""

    def step(tokens, state):
        history = np.column_stack([state["past"][0]["tokens"], tokens])
        count = state["past"][1][0] + 1
        assert (count == history.shape[1]).all()
        log_probs = np.stack([_history_log_probs(row) for row in history])
        return log_probs, {"past": [{"tokens": history}, (count,)]}

    return step


def _history_log_probs(history, vocabulary=5):
    rng = np.random.default_rng([int(token) for token in history])
    logits = 1.5 * rng.normal(size=vocabulary)
    return logits - np.log(np.sum(np.exp(logits)))


def test_beam_search_reorders_the_state():
    starts = np.array([1, 2, 3, 4, 1, 2])
    state = {
        "past": [
            {"tokens": np.zeros((6, 0), dtype=np.int64)},
            (np.zeros(6, dtype=np.int64),),
        ]
    }
    beams = beam_search(history_step(), state, starts, 6, END, width=3)
    assert [len(row) for row in beams] == [3] * 6
    for start, row in zip(starts, beams):
        for hypothesis in row:
            # Rescoring along the returned tokens gives the same score only
            # if every step saw that hypothesis's own history.
            path = [start, *hypothesis.tokens]
            ended = [END] if hypothesis.finished else []
            chosen = hypothesis.tokens + ended
            rescored = sum(
                _history_log_probs(path[: i + 1])[token]
                for i, token in enumerate(chosen)
            )
            assert hypothesis.score == pytest.approx(rescored)
        normalized = [h.normalized(1.0) for h in row]
        assert normalized == sorted(normalized, reverse=True)


def test_gather_state_keeps_the_structure():
    state = {"a": [np.arange(3), (np.arange(6).reshape(3, 2), None)]}
    got = gather_state(state, [2, 0, 2])
    np.testing.assert_array_equal(got["a"][0], [2, 0, 2])
    np.testing.assert_array_equal(got["a"][1][0], [[4, 5], [0, 1], [4, 5]])
    assert isinstance(got["a"][1], tuple) and got["a"][1][1] is None
    with pytest.raises(ValueError, match="scalar"):
        gather_state({"step": 3}, [0])


@pytest.mark.parametrize("seed", range(3))
def test_sample_is_greedy_when_cold_or_top_one(seed):
    chain = random_chain(seed)
    starts = np.arange(6).repeat(3)
    expected = greedy(markov_step(chain), None, starts, 7, END)
    for options in [{"temperature": 1e-4}, {"top_k": 1}]:
        got = sample(
            markov_step(chain), None, starts, 7, END, seed=seed, **options
        )
        assert got == expected


def test_sample_is_reproducible_with_a_seed():
    chain = random_chain(7)
    starts = np.arange(6).repeat(5)
    runs = [
        sample(markov_step(chain), None, starts, 9, END, seed=s)
        for s in (3, 3, 4)
    ]
    assert runs[0] == runs[1]
    assert runs[0] != runs[2]


FIRST = np.log([0.05, 0.1, 0.15, 0.3, 0.4])


def _frequencies(rows=20000, **options):
    table = np.tile(FIRST, (5, 1))
    got = sample(
        markov_step(np.exp(table)), None, [1] * rows, 1, seed=0, **options
    )
    first = np.array([h.tokens[0] for h in got])
    scores = np.array([h.score for h in got])
    np.testing.assert_allclose(scores, FIRST[first])
    return np.bincount(first, minlength=5) / rows


@pytest.mark.parametrize("temperature", [1.0, 2.0])
def test_sample_frequencies_follow_the_tempered_softmax(temperature):
    expected = np.exp(FIRST / temperature)
    expected /= expected.sum()
    got = _frequencies(temperature=temperature)
    np.testing.assert_allclose(got, expected, atol=0.015)


def test_sample_top_k_keeps_the_most_probable_tokens():
    got = _frequencies(top_k=2)
    assert got[:3].sum() == 0
    np.testing.assert_allclose(got[3:], [0.3 / 0.7, 0.4 / 0.7], atol=0.015)


def test_logits_are_normalised_for_sampling():
    logits = np.tile([3.0, 4.0], (2, 1))  # not log-probabilities

    def step(tokens, state):
        return logits[tokens], state

    got = sample(step, None, [0] * 4000, 1, seed=1)
    share = np.mean([h.tokens[0] for h in got])
    assert share == pytest.approx(1 / (1 + np.exp(-1.0)), abs=0.03)


def _run(function, **overrides):
    arguments = {
        "step": markov_step(CHAIN),
        "state": None,
        "start_tokens": [1, 2],
        "max_tokens": 3,
        "end_id": END,
    }
    arguments.update(overrides)
    return function(**arguments)


@pytest.mark.parametrize("function", [greedy, sample, beam_search])
@pytest.mark.parametrize(
    "name, value",
    [
        ("max_tokens", 0),
        ("max_tokens", 2.5),
        ("max_tokens", True),
        ("start_tokens", [[1, 2]]),
        ("start_tokens", [1.5, 2.0]),
        ("end_id", -1),
        ("step", "not a function"),
    ],
)
def test_bad_common_arguments(function, name, value):
    with pytest.raises(ValueError, match=name):
        _run(function, **{name: value})


@pytest.mark.parametrize(
    "function, name, value",
    [
        (sample, "temperature", 0),
        (sample, "temperature", -1.0),
        (sample, "temperature", float("nan")),
        (sample, "top_k", 0),
        (sample, "top_k", 1.5),
        (beam_search, "width", 0),
        (beam_search, "width", "4"),
        (beam_search, "length_penalty", float("inf")),
    ],
)
def test_bad_specific_arguments(function, name, value):
    with pytest.raises(ValueError, match=name) as error:
        _run(function, **{name: value})
    assert repr(value) in str(error.value)


@pytest.mark.parametrize("function", [greedy, sample, beam_search])
def test_a_step_of_the_wrong_shape_is_reported(function):
    def step(tokens, state):
        return np.zeros((len(tokens) + 1, 4)), state

    with pytest.raises(ValueError, match="log_probs of shape"):
        _run(function, step=step)


def test_no_rows_give_no_results():
    for function in (greedy, sample, beam_search):
        assert _run(function, start_tokens=np.array([], dtype=np.int64)) == []
