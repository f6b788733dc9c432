"""The settings of a caption run, and its presets (data)."""

import dataclasses

from seqkit.models.settings import Settings

DECODERS = ("beam", "greedy")


@dataclasses.dataclass
class CaptionConfig(Settings):
    """Every setting of a caption run; written to `RUN/config.json`.

    Data: the digit canvases unless `features` + `captions` (a `.npy` file
    and one caption per line) or `train` (a CSV/TSV of `image_column`
    paths and `caption_column` captions) is given; `valid`/`test` (or
    `valid_features`/`valid_captions`, ...) are held out of the training
    rows when not given: 10% for test, then `valid_fraction` of the rest
    for validation (seed `split_seed`; rows with the same input on one
    side).
    """

    features: str = None
    captions: str = None
    valid_features: str = None
    valid_captions: str = None
    test_features: str = None
    test_captions: str = None
    train: str = None
    valid: str = None
    test: str = None
    image_column: str = "image"
    caption_column: str = "caption"
    image_size: list = None
    channels: int = 1
    split_seed: int = 1337
    valid_fraction: float = 0.1
    min_digits: int = 1
    max_digits: int = 4
    canvases_per_epoch: int = 12000
    cell: str = "lstm"
    units: int = 256
    embedding_dim: int = 64
    feature_dim: int = 128
    filters: list = dataclasses.field(default_factory=lambda: [32, 64, 96])
    attention: bool = True
    attention_units: int = 128
    dropout: float = 0.2
    scheduled_sampling: float = 0.0
    epochs: int = 20
    batch_size: int = 64
    learning_rate: float = 0.002
    patience: int = 4
    decode: str = "beam"
    beam_width: int = 4
    length_penalty: float = 1.0
    seed: int = 1337

    def validate(self, source="config"):
        self.check_positive(
            [
                "units",
                "embedding_dim",
                "feature_dim",
                "attention_units",
                "epochs",
                "batch_size",
                "patience",
                "beam_width",
                "canvases_per_epoch",
                "min_digits",
                "max_digits",
            ],
            source,
        )
        self.check_rates(["dropout", "scheduled_sampling"], source)
        self.check_fraction("valid_fraction", source)
        self.check_choice("cell", ("lstm", "gru", "elman"), source)
        self.check_choice("decode", DECODERS, source)
        self.check_choice("channels", (1, 3), source)
        if self.min_digits > self.max_digits:
            raise ValueError(
                f"{source}: min_digits ({self.min_digits}) exceeds "
                f"max_digits ({self.max_digits})"
            )
        if not self.learning_rate > 0:
            raise ValueError(f"{source}: learning_rate must be positive")
        if (self.features is None) != (self.captions is None):
            raise ValueError(
                f"{source}: features and captions go together (--features "
                "X.npy --captions captions.txt)"
            )
        if self.features is not None and self.train is not None:
            raise ValueError(
                f"{source}: give either --features/--captions or --train "
                "(a table of images), not both"
            )
        for name in ("valid", "test"):
            pair = (
                getattr(self, f"{name}_features"),
                getattr(self, f"{name}_captions"),
            )
            if (pair[0] is None) != (pair[1] is None):
                raise ValueError(
                    f"{source}: {name}_features and {name}_captions go together"
                )
            if pair[0] is not None and self.features is None:
                raise ValueError(
                    f"{source}: {name}_features needs --features too"
                )
        if self.image_size is not None and (
            len(self.image_size) != 2 or min(self.image_size) < 1
        ):
            raise ValueError(
                f"{source}: image_size is [height, width]; received "
                f"{self.image_size!r}"
            )

    @property
    def data_kind(self):
        """`"digits"`, `"features"` or `"images"`."""
        if self.features is not None:
            return "features"
        if self.train is not None:
            return "images"
        return "digits"


# Settings for the command line's tests: a tiny model, a few canvases.
PRESETS = {
    "default": {},
    "tiny": {
        "canvases_per_epoch": 128,
        "units": 16,
        "embedding_dim": 8,
        "feature_dim": 8,
        "filters": [4, 8],
        "attention_units": 8,
        "epochs": 2,
        "batch_size": 32,
        "beam_width": 2,
    },
}
