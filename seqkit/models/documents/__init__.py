"""The hierarchical document classifier (words -> sentences -> document)."""

from seqkit.models.documents.model import (
    DocumentClassifier,
    HierarchicalEncoder,
)

__all__ = ["DocumentClassifier", "HierarchicalEncoder"]
