"""Pure Keras 3 layers: recurrent cells and networks, pooling, attention."""

from seqkit.layers.activations import hard_sigmoid_keras2
from seqkit.layers.attention import AdditiveAttention, AttentionPooling
from seqkit.layers.embedding import PretrainedEmbedding
from seqkit.layers.pooling import SequencePooling
from seqkit.layers.rnn import (
    GRU,
    LSTM,
    Elman,
    ElmanCell,
    GRUCell,
    LSTMCell,
    RecurrentStack,
    cudnn_eligibility,
    portable_graph,
)

__all__ = [
    "AdditiveAttention",
    "AttentionPooling",
    "PretrainedEmbedding",
    "SequencePooling",
    "GRU",
    "LSTM",
    "Elman",
    "ElmanCell",
    "GRUCell",
    "LSTMCell",
    "RecurrentStack",
    "cudnn_eligibility",
    "portable_graph",
    "hard_sigmoid_keras2",
]
