"""seqkit: Keras 3 recurrent networks for text.

The package root stays light: importing `seqkit` alone loads neither
TensorFlow nor Keras. The layers live in `seqkit.layers`.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
