"""In-graph samplers against the NumPy ones: beam search and greedy
decoding on a tiny random RNN whose nested state must follow the beams,
width 1 is greedy, empty, missing and unfinished hypotheses, tracing with
an unknown batch size, the state helper, and argument checks."""

import numpy as np
import pytest
import tensorflow as tf
from keras import ops

from seqkit.samplers import (
    beam_search,
    beam_search_decode,
    greedy,
    greedy_decode,
)
from seqkit.samplers.graph import gather_state_tensors

VOCABULARY, UNITS, END, MAX_TOKENS = 7, 4, 2, 7
STARTS = np.array([0, 1, 3, 4, 5, 6, 1, 0, 2])


def rnn_step(seed=1, end_bias=1.2):
    """A tiny random RNN written with `keras.ops`. Its nested state holds
    the hidden units and the counts of the tokens seen, which raise the
    end token's logit, so log-probs depend on the whole history and
    hypotheses finish at various lengths. It logs the rows of each call."""
    rng = np.random.default_rng(seed)
    embedding = rng.normal(size=(VOCABULARY, UNITS)).astype("float32")
    recurrent = rng.normal(size=(UNITS, UNITS)).astype("float32")
    output = (2 * rng.normal(size=(UNITS, VOCABULARY))).astype("float32")
    seen_weights = rng.normal(size=(VOCABULARY, VOCABULARY))
    seen_weights[:, END] += end_bias
    seen_weights = seen_weights.astype("float32")
    rows = []

    def step(tokens, state):
        (hidden,), (seen,) = state["rnn"], state["seen"]
        tokens = ops.cast(tokens, "int32")
        rows.append(ops.shape(tokens)[0])
        seen = seen + ops.one_hot(tokens, VOCABULARY)
        inputs = ops.take(embedding, tokens, axis=0)
        hidden = ops.tanh(inputs + ops.matmul(hidden, recurrent))
        logits = ops.matmul(hidden, output) + ops.matmul(seen, seen_weights)
        return ops.log_softmax(logits - 1.0, axis=-1), {
            "rnn": [hidden],
            "seen": (seen,),
        }

    step.rows = rows
    return step


def rnn_state(rows):
    return {
        "rnn": [np.zeros((rows, UNITS), "float32")],
        "seen": (np.zeros((rows, VOCABULARY), "float32"),),
    }


def markov_step(probabilities):
    """Log-probs that depend on the previous token only; no state."""
    table = np.asarray(probabilities, dtype=np.float64)
    safe = np.where(table > 0, table, 1.0)
    log_table = np.where(table > 0, np.log(safe), -np.inf).astype("float32")

    def step(tokens, state):
        return ops.take(log_table, ops.cast(tokens, "int32"), axis=0), state

    return step


def as_numpy(results):
    return {key: ops.convert_to_numpy(value) for key, value in results.items()}


def approx(value):
    return pytest.approx(value, rel=1e-5, abs=1e-5)


def assert_same_beams(got, expected, width, length_penalty=1.0):
    """In-graph results `got` hold the `Hypothesis` lists `expected`."""
    assert got["tokens"].shape[:2] == (len(expected), width)
    for row, hypotheses in enumerate(expected):
        for rank, hypothesis in enumerate(hypotheses):
            length = got["lengths"][row, rank]
            tokens = got["tokens"][row, rank]
            assert tokens[:length].tolist() == hypothesis.tokens
            assert not tokens[length:].any()
            assert got["finished"][row, rank] == hypothesis.finished
            assert got["scores"][row, rank] == approx(hypothesis.score)
            normalized = hypothesis.normalized(length_penalty)
            assert got["normalized"][row, rank] == approx(normalized)
        missing = slice(len(hypotheses), None)
        assert (got["scores"][row, missing] == -np.inf).all()
        assert (got["normalized"][row, missing] == -np.inf).all()
        assert not got["finished"][row, missing].any()
        assert not got["lengths"][row, missing].any()


def test_the_random_rnn_exercises_the_stopping_rule():
    step = rnn_step()
    beams = beam_search(
        step, rnn_state(len(STARTS)), STARTS, MAX_TOKENS, END, width=2
    )
    kinds = {h.finished for row in beams for h in row}
    assert kinds == {True, False}
    # Some rows are done before max_tokens, others run to the end.
    assert step.rows[-1] < step.rows[0]
    assert len(step.rows) == MAX_TOKENS


@pytest.mark.parametrize("width", [1, 2, 3])
@pytest.mark.parametrize("length_penalty", [0.0, 0.6, 1.0])
def test_beam_search_decode_equals_beam_search(width, length_penalty):
    options = {"width": width, "length_penalty": length_penalty}
    expected = beam_search(
        rnn_step(), rnn_state(9), STARTS, MAX_TOKENS, END, **options
    )
    step = rnn_step()
    got = beam_search_decode(
        step, rnn_state(9), STARTS, MAX_TOKENS, END, **options
    )
    assert_same_beams(as_numpy(got), expected, width, length_penalty)
    # No row leaves the batch in-graph.
    assert step.rows == [9 * width] * MAX_TOKENS


@pytest.mark.parametrize("length_penalty", [0.0, 1.0])
def test_greedy_decode_equals_greedy_and_beam_width_one(length_penalty):
    expected = greedy(rnn_step(), rnn_state(9), STARTS, MAX_TOKENS, END)
    got = as_numpy(
        greedy_decode(rnn_step(), rnn_state(9), STARTS, MAX_TOKENS, END)
    )
    assert got["tokens"].shape == (9, MAX_TOKENS)
    for row, hypothesis in enumerate(expected):
        length = got["lengths"][row]
        assert got["tokens"][row, :length].tolist() == hypothesis.tokens
        assert not got["tokens"][row, length:].any()
        assert got["scores"][row] == approx(hypothesis.score)
        assert got["finished"][row] == hypothesis.finished
    beams = as_numpy(
        beam_search_decode(
            rnn_step(),
            rnn_state(9),
            STARTS,
            MAX_TOKENS,
            END,
            width=1,
            length_penalty=length_penalty,
        )
    )
    for key in ("tokens", "lengths", "finished"):
        np.testing.assert_array_equal(beams[key][:, 0], got[key])
    np.testing.assert_allclose(beams["scores"][:, 0], got["scores"], 1e-6)


# From 3 only the end token may follow; from 0 and 1 it is improbable.
ENDS_AT_ONCE = [
    [0.05, 0.6, 0.01, 0.34],
    [0.6, 0.05, 0.01, 0.34],
    [0.25, 0.25, 0.25, 0.25],
    [0.0, 0.0, 1.0, 0.0],
]


def test_a_row_that_ends_at_once_gives_one_empty_hypothesis():
    step = markov_step(ENDS_AT_ONCE)
    got = as_numpy(beam_search_decode(step, None, [3, 0], 5, END, width=3))
    assert got["lengths"][0].tolist() == [0, 0, 0]
    assert got["finished"][0].tolist() == [True, False, False]
    assert got["scores"][0].tolist() == [0.0, -np.inf, -np.inf]
    expected = beam_search(step, None, [3, 0], 5, END, width=3)
    assert_same_beams(got, expected, width=3)
    best = as_numpy(greedy_decode(step, None, [3, 0], 5, END))
    assert best["lengths"].tolist() == [0, 5]
    assert best["finished"].tolist() == [True, False]
    assert best["scores"][0] == 0.0


# The end token is improbable from every token.
RARELY_ENDS = ENDS_AT_ONCE[:3] + [[0.3, 0.3, 0.01, 0.39]]


@pytest.mark.parametrize("end_id", [END, None])
def test_rows_reaching_max_tokens_are_unfinished(end_id):
    step = markov_step(RARELY_ENDS)
    best = as_numpy(greedy_decode(step, None, [0, 1], 4, end_id))
    assert best["lengths"].tolist() == [4, 4]
    assert not best["finished"].any()
    assert best["tokens"].tolist() == [[1, 0, 1, 0], [0, 1, 0, 1]]
    beams = as_numpy(beam_search_decode(step, None, [0, 1], 4, end_id, 2))
    assert (beams["lengths"] == 4).all()
    assert not beams["finished"].any()
    expected = beam_search(step, None, [0, 1], 4, end_id, width=2)
    assert_same_beams(beams, expected, width=2)


def test_traced_with_an_unknown_batch_size_equals_eager():
    specs = (
        tf.TensorSpec([None], tf.int32),
        {
            "rnn": [tf.TensorSpec([None, UNITS], tf.float32)],
            "seen": (tf.TensorSpec([None, VOCABULARY], tf.float32),),
        },
    )
    step = rnn_step()

    @tf.function(input_signature=specs)
    def decode(starts, state):
        return {
            "greedy": greedy_decode(step, state, starts, MAX_TOKENS, END),
            "beams": beam_search_decode(
                step, state, starts, MAX_TOKENS, END, width=3
            ),
        }

    for rows in (9, 4):
        starts = STARTS[:rows].astype("int32")
        traced = decode(starts, rnn_state(rows))
        eager = {
            "greedy": greedy_decode(
                step, rnn_state(rows), starts, MAX_TOKENS, END
            ),
            "beams": beam_search_decode(
                step, rnn_state(rows), starts, MAX_TOKENS, END, width=3
            ),
        }
        for name in ("greedy", "beams"):
            got, expected = as_numpy(traced[name]), as_numpy(eager[name])
            assert got.keys() == expected.keys()
            for key, value in expected.items():
                assert got[key].dtype == value.dtype, key
                np.testing.assert_allclose(got[key], value, rtol=1e-5)
    assert decode.experimental_get_tracing_count() == 1


def test_result_dtypes():
    beams = beam_search_decode(markov_step(ENDS_AT_ONCE), None, [0], 3, END)
    dtypes = {key: value.dtype for key, value in as_numpy(beams).items()}
    assert dtypes == {
        "tokens": np.int32,
        "lengths": np.int32,
        "scores": np.float32,
        "normalized": np.float32,
        "finished": np.bool_,
    }


def test_gather_state_tensors_keeps_the_structure():
    state = {"a": [np.arange(3), (np.arange(6).reshape(3, 2), None)]}
    got = gather_state_tensors(state, np.array([2, 0, 2]))
    np.testing.assert_array_equal(got["a"][0], [2, 0, 2])
    np.testing.assert_array_equal(got["a"][1][0], [[4, 5], [0, 1], [4, 5]])
    assert isinstance(got["a"][1], tuple) and got["a"][1][1] is None
    with pytest.raises(ValueError, match="scalar"):
        gather_state_tensors({"step": 3}, np.array([0]))


def _run(function, **overrides):
    arguments = {
        "step": markov_step(ENDS_AT_ONCE),
        "state": None,
        "start_tokens": [1, 2],
        "max_tokens": 3,
        "end_id": END,
    }
    arguments.update(overrides)
    return function(**arguments)


@pytest.mark.parametrize(
    "function, name, value",
    [
        (greedy_decode, "max_tokens", 0),
        (beam_search_decode, "max_tokens", 0),
        (greedy_decode, "max_tokens", 2.5),
        (beam_search_decode, "width", 0),
        (beam_search_decode, "width", "4"),
        (beam_search_decode, "length_penalty", float("inf")),
        (greedy_decode, "end_id", -1),
        (beam_search_decode, "step", "not a function"),
        (greedy_decode, "start_tokens", [[1, 2]]),
        (beam_search_decode, "start_tokens", [1.5, 2.0]),
    ],
)
def test_bad_arguments_are_named(function, name, value):
    with pytest.raises(ValueError, match=name):
        _run(function, **{name: value})


@pytest.mark.parametrize("function", [greedy_decode, beam_search_decode])
def test_a_step_of_the_wrong_rank_is_reported(function):
    def step(tokens, state):
        return ops.zeros((3,)), state

    with pytest.raises(ValueError, match="log_probs of shape"):
        _run(function, step=step)
