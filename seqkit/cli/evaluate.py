"""`seqkit evaluate RUN --data FILE`: metrics as one JSON object."""

import json

import click


@click.command()
@click.argument("run", type=click.Path())
@click.option(
    "--data",
    required=True,
    type=click.Path(),
    help="A labelled CSV, TSV or JSONL file.",
)
@click.option("--text-column", default="text", show_default=True)
@click.option("--label-column", default="label", show_default=True)
def evaluate(run, data, text_column, label_column):
    """Score a run's model on a labelled file (JSON on stdout)."""
    from seqkit.training.runs import evaluate_run

    metrics = evaluate_run(run, data, text_column, label_column)
    click.echo(json.dumps(metrics))
