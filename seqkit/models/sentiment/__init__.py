"""The sentiment classifier (an RNN acceptor): its settings and builder."""

from seqkit.models.sentiment.config import (
    PRESETS,
    SentimentConfig,
    build_classifier,
)

__all__ = ["PRESETS", "SentimentConfig", "build_classifier"]
