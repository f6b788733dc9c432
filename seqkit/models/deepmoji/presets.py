"""The DeepMoji presets: a name -> the settings (of a `SentimentConfig`)
that differ from the defaults."""

# DeepMoji (Felbo et al. 2017): tweet tokens, an embedding with a tanh,
# spatial dropout 0.25, two BiLSTM layers whose outputs are joined with the
# embedding (skip connections), attention pooling and dropout 0.5 before
# the softmax. The paper had no pretrained word vectors.
_ARCHITECTURE = {
    "tokenizer": "tweet",
    "max_length": 30,
    # DeepMoji reads a tweet's first 30 tokens.
    "keep": "start",
    "embedding_activation": "tanh",
    "embeddings": None,
    "embedding_dropout": 0.0,
    "spatial_dropout": 0.25,
    "cell": "lstm",
    "layers": 2,
    "bidirectional": True,
    "skip_connections": True,
    "pooling": "attention",
    "dropout": 0.0,
    "head_dropout": 0.5,
    "learning_rate": 1e-3,
    # Emoji are uneven (the most frequent of TweetEval's 20 is a fifth of
    # the tweets) and scored by macro-F1: classes weighted by their
    # inverse frequency, and the best epoch is the one of the best
    # validation macro-F1. On TweetEval's emoji task, the validation loss
    # without class weights stopped at epoch 2 with a validation macro-F1
    # of 0.176 (docs/results/deepmoji-tweets.json).
    "class_weight": "balanced",
    "monitor": "val_macro_f1",
    "ensemble": 1,
    "member_overrides": [],
    # The encoder is what DeepMoji is for: one recurrent model that
    # fine-tunes, with no n-gram side beside it.
    "ngram": False,
}

PRESETS = {
    # The paper's architecture as `deepmoji-tweets` was made: at most 20,000
    # words, their embedding started from GloVe 6B-50d (the glove extra),
    # and BiLSTM-256 layers, within the 12 MB a shipped model may take. On
    # TweetEval's 45,000 emoji tweets an epoch takes about 100 s on 2 CPU
    # cores. A 128-d embedding trained from scratch instead overfitted
    # sooner and scored lower on validation (docs/results/
    # deepmoji-tweets.json, `alternatives`).
    "deepmoji": {
        **_ARCHITECTURE,
        "max_vocab": 20000,
        "embeddings": "glove-6b-50d",
        "embedding_dim": 50,
        "units": 256,
    },
    # The paper's sizes: a 256-d embedding of 50,000 words trained from
    # scratch, BiLSTM-512 (22M weights: 45 MB in float16, too large to
    # ship here).
    "deepmoji-paper": {
        **_ARCHITECTURE,
        "max_vocab": 50000,
        "embedding_dim": 256,
        "units": 512,
    },
}
