"""`seqkit finetune --base RUN`: fine-tune a pretrained encoder."""

import json

import click

from seqkit.cli.options import (
    metrics_summary,
    show_progress_log,
    valid_fraction_option,
)


@click.command()
@click.option(
    "--base",
    required=True,
    type=click.Path(),
    help="The pretrained run (e.g. from seqkit pretrain deepmoji).",
)
@click.option("--train", required=True, type=click.Path())
@click.option(
    "--valid",
    type=click.Path(),
    default=None,
    help="Validation file. Without it, --valid-fraction of --train is "
    "held out.",
)
@valid_fraction_option()
@click.option("--test", type=click.Path(), default=None)
@click.option("--text-column", default="text", show_default=True)
@click.option("--label-column", default="label", show_default=True)
@click.option(
    "--method",
    type=click.Choice(["last", "full", "new", "chain-thaw", "gradual"]),
    default=None,
    help="last: the new head only; full: everything at once; new: the "
    "same model from scratch; chain-thaw: head, then each layer group "
    "alone, then all; gradual: unfreeze from the top down. "
    "[default: chain-thaw]",
)
@click.option(
    "--chain-thaw", is_flag=True, help="Shorthand for --method chain-thaw."
)
@click.option(
    "--epochs",
    type=int,
    default=10,
    show_default=True,
    help="The most epochs of each step (new: of its one step, times the "
    "number of chain-thaw steps: the budget chain-thaw has in all).",
)
@click.option("--patience", type=int, default=2, show_default=True)
@click.option("--batch-size", type=int, default=32, show_default=True)
@click.option("--learning-rate", type=float, default=1e-3, show_default=True)
@click.option(
    "--extend-vocab",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Add the N most frequent unseen training words, with new "
    "embedding rows.",
)
@click.option("--seed", type=int, default=1337, show_default=True)
@click.option(
    "--distribute",
    type=click.Choice(["none", "mirrored", "multi-worker"]),
    default="none",
    show_default=True,
    help="tf.distribute strategy (docs/distributed.md).",
)
@click.option("--quiet", is_flag=True, help="No progress log.")
@click.option("--out", required=True, type=click.Path())
def finetune(method, chain_thaw, distribute, quiet, out, **options):
    """Fine-tune a pretrained run's encoder on new labels (new head).

    Each step starts a fresh Adam optimizer, trains with early stopping on
    the validation loss and keeps its best weights (a step that makes the
    validation loss worse is undone). Prints the metrics and the report of
    every step as JSON; RUN/finetune.json keeps the report.
    """
    from seqkit.training.recipes.finetune import FinetuneSettings, finetune_run

    if chain_thaw and method not in (None, "chain-thaw"):
        raise click.UsageError("--chain-thaw contradicts --method " + method)
    if options["valid_fraction"] is None:
        del options["valid_fraction"]
    settings = FinetuneSettings(method=method or "chain-thaw", **options)
    show_progress_log(quiet)
    metrics = finetune_run(settings, out, distribute=distribute)
    if "worker" in metrics:
        click.echo(json.dumps({"run": out, "worker": metrics["worker"]}))
        return
    summary = metrics_summary(metrics)
    click.echo(json.dumps({"run": out, **summary, "steps": metrics["steps"]}))
