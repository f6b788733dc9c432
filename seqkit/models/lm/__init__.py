"""The language model: next-word prediction, for generation and pretraining."""

from seqkit.models.lm.generate import Generation, generate, generate_beams
from seqkit.models.lm.model import EOS_ID, EOS_TOKEN, LanguageModel

__all__ = [
    "EOS_ID",
    "EOS_TOKEN",
    "Generation",
    "LanguageModel",
    "generate",
    "generate_beams",
]
