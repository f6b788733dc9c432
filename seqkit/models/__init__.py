"""Backbones, tasks and presets of the seqkit applications."""

from seqkit.models.backbone import RecurrentBackbone
from seqkit.models.caption import CaptionModel
from seqkit.models.classifier import EnsembleClassifier, TextClassifier
from seqkit.models.documents import (
    DocumentClassifier,
    HierarchicalEncoder,
)
from seqkit.models.lm import LanguageModel
from seqkit.models.ngram import MixedClassifier, NgramClassifier

__all__ = [
    "DocumentClassifier",
    "HierarchicalEncoder",
    "CaptionModel",
    "EnsembleClassifier",
    "LanguageModel",
    "MixedClassifier",
    "NgramClassifier",
    "RecurrentBackbone",
    "TextClassifier",
]
