"""The hierarchical document classifier (words -> sentences -> document)."""

from seqkit.models.hierarchical.model import (
    DocumentClassifier,
    DocumentEnsemble,
    HierarchicalEncoder,
)

__all__ = ["DocumentClassifier", "DocumentEnsemble", "HierarchicalEncoder"]
