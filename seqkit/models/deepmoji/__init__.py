"""DeepMoji (Felbo et al. 2017): the sentiment classifier's settings for
emoji pretraining, as presets."""

from seqkit.models.deepmoji.presets import PRESETS

__all__ = ["PRESETS"]
