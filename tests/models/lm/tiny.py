"""A tiny language model for the tests: 8 words, 2 layers of 5 units."""

from seqkit.models import LanguageModel
from seqkit.preprocessing import TextVectorizer

WORDS = ["[EOS]", "the", "film", "was", "good", "bad", "plot", "a"]


def tiny_lm(**kwargs):
    """A built `LanguageModel` over `WORDS`; `kwargs` override settings."""
    settings = {"embedding_dim": 6, "units": 5, "num_layers": 2}
    settings.update(kwargs)
    model = LanguageModel(TextVectorizer(WORDS), seed=1, **settings)
    model.build()
    return model
