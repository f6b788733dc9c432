"""Test helpers for seqkit layers and models (used by seqkit's own tests)."""

from seqkit.testing.layer_test import example_inputs, run_layer_test

__all__ = ["example_inputs", "run_layer_test"]
