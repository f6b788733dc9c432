"""The settings of a language-model run (`seqkit pretrain lm`)."""

import dataclasses

from seqkit.models.settings import Settings


@dataclasses.dataclass
class LMConfig(Settings):
    """Every setting of a language-model run; written to `RUN/config.json`.

    `corpus` lists the training files; `valid` and `test` are held-out
    files (without `valid`, a `valid_fraction` of the training documents,
    or of its lines when it has too few documents, is held out:
    `seqkit.training.recipes.lm.hold_out_text`).

    `directions` is `both` by default: a forward and a backward stack,
    which a bidirectional classifier (the sentiment default) can start
    from with `--init-from`.
    """

    corpus: list
    valid: str = None
    test: str = None
    valid_fraction: float = 0.1
    tokenizer: str = "word"
    lowercase: bool = True
    min_count: int = 2
    max_vocab: int = 30000
    embedding_dim: int = 50
    embeddings: str = None
    cell: str = "lstm"
    units: int = 128
    layers: int = 1
    directions: str = "both"
    tie_weights: bool = True
    embedding_dropout: float = 0.1
    input_dropout: float = 0.1
    dropout: float = 0.3
    recurrent_dropout: float = 0.0
    bptt: int = 70
    batch_size: int = 32
    epochs: int = 10
    learning_rate: float = 2e-3
    clipnorm: float = 1.0
    patience: int = 2
    seed: int = 1337

    def validate(self, source="config"):
        if not self.corpus:
            raise ValueError(f"{source}: corpus: give at least one file")
        self.check_positive(
            (
                "min_count",
                "embedding_dim",
                "units",
                "layers",
                "bptt",
                "batch_size",
                "epochs",
            ),
            source,
        )
        self.check_rates(
            (
                "embedding_dropout",
                "input_dropout",
                "dropout",
                "recurrent_dropout",
            ),
            source,
        )
        self.check_choice("directions", ("forward", "backward", "both"), source)
        self.check_choice("cell", ("elman", "lstm", "gru"), source)
        self.check_fraction("valid_fraction", source)
