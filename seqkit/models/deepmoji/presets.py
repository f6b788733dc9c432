"""The DeepMoji presets: a name -> the settings (of a `SentimentConfig`)
that differ from the defaults."""

PRESETS = {
    # DeepMoji (Felbo et al. 2017): tweet tokens, a 256-d embedding with a
    # tanh, spatial dropout 0.25, two BiLSTM-512 layers whose outputs are
    # joined with the embedding (skip connections), attention pooling and
    # dropout 0.5 before the softmax. No pretrained word vectors.
    "deepmoji": {
        "tokenizer": "tweet",
        "max_vocab": 50000,
        "max_length": 30,
        "embedding_dim": 256,
        "embedding_activation": "tanh",
        "embeddings": None,
        "embedding_dropout": 0.0,
        "spatial_dropout": 0.25,
        "cell": "lstm",
        "units": 512,
        "layers": 2,
        "bidirectional": True,
        "skip_connections": True,
        "pooling": "attention",
        "dropout": 0.0,
        "head_dropout": 0.5,
        "learning_rate": 1e-3,
        "monitor": "val_loss",
        "ensemble": 1,
        "member_overrides": [],
        # The encoder is what DeepMoji is for: one recurrent model that
        # fine-tunes, with no n-gram side beside it.
        "ngram": False,
    },
}
