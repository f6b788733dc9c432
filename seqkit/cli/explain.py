"""`seqkit explain RUN --input FILE --out FILE`: pictures of attention."""

import json

import click


@click.command()
@click.argument("run", type=click.Path())
@click.option(
    "--input",
    "input_file",
    required=True,
    type=click.Path(),
    help="Document runs: a CSV/TSV/JSONL with a text column, or a .txt "
    "file holding one document. Caption runs: a .npy of inputs, an image, "
    "or a CSV/TSV with an image column.",
)
@click.option(
    "--text-column",
    default="text",
    show_default=True,
    help="Document runs: the column of the documents.",
)
@click.option(
    "--out",
    required=True,
    type=click.Path(),
    help="The report: .html for document runs, .png for caption runs.",
)
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    default=8,
    show_default=True,
    help="Explain at most this many inputs (the first ones).",
)
def explain(run, input_file, text_column, out, limit):
    """Render what a run's model attended to.

    Document runs: an HTML page with each document's predicted label and
    its sentences and words shaded by their attention weights. Caption
    runs with attention: a PNG with each input and, under it, one strip
    per generated word that shades the image columns the word looked at.
    Prints a JSON summary.
    """
    from seqkit.models.task import task_for
    from seqkit.runs import load_run

    model = load_run(run)
    summary = task_for(model).explain(
        model, run, input_file, out, text_column=text_column, limit=limit
    )
    click.echo(json.dumps(summary))
