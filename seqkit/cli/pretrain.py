"""`seqkit pretrain deepmoji`: pretrain an encoder on (emoji) labels."""

from pathlib import Path

import click

from seqkit.cli.options import data_options
from seqkit.cli.train import model_options, run_text_classifier


@click.group()
def pretrain():
    """Pretrain an encoder to fine-tune later (seqkit finetune)."""


@pretrain.command()
@click.option(
    "--corpus",
    type=click.Path(file_okay=False),
    default=None,
    help="A folder from `seqkit data emoji-corpus` (train/valid/test.csv "
    "with text and label columns).",
)
@data_options
@model_options
def deepmoji(corpus, **options):
    """Pretrain the DeepMoji architecture (preset `deepmoji`).

    On an emoji corpus (--corpus DIR) or any labelled data (--train,
    --valid, --test with --text-column/--label-column). Tweets are
    tokenized with the tweet tokenizer; the model is a 256-d embedding
    (tanh), two BiLSTM-512 layers joined with the embedding, attention
    pooling and a softmax (all sizes can be changed by options).
    """
    if corpus is not None:
        if options.get("train") is not None:
            raise click.UsageError("give --corpus or --train, not both")
        folder = Path(corpus)
        for split in ("train", "valid", "test"):
            path = folder / f"{split}.csv"
            if not path.is_file():
                raise click.UsageError(
                    f"--corpus {corpus}: {path.name} is missing; build the "
                    "folder with `seqkit data emoji-corpus`"
                )
            options[split] = str(path)
    elif options.get("train") is None:
        raise click.UsageError("give --corpus DIR or --train FILE")
    run_text_classifier("deepmoji", options)
