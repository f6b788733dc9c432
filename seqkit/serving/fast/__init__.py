"""The compiled text paths of an export: pooled loops and XLA."""
