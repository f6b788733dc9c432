"""A tiny language model and a small real corpus, for the tests."""

import csv

from seqkit.models import LanguageModel
from seqkit.preprocessing import TextVectorizer
from tests.conftest import ROOT

WORDS = ["[EOS]", "the", "film", "was", "good", "bad", "plot", "a"]


def tiny_lm(**kwargs):
    """A built `LanguageModel` over `WORDS`; `kwargs` override settings."""
    settings = {"embedding_dim": 6, "units": 5, "num_layers": 2}
    settings.update(kwargs)
    model = LanguageModel(TextVectorizer(WORDS), seed=1, **settings)
    model.build()
    return model


def write_snippet_corpus(folder, train, valid, per_document=20):
    """Writes `folder/train.txt` and `folder/valid.txt` for `pretrain lm`.

    The text is the bundled Rotten Tomatoes training snippets: the first
    `train` to train.txt, the next `valid` to valid.txt, one a line,
    `per_document` lines to a document.
    """
    with open(
        ROOT / "data" / "rt-snippets" / "train.csv", encoding="utf-8"
    ) as handle:
        texts = [" ".join(r["text"].split()) for r in csv.DictReader(handle)]
    parts = {"train": texts[:train], "valid": texts[train : train + valid]}
    for name, lines in parts.items():
        with open(folder / f"{name}.txt", "w", encoding="utf-8") as handle:
            for start in range(0, len(lines), per_document):
                handle.write("\n".join(lines[start : start + per_document]))
                handle.write("\n\n")
