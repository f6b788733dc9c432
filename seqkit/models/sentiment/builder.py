"""The classifier a `SentimentConfig` describes."""


def build_classifier(
    config,
    vectorizer,
    class_names,
    embedding_matrix=None,
    seed=None,
    name="sentiment_classifier",
):
    """The `TextClassifier` a config describes.

    Args:
        config: a `SentimentConfig`.
        vectorizer: the fitted `TextVectorizer`.
        class_names: the labels, in output order.
        embedding_matrix: initial word vectors, or None.
        seed: the seed of the dropout layers (default: `config.seed`).
        name: the model's name (ensemble members need distinct names).

    Returns:
        A `seqkit.models.TextClassifier`.
    """
    from seqkit.models.backbone import RecurrentBackbone
    from seqkit.models.classifier import TextClassifier

    seed = config.seed if seed is None else seed
    embedding_dim = config.embedding_dim
    if embedding_matrix is not None:
        embedding_dim = embedding_matrix.shape[1]
    backbone = RecurrentBackbone(
        vocabulary_size=vectorizer.vocabulary_size(),
        embedding_dim=embedding_dim,
        cell=config.cell,
        units=config.units,
        num_layers=config.layers,
        bidirectional=config.bidirectional,
        skip_connections=config.skip_connections,
        pooling=config.pooling,
        embedding_activation=config.embedding_activation,
        embedding_dropout=config.embedding_dropout,
        spatial_dropout=config.spatial_dropout,
        dropout=config.dropout,
        recurrent_dropout=config.recurrent_dropout,
        embedding_trainable=not config.freeze_embeddings,
        static_channel=config.static_channel,
        embedding_matrix=embedding_matrix,
        seed=seed,
        name="backbone",
    )
    return TextClassifier(
        backbone,
        vectorizer,
        class_names,
        hidden_units=config.hidden_units,
        head_dropout=config.head_dropout,
        seed=seed,
        name=name,
    )
