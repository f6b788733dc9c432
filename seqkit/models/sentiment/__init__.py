"""The sentiment classifier (an RNN acceptor): its settings and builder."""

from seqkit.models.sentiment.builder import build_classifier
from seqkit.models.sentiment.settings import PRESETS, SentimentConfig

__all__ = ["PRESETS", "SentimentConfig", "build_classifier"]
