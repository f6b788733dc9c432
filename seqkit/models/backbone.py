"""The recurrent text encoder the applications share."""

import keras

# Submodules, not the package: this module may be imported while
# `seqkit.layers` itself is still initialising (see `seqkit/__init__.py`).
from seqkit.layers.attention import AttentionPooling
from seqkit.layers.embedding import PretrainedEmbedding
from seqkit.layers.pooling import SequencePooling
from seqkit.layers.rnn.stack import RecurrentStack
from seqkit.layers.seeds import layer_seed
from seqkit.registry import register

POOLINGS = ("last", "mean", "max", "attention")


def parse_pooling(pooling):
    """Splits `"max+mean"` into `["max", "mean"]` and checks each part."""
    parts = [p.strip() for p in str(pooling).split("+")]
    for part in parts:
        if part not in POOLINGS:
            raise ValueError(
                f"`pooling` must be one of {POOLINGS} or several joined by "
                f"'+'; received pooling={pooling!r}"
            )
    if "last" in parts and len(parts) > 1:
        raise ValueError(
            "pooling='last' (the final states) cannot be combined with "
            f"other poolings; received pooling={pooling!r}"
        )
    return parts


@register(
    example={
        "init": {
            "vocabulary_size": 10,
            "embedding_dim": 4,
            "cell": "gru",
            "units": 3,
            "num_layers": 2,
            "bidirectional": True,
            "skip_connections": True,
            "pooling": "attention+max",
        },
        "input_shape": (2, 5),
        "input_dtype": "int32",
    }
)
class RecurrentBackbone(keras.Model):
    """Token ids -> embedding -> stacked (bi)RNN -> pooled text vector.

    A functional model with no loss and no head: it takes `token_ids`
    (`[batch, time]` int, right-padded with 0) and returns a dict with
    `"pooled"` (`[batch, features]`), `"sequence"` (the per-step features,
    when the pooling reads a sequence) and `"attention"` (`[batch, time]`
    weights, when the pooling includes attention). Tasks put a head on
    `"pooled"`; `layer_groups()` lists its parts for fine-tuning.

    Masks: id 0 is padding; the embedding's mask flows through the
    recurrent stack and the pooling, so padding changes nothing and a row of
    only padding gives finite zeros.

    Args:
        vocabulary_size: number of ids (padding and unknown included).
        embedding_dim: size of a word vector.
        cell: `"elman"`, `"lstm"` or `"gru"`.
        units: units per direction of each recurrent layer.
        num_layers: number of stacked recurrent layers.
        bidirectional: read in both directions.
        skip_connections: pool over `[h_n, ..., h_1, embedding]` (DeepMoji)
            rather than the top layer alone.
        pooling: `"last"` (the final states), `"mean"`, `"max"`,
            `"attention"`, or several of the last three joined by `"+"`
            (their outputs concatenated).
        embedding_activation: activation after the embedding (DeepMoji uses
            `"tanh"`), or None.
        embedding_dropout: probability of dropping a word type.
        spatial_dropout: dropout of whole embedding channels
            (`keras.layers.SpatialDropout1D`).
        dropout: input dropout of the recurrent layers.
        recurrent_dropout: recurrent dropout (disables the fused kernel).
        embedding_trainable: whether the word vectors are trained.
        static_channel: also feed a frozen copy of the initial vectors,
            concatenated with the trained ones (Kim 2014's multichannel):
            words rare or absent in training keep their pretrained meaning.
        embedding_matrix: initial vectors `[vocabulary_size, embedding_dim]`
            or None; not part of the config (the weights are saved).
        seed: seed of the dropout layers.
        **kwargs: base `keras.Model` arguments (`name`, `dtype`).

    Example:

    ```python
    import numpy as np

    from seqkit.models import RecurrentBackbone

    backbone = RecurrentBackbone(
        vocabulary_size=10, embedding_dim=4, cell="lstm", units=3,
        num_layers=2, bidirectional=True, pooling="attention")
    token_ids = np.array([[2, 5, 7, 4], [3, 6, 0, 0]])  # right-padded with 0
    outputs = backbone(token_ids)
    assert outputs["pooled"].shape == (2, 6)  # 2 directions x 3 units
    assert outputs["attention"].shape == (2, 4)  # 0 on the padding
    [name for name, _ in backbone.layer_groups()]
    # ["embedding", "bi_lstm_0", "bi_lstm_1", "attention"]
    ```
    """

    def __init__(
        self,
        vocabulary_size,
        embedding_dim,
        cell="lstm",
        units=128,
        num_layers=1,
        bidirectional=True,
        skip_connections=False,
        pooling="max",
        embedding_activation=None,
        embedding_dropout=0.0,
        spatial_dropout=0.0,
        dropout=0.0,
        recurrent_dropout=0.0,
        embedding_trainable=True,
        static_channel=False,
        embedding_matrix=None,
        seed=None,
        **kwargs,
    ):
        """Builds the layers and the functional graph.

        It stays whole: it is the backbone's one wiring, in the three
        sections of a keras-hub constructor (layers, functional graph,
        config), so what a saved backbone holds is read in one place.
        """
        parts = parse_pooling(pooling)
        final_states = parts == ["last"]
        if final_states and skip_connections:
            raise ValueError(
                "pooling='last' reads the final states, which skip "
                "connections do not have; choose another pooling or "
                "skip_connections=False"
            )
        # === Layers ===
        embedding = PretrainedEmbedding(
            vocabulary_size,
            embedding_dim,
            matrix=embedding_matrix,
            trainable=embedding_trainable,
            embedding_dropout=embedding_dropout,
            seed=layer_seed(seed, "embedding"),
            name="embedding",
        )
        static = None
        if static_channel:
            static = PretrainedEmbedding(
                vocabulary_size,
                embedding_dim,
                matrix=embedding_matrix,
                trainable=False,
                name="static_embedding",
            )
        stack = RecurrentStack(
            cell,
            units,
            num_layers=num_layers,
            bidirectional=bidirectional,
            skip_connections=skip_connections,
            return_sequences=not final_states,
            dropout=dropout,
            recurrent_dropout=recurrent_dropout,
            seed=layer_seed(seed, "rnn"),
            name="rnn",
        )

        # === Functional graph ===
        token_ids = keras.Input((None,), dtype="int32", name="token_ids")
        hidden = embedding(token_ids)
        if static is not None:
            hidden = keras.layers.Concatenate(name="channels")(
                [hidden, static(token_ids)]
            )
        if embedding_activation:
            hidden = keras.layers.Activation(
                embedding_activation, name="embedding_activation"
            )(hidden)
        if spatial_dropout:
            hidden = keras.layers.SpatialDropout1D(
                spatial_dropout,
                seed=layer_seed(seed, "spatial_dropout"),
                name="spatial_dropout",
            )(hidden)
        sequence = stack(hidden)
        outputs = {}
        if final_states:
            outputs["pooled"] = sequence
        else:
            pooled = []
            for part in parts:
                if part == "attention":
                    vector, weights = AttentionPooling(
                        return_attention=True, name="attention"
                    )(sequence)
                    outputs["attention"] = weights
                else:
                    vector = SequencePooling(part, name=f"{part}_pooling")(
                        sequence
                    )
                pooled.append(vector)
            if len(pooled) > 1:
                pooled = [keras.layers.Concatenate(name="pooled")(pooled)]
            outputs = {"pooled": pooled[0], "sequence": sequence, **outputs}
        super().__init__(inputs=token_ids, outputs=outputs, **kwargs)

        # === Config ===
        self.vocabulary_size = vocabulary_size
        self.embedding_dim = embedding_dim
        self.cell = cell
        self.units = units
        self.num_layers = num_layers
        self.bidirectional = bidirectional
        self.skip_connections = skip_connections
        self.pooling = pooling
        self.embedding_activation = embedding_activation
        self.embedding_dropout = embedding_dropout
        self.spatial_dropout = spatial_dropout
        self.dropout = dropout
        self.recurrent_dropout = recurrent_dropout
        self.embedding_trainable = embedding_trainable
        self.static_channel = static_channel
        self.seed = seed

    @property
    def has_attention(self):
        return "attention" in parse_pooling(self.pooling)

    def embed_tokens(self, token_ids):
        """The features the recurrent stack reads for `token_ids`.

        At inference: the word vectors (the static channel's concatenated
        after them, with `static_channel`) through `embedding_activation`,
        with no dropout and no mask (id 0 reads its row like any id).

        Args:
            token_ids: int ids of any shape.

        Returns:
            Their features, `[*token_ids.shape, features]`.
        """
        tables = [self.get_layer("embedding").embeddings]
        if self.static_channel:
            tables.append(self.get_layer("static_embedding").embeddings)
        vectors = [keras.ops.take(table, token_ids, axis=0) for table in tables]
        hidden = (
            vectors[0]
            if len(vectors) == 1
            else keras.ops.concatenate(vectors, -1)
        )
        if self.embedding_activation:
            hidden = self.get_layer("embedding_activation")(hidden)
        return hidden

    def recurrent_directions(self, index=0):
        """The recurrent layers of stacked layer `index`, one per direction.

        Args:
            index: which layer of the stack, from the input (0).

        Returns:
            `[forward]`, or `[forward, backward]` when `bidirectional`:
            seqkit `Elman`, `LSTM` or `GRU` layers (the backward one has
            `go_backwards=True`).
        """
        rnn = self.get_layer("rnn").rnn_layers[index]
        if self.bidirectional:
            return [rnn.forward_layer, rnn.backward_layer]
        return [rnn]

    def layer_groups(self):
        """The parts fine-tuning strategies thaw one by one, input first.

        Returns:
            A list of `(name, [layers])`: `embedding`, one group per
            recurrent layer named by its cell and direction (`bi_lstm_0`,
            `bi_lstm_1`, `gru_0`, ...), and `attention` when the pooling
            has one.
        """
        embeddings = [self.get_layer("embedding")]
        if self.static_channel:
            embeddings.append(self.get_layer("static_embedding"))
        groups = [("embedding", embeddings)]
        stack = self.get_layer("rnn")
        prefix = ("bi_" if self.bidirectional else "") + self.cell
        for index, rnn in enumerate(stack.rnn_layers):
            groups.append((f"{prefix}_{index}", [rnn]))
        if self.has_attention:
            groups.append(("attention", [self.get_layer("attention")]))
        return groups

    def get_config(self):
        return {
            "name": self.name,
            "trainable": self.trainable,
            "vocabulary_size": self.vocabulary_size,
            "embedding_dim": self.embedding_dim,
            "cell": self.cell,
            "units": self.units,
            "num_layers": self.num_layers,
            "bidirectional": self.bidirectional,
            "skip_connections": self.skip_connections,
            "pooling": self.pooling,
            "embedding_activation": self.embedding_activation,
            "embedding_dropout": self.embedding_dropout,
            "spatial_dropout": self.spatial_dropout,
            "dropout": self.dropout,
            "recurrent_dropout": self.recurrent_dropout,
            "embedding_trainable": self.embedding_trainable,
            "static_channel": self.static_channel,
            "seed": self.seed,
        }

    @classmethod
    def from_config(cls, config):
        return cls(**config)
