"""The configurations every recurrent test runs over."""

import functools

import keras

import seqkit.layers as L
from tests.layers.rnn import reference as ref

# id -> (seqkit layer, keras layer or None, layer kwargs, reference step)
CASES = {
    "elman-tanh": (L.Elman, keras.layers.SimpleRNN, {}, ref.elman_step),
    "elman-relu": (
        L.Elman,
        keras.layers.SimpleRNN,
        {"activation": "relu"},
        functools.partial(ref.elman_step, g=ref.relu),
    ),
    "lstm": (L.LSTM, keras.layers.LSTM, {}, ref.lstm_step),
    "lstm-hard-sigmoid-keras2": (
        L.LSTM,
        None,
        {"recurrent_activation": "hard_sigmoid_keras2"},
        functools.partial(ref.lstm_step, sigma=ref.hard_sigmoid_keras2),
    ),
    "gru-reset-after": (
        L.GRU,
        keras.layers.GRU,
        {"reset_after": True},
        functools.partial(ref.gru_step, reset_after=True),
    ),
    "gru-classic": (
        L.GRU,
        keras.layers.GRU,
        {"reset_after": False},
        functools.partial(ref.gru_step, reset_after=False),
    ),
    "gru-classic-hard-sigmoid-keras2": (
        L.GRU,
        None,
        {"reset_after": False, "recurrent_activation": "hard_sigmoid_keras2"},
        functools.partial(
            ref.gru_step, reset_after=False, sigma=ref.hard_sigmoid_keras2
        ),
    ),
}

IDS = sorted(CASES)
