"""Backbones, tasks and presets of the seqkit applications."""

from seqkit.models.backbone import RecurrentBackbone
from seqkit.models.classifier import EnsembleClassifier, TextClassifier

__all__ = ["EnsembleClassifier", "RecurrentBackbone", "TextClassifier"]
