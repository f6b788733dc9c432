"""Elman, LSTM and GRU cells and layers."""

from seqkit.layers.rnn.elman import Elman, ElmanCell
from seqkit.layers.rnn.fused import cudnn_eligibility, portable_graph
from seqkit.layers.rnn.gru import GRU, GRUCell
from seqkit.layers.rnn.lstm import LSTM, LSTMCell
from seqkit.layers.rnn.stack import RecurrentStack

__all__ = [
    "Elman",
    "ElmanCell",
    "GRU",
    "GRUCell",
    "LSTM",
    "LSTMCell",
    "RecurrentStack",
    "cudnn_eligibility",
    "portable_graph",
]
