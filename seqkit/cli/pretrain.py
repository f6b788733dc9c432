"""`seqkit pretrain deepmoji`: pretrain an encoder on (emoji) labels."""

import click

from seqkit.cli.options import data_options, model_options
from seqkit.cli.train import run_text_classifier


@click.group()
def pretrain():
    """Pretrain an encoder: on (emoji) labels, or as a language model."""


@pretrain.command()
@click.option(
    "--corpus",
    type=click.Path(file_okay=False),
    default=None,
    help="A folder from `seqkit data emoji-corpus` (train/valid/test.csv "
    "with text and label columns). Without --corpus and --train: "
    "TweetEval's emoji task (tweeteval-emoji, from SEQKIT_DATA_MIRROR or "
    "fetched).",
)
@data_options
@model_options
def deepmoji(corpus, **options):
    """Pretrain the DeepMoji architecture (preset `deepmoji`).

    On real tweets labelled by their emoji (TweetEval's emoji task, 20
    emoji, 45,000 / 5,000 / 50,000 tweets) when no data is given; on an
    emoji corpus (--corpus DIR) or any labelled data (--train, --valid,
    --test with --text-column/--label-column) otherwise. Tweets are
    tokenized with the tweet tokenizer; the model is an embedding (tanh)
    of up to 20,000 words started from GloVe 6B-50d, two BiLSTM-256 layers
    joined with the embedding, attention pooling and a softmax, with
    classes weighted by inverse frequency and the best epoch by validation
    macro-F1: the recipe of the shipped `deepmoji-tweets` (--preset
    deepmoji-paper: the paper's 256-d embedding from scratch and
    BiLSTM-512; every size can be changed by options).
    """
    from seqkit.errors import SeqkitError
    from seqkit.training.recipes.deepmoji import (
        PRESET,
        corpus_files,
        default_files,
    )

    if corpus is not None:
        if options.get("train") is not None:
            raise click.UsageError("give --corpus or --train, not both")
        try:
            options.update(corpus_files(corpus))
        except SeqkitError as error:
            raise click.UsageError(str(error)) from error
    elif options.get("train") is None:
        for option in ("valid", "test"):
            if options.get(option) is not None:
                raise click.UsageError(
                    f"--{option} needs --train (without --train and "
                    "--corpus, the run reads tweeteval-emoji's own splits)"
                )
        try:
            options.update(default_files())
        except SeqkitError as error:
            raise click.ClickException(str(error)) from error
    run_text_classifier(PRESET, options)


# option name -> LMConfig field, for options that override the settings.
_LM_OVERRIDES = (
    "tokenizer",
    "valid",
    "valid_fraction",
    "test",
    "bptt",
    "cell",
    "units",
    "layers",
    "directions",
    "tie_weights",
    "embedding_dim",
    "embeddings",
    "min_count",
    "max_vocab",
    "dropout",
    "epochs",
    "batch_size",
    "learning_rate",
    "patience",
    "seed",
)


@pretrain.command()
@click.option(
    "--corpus",
    multiple=True,
    required=True,
    type=click.Path(dir_okay=False),
    help="A UTF-8 text file: one sentence per line, a blank line between "
    "documents (repeat for several files; `seqkit data lm-corpus` writes "
    "the in-domain one).",
)
@click.option(
    "--valid",
    type=click.Path(dir_okay=False),
    help="Held-out text for the validation perplexity [--valid-fraction of "
    "the corpus held out].",
)
@click.option(
    "--valid-fraction",
    type=click.FloatRange(0.0, 1.0, min_open=True, max_open=True),
    default=None,
    help="Without --valid: the share of the documents held out for "
    "validation (seeded by --seed, documents with the same tokens on one "
    "side; a corpus with too few documents holds out lines, and one "
    "without blank lines makes each line a document; recorded in "
    "RUN/data.json) [0.1].",
)
@click.option(
    "--test",
    type=click.Path(dir_okay=False),
    help="Held-out text scored once at the end.",
)
@click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False),
    help="A JSON settings file, e.g. apps/lm/config.json.",
)
@click.option(
    "--tokenizer",
    type=click.Choice(["word", "tweet"]),
    help="word (punctuation split) or tweet (keeps emoji, @, #) [word].",
)
@click.option("--bptt", type=int, help="Steps per truncated-BPTT window [70].")
@click.option("--cell", type=click.Choice(["elman", "lstm", "gru"]))
@click.option("--units", type=int, help="Units per recurrent layer [128].")
@click.option("--layers", type=int, help="Stacked layers per direction [1].")
@click.option(
    "--directions",
    type=click.Choice(["forward", "backward", "both"]),
    help="forward, backward, or both (two stacks sharing the embedding and "
    "softmax; what a bidirectional classifier's --init-from needs) [both].",
)
@click.option("--tie-weights/--no-tie-weights", default=None)
@click.option("--embedding-dim", type=int)
@click.option("--embeddings", help="glove-6b-50d, a vector file, or none.")
@click.option("--min-count", type=int, help="Minimum count of a word [2].")
@click.option("--max-vocab", type=int, help="The most ids [30000].")
@click.option("--dropout", type=float, help="Between layers, before output.")
@click.option("--epochs", type=int)
@click.option("--batch-size", type=int, help="Parallel lanes of text [32].")
@click.option("--learning-rate", type=float)
@click.option("--patience", type=int)
@click.option("--seed", type=int)
@click.option(
    "--resume", is_flag=True, help="Continue an interrupted run in --out."
)
@click.option("--quiet", is_flag=True, help="No progress display.")
@click.option("--out", required=True, type=click.Path(), help="Run folder.")
def lm(corpus, config_file, resume, quiet, out, **options):
    """Pretrain a language model with truncated BPTT.

    The state is carried from window to window and reset where a document
    begins. Prints the validation (and test) perplexity as JSON.
    """
    import json

    from seqkit.cli.options import show_progress_log, verbosity
    from seqkit.models.lm.settings import LMConfig
    from seqkit.training.recipes.lm import train_language_model

    values = {}
    if config_file is not None:
        values = LMConfig.read_file(config_file)
    values["corpus"] = list(corpus)
    for name in _LM_OVERRIDES:
        if options.get(name) is not None:
            values[name] = options[name]
    config = LMConfig.from_dict(values, source=config_file or "options")
    show_progress_log(quiet)
    verbose = verbosity(quiet)
    metrics = train_language_model(
        config,
        out,
        resume=resume,
        verbose=verbose,
        progress=_epoch_progress(config.epochs, verbose) if verbose else None,
    )
    summary = {
        split: metrics[split] for split in ("valid", "test") if split in metrics
    }
    click.echo(json.dumps({"run": str(out), **summary}))


def _epoch_progress(epochs, verbose):
    """The LM recipe's progress hook: a line per epoch on stderr.

    With the progress bar (`verbose` 1), each epoch is headed by
    "Epoch N/EPOCHS", as Keras heads its own bars.
    """

    def progress(epoch, logs):
        if logs is None:
            if verbose == 1:
                click.echo(f"Epoch {epoch}/{epochs}", err=True)
            return
        click.echo(
            f"epoch {epoch}: perplexity {logs['perplexity']:.2f}, "
            f"valid {logs['val_perplexity']:.2f} ({logs['seconds']:.0f} s)",
            err=True,
        )

    return progress
