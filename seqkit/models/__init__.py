"""Backbones, tasks and presets of the seqkit applications."""

from seqkit.models.backbone import RecurrentBackbone
from seqkit.models.classifier import EnsembleClassifier, TextClassifier
from seqkit.models.lm import LanguageModel

__all__ = [
    "EnsembleClassifier",
    "LanguageModel",
    "RecurrentBackbone",
    "TextClassifier",
]
