"""Settings of the sentiment application (and of DeepMoji, which trains
the same classifier)."""

import dataclasses

from seqkit.models.deepmoji import presets as deepmoji
from seqkit.models.selection import check_selection
from seqkit.models.sentiment import presets as sentiment
from seqkit.models.settings import Settings

# Every preset a `SentimentConfig` starts from (`--preset NAME`): the
# sentiment application's and DeepMoji's.
PRESETS = {**sentiment.PRESETS, **deepmoji.PRESETS}

# What early stopping and the best epoch may watch: Keras's validation
# loss or accuracy, or the macro-F1 of the validation split computed after
# each epoch (`seqkit.training.callbacks.ValidationF1`): for many uneven
# classes, where the loss and the accuracy favour the frequent ones.
MONITORS = ("val_accuracy", "val_loss", "val_macro_f1")

# The settings a language model fixes for a classifier initialised from it
# (`init_from`): its embedding and recurrent layers must fit the LM's.
LM_FIXED = ("cell", "units", "embedding_dim")


def lm_conflicts(settings):
    """The settings in `settings` (a dict) that a classifier initialised
    from a language model cannot take: any of `LM_FIXED`, and a static
    embedding channel (it widens the first recurrent layer's input, which
    the LM's weights fix)."""
    found = [key for key in LM_FIXED if key in settings]
    if settings.get("static_channel"):
        found.append("static_channel")
    return sorted(found)


# What an ensemble member may change: the network and its optimizer, not
# the data or the vocabulary the members share.
MEMBER_SETTINGS = {
    "cell",
    "units",
    "layers",
    "bidirectional",
    "skip_connections",
    "pooling",
    "static_channel",
    "embedding_dropout",
    "spatial_dropout",
    "dropout",
    "recurrent_dropout",
    "hidden_units",
    "head_dropout",
    "learning_rate",
    "batch_size",
    "epochs",
    "patience",
}


@dataclasses.dataclass
class SentimentConfig(Settings):
    """Every setting of a sentiment run; written to `RUN/config.json`.

    Fields group into data (`train` ... `label_column`), text processing
    (`lowercase` ... `max_length`), the model (`cell` ... `head_dropout`)
    and training (`epochs` ... `member_overrides`). `None` data paths mean
    the bundled Rotten Tomatoes split. With `train` and no `valid`, a
    `valid_fraction` of the training examples is held out for validation
    (seeded by `seed`, stratified, texts with the same tokens on one
    side: `seqkit.training.holdout`) before the data decides anything.

    The data decides the settings left at `None` (`strip_html`,
    `max_length`, `keep`, `min_count`, `max_vocab`, `epochs`, `patience`,
    `selection`): `seqkit.models.sentiment.adapt` chooses them from the
    training split and writes its reasons to `adapted`; a value given
    here is kept.

    With `ngram` (the default), an n-gram model (`seqkit.models.ngram`:
    TF-IDF of word and character n-grams, logistic regression) is trained
    beside the recurrent members, and the weight of each side is chosen
    on validation by `selection` (accuracy or macro-F1), so the combined
    model scores on validation at least as well as either.

    With `init_from` (a language-model run), the vocabulary, the word
    vectors and the recurrent weights come from the language model
    (`seqkit.models.lm.transfer`), and training follows `init_method`
    (`seqkit.training.finetune.fit_in_steps`): `gradual` unfreezing (the
    head, then one more layer group at a time from the top), `chain-thaw`,
    or `full` (everything at once).

    An ensemble of `ensemble` members is more accurate when its members
    differ: member `i` takes the settings of `member_overrides[i % n]`
    (dicts of model or optimizer settings, e.g. `{"cell": "gru"}`) on top
    of the others.
    """

    train: str = None
    valid: str = None
    test: str = None
    text_column: str = "text"
    label_column: str = "label"
    valid_fraction: float = 0.1
    lowercase: bool = True
    tokenizer: str = "word"
    strip_html: bool = None
    min_count: int = None
    max_vocab: int = None
    max_length: int = None
    keep: str = None
    cell: str = "lstm"
    units: int = 128
    layers: int = 1
    bidirectional: bool = True
    skip_connections: bool = False
    pooling: str = "max+mean"
    embedding_dim: int = 50
    embedding_activation: str = None
    embeddings: str = "glove-6b-50d"
    pretrained_words: int = 0
    freeze_embeddings: bool = False
    static_channel: bool = False
    embedding_dropout: float = 0.1
    spatial_dropout: float = 0.3
    dropout: float = 0.3
    recurrent_dropout: float = 0.0
    hidden_units: list = dataclasses.field(default_factory=list)
    head_dropout: float = 0.5
    epochs: int = None
    batch_size: int = 64
    learning_rate: float = 5e-4
    patience: int = None
    monitor: str = "val_accuracy"
    class_weight: str = None
    seed: int = 1337
    init_from: str = None
    init_method: str = "gradual"
    ensemble: int = 6
    member_overrides: list = dataclasses.field(
        default_factory=lambda: [{}, {"cell": "gru"}, {"static_channel": True}]
    )
    ngram: bool = True
    selection: str = None
    adapted: dict = dataclasses.field(default_factory=dict)

    def validate(self, source="config"):
        """Checks ranges, naming the setting; raises ValueError."""
        if not isinstance(self.pretrained_words, int) or (
            self.pretrained_words < 0
        ):
            raise ValueError(
                f"{source}: pretrained_words must be a count >= 0; "
                f"received {self.pretrained_words!r}"
            )
        positive = (
            "units",
            "layers",
            "embedding_dim",
            "batch_size",
            "ensemble",
        )
        self.check_positive(positive, source)
        # The data decides these when they are None (`adapt`).
        self.check_positive(
            [
                name
                for name in ("epochs", "max_length", "min_count", "max_vocab")
                if getattr(self, name) is not None
            ],
            source,
        )
        if self.patience is not None and (
            not isinstance(self.patience, int) or self.patience < 0
        ):
            raise ValueError(
                f"{source}: patience must be a count >= 0; received "
                f"{self.patience!r}"
            )
        self.check_fraction("valid_fraction", source)
        self.check_choice("strip_html", (None, True, False), source)
        # `seqkit.preprocessing.text_vectorizer.KEEPS`
        self.check_choice("keep", (None, "start", "end", "start+end"), source)
        self.check_choice("ngram", (True, False), source)
        check_selection(self.selection, f"{source}: selection")
        self.check_rates(
            (
                "embedding_dropout",
                "spatial_dropout",
                "dropout",
                "recurrent_dropout",
                "head_dropout",
            ),
            source,
        )
        self.check_choice("cell", ("elman", "lstm", "gru"), source)
        self.check_choice("tokenizer", ("word", "tweet"), source)
        if self.embedding_activation not in (None, "tanh", "relu"):
            raise ValueError(
                f"{source}: embedding_activation must be null, tanh or "
                f"relu; received {self.embedding_activation!r}"
            )
        self.check_choice(
            "init_method", ("full", "gradual", "chain-thaw"), source
        )
        if self.class_weight not in (None, "balanced"):
            raise ValueError(
                f"{source}: class_weight must be null or 'balanced'; "
                f"received {self.class_weight!r}"
            )
        self._validate_overrides(source)
        if self.init_from and self.static_channel:
            raise ValueError(
                f"{source}: static_channel widens the first recurrent "
                f"layer's input, which --init-from {self.init_from} fixes"
            )
        for index in range(self.ensemble if self.member_overrides else 0):
            override = self.member_overrides[index % len(self.member_overrides)]
            fixed = lm_conflicts(override)
            if self.init_from and fixed:
                raise ValueError(
                    f"{source}: ensemble member {index} sets "
                    f"{', '.join(fixed)}, which --init-from "
                    f"{self.init_from} fixes; use --ensemble 1 or a config "
                    "whose member_overrides leave them alone"
                )
        if self.monitor not in MONITORS:
            raise ValueError(
                f"{source}: monitor must be one of {', '.join(MONITORS)}; "
                f"received {self.monitor!r}"
            )

    def member(self, index):
        """The settings of ensemble member `index` (overrides applied)."""
        if not self.member_overrides:
            return self
        override = self.member_overrides[index % len(self.member_overrides)]
        return dataclasses.replace(self, **override, member_overrides=[])

    def _validate_overrides(self, source):
        if not isinstance(self.member_overrides, list):
            raise ValueError(
                f"{source}: member_overrides must be a list of settings"
            )
        for override in self.member_overrides:
            bad = sorted(set(override) - MEMBER_SETTINGS)
            if not isinstance(override, dict) or bad:
                raise ValueError(
                    f"{source}: member_overrides may set only "
                    f"{sorted(MEMBER_SETTINGS)}; received {override!r}"
                )
            dataclasses.replace(self, **override, member_overrides=[]).validate(
                source
            )
