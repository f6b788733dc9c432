"""Backbones, tasks and presets of the seqkit applications."""

from seqkit.models.backbone import RecurrentBackbone
from seqkit.models.classifier import TextClassifier

__all__ = ["RecurrentBackbone", "TextClassifier"]
