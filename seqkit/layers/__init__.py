"""Pure Keras 3 layers: recurrent cells and networks, pooling, attention."""

from seqkit.layers.activations import hard_sigmoid_keras2
from seqkit.layers.rnn import (
    GRU,
    LSTM,
    Elman,
    ElmanCell,
    GRUCell,
    LSTMCell,
    cudnn_eligibility,
)

__all__ = [
    "GRU",
    "LSTM",
    "Elman",
    "ElmanCell",
    "GRUCell",
    "LSTMCell",
    "cudnn_eligibility",
    "hard_sigmoid_keras2",
]
