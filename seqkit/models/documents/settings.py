"""The settings of a document run: `DocumentConfig`, its presets, and the
word-encoder settings a source run (`--init-from`) fixes."""

import dataclasses
import json
from pathlib import Path

from seqkit.models.selection import check_selection
from seqkit.models.settings import Settings

BUNDLED = "pang-lee-reviews"


@dataclasses.dataclass
class DocumentConfig(Settings):
    """Every setting of a document run; written to `RUN/config.json`.

    Without `train`, the run uses the Pang & Lee reviews and their fixed
    split (`seqkit data prepare pang-lee-reviews`). With `train` and no
    `valid`, a `valid_fraction` of the training documents is held out for
    validation (`seqkit.training.holdout`).
    """

    train: str = None
    valid: str = None
    test: str = None
    text_column: str = "text"
    label_column: str = "label"
    valid_fraction: float = 0.1
    max_sentences: int = 50
    max_words: int = 50
    line_breaks: bool = True
    require_capital: bool = True
    tokenizer: str = "word"
    lowercase: bool = True
    min_count: int = 2
    max_vocab: int = 30000
    embeddings: str = "glove-6b-50d"
    pretrained_words: int = 0
    embedding_dim: int = 50
    freeze_embeddings: bool = False
    cell: str = "gru"
    units: int = 50
    sentence_units: int = 50
    embedding_dropout: float = 0.0
    dropout: float = 0.2
    sentence_dropout: float = 0.2
    head_dropout: float = 0.3
    epochs: int = 15
    batch_size: int = 16
    learning_rate: float = 0.001
    patience: int = 4
    seed: int = 1337
    ensemble: int = 3
    init_from: str = None
    pretrain_sentences: str = "auto"
    ngram: bool = True
    selection: str = None

    def validate(self, source="config"):
        self.check_positive(
            [
                "max_sentences",
                "max_words",
                "min_count",
                "max_vocab",
                "embedding_dim",
                "units",
                "sentence_units",
                "epochs",
                "batch_size",
                "patience",
                "ensemble",
            ],
            source,
        )
        self.check_rates(
            [
                "embedding_dropout",
                "dropout",
                "sentence_dropout",
                "head_dropout",
            ],
            source,
        )
        self.check_fraction("valid_fraction", source)
        self.check_choice("cell", ("gru", "lstm", "elman"), source)
        self.check_choice("tokenizer", ("word", "tweet"), source)
        self.check_choice("ngram", (True, False), source)
        check_selection(self.selection, f"{source}: selection")
        self.check_choice(
            "pretrain_sentences", ("auto", *SENTENCE_SETS, "none"), source
        )
        if self.init_from and self.pretrain_sentences not in ("auto", "none"):
            raise ValueError(
                f"{source}: init_from and pretrain_sentences both start the "
                "word encoder: give one of them"
            )
        if not self.learning_rate > 0:
            raise ValueError(f"{source}: learning_rate must be positive")

    @property
    def sentence_set(self):
        """The sentence data the word encoder is pretrained on, or None.

        `auto` pretrains on the Rotten Tomatoes snippets for the bundled
        reviews (when no `init_from` is given), and not for the user's own
        documents, whose domain and labels may differ.
        """
        if self.pretrain_sentences == "auto":
            if self.train is None and not self.init_from:
                return "rt-snippets"
            return None
        return (
            None
            if self.pretrain_sentences == "none"
            else (self.pretrain_sentences)
        )

    @property
    def max_length(self):
        """The words kept per sentence (`prepare_inputs` reads this)."""
        return self.max_words


PRESETS = {
    "default": {},
    "tiny": {
        "embeddings": None,
        "embedding_dim": 8,
        "units": 6,
        "sentence_units": 6,
        "min_count": 1,
        "epochs": 2,
        "batch_size": 8,
        "ensemble": 1,
        "ngram": False,
    },
}

# Labelled sentence sets the word encoder can be pretrained on.
SENTENCE_SETS = ("rt-snippets",)

# The settings a source run (`init_from`) fixes for the word encoder.
WORD_ENCODER_FIXED = ("cell", "units", "embedding_dim", "tokenizer")


def source_settings(run):
    """The word-encoder settings of a sentiment or DeepMoji run.

    Raises:
        ValueError: the run is missing, or its encoder cannot be a word
            encoder (it must be one bidirectional layer with attention).
    """
    path = Path(run) / "config.json"
    if not path.is_file() or not (Path(run) / "model.keras").is_file():
        raise ValueError(
            f"--init-from {run}: not a finished run (config.json and "
            "model.keras are needed)"
        )
    with open(path, encoding="utf-8") as handle:
        source = json.load(handle)
    needed = {"layers": 1, "bidirectional": True}
    for key, value in needed.items():
        if source.get(key) != value:
            raise ValueError(
                f"--init-from {run}: its encoder has {key}="
                f"{source.get(key)!r}; a word encoder needs {key}={value!r}"
            )
    if source.get("skip_connections"):
        raise ValueError(
            f"--init-from {run}: its encoder uses skip connections; a word "
            "encoder needs skip_connections=false"
        )
    return source


def merge_source_settings(values, given, run):
    """Takes the word-encoder settings from the source run; refuses an
    explicit setting that disagrees (`given`: what the user set)."""
    source = source_settings(run)
    for key in WORD_ENCODER_FIXED:
        if key in given and given[key] != source[key]:
            raise ValueError(
                f"--init-from {run} fixes {key}={source[key]!r}; the "
                f"options ask for {given[key]!r}"
            )
        values[key] = source[key]
    values["lowercase"] = source.get("lowercase", True)
    values["init_from"] = str(run)
    return values
