"""Training glue: fit loops, callbacks, checkpoints, fine-tuning, metrics.

Kept import-light: importing `seqkit.training` loads neither TensorFlow nor
Keras; each module imports what it needs.
"""
