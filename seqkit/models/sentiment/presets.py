"""The sentiment presets: a name -> the settings that differ from the
defaults of `SentimentConfig`."""

PRESETS = {
    "default": {},
    "tiny": {
        "ensemble": 1,
        "member_overrides": [],
        "units": 8,
        "embedding_dim": 8,
        "embeddings": None,
        "epochs": 2,
        "batch_size": 16,
        "ngram": False,
    },
}
