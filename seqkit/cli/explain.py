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
    help="Text runs (sentiment, DeepMoji): a .txt file of texts, one per "
    "line, or a CSV/TSV/JSONL with a text column. Document runs: a "
    "CSV/TSV/JSONL with a text column, or a .txt file holding one "
    "document. Caption runs: a .npy of inputs, an image, "
    "or a CSV/TSV with an image column.",
)
@click.option(
    "--text-column",
    default="text",
    show_default=True,
    help="Text and document runs: the column of the texts in a table.",
)
@click.option(
    "--out",
    required=True,
    type=click.Path(),
    help="The report: .html for text and document runs, .png for caption runs.",
)
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    default=8,
    show_default=True,
    help="Explain at most this many inputs (the first ones).",
)
@click.option(
    "--top-k",
    type=click.IntRange(min=1),
    default=5,
    show_default=True,
    help="Text runs: the labels listed per text with their probabilities "
    "(all when the model has fewer).",
)
def explain(run, input_file, text_column, out, limit, top_k):
    """Render what a run's model attended to.

    Text runs (sentiment and DeepMoji runs trained with --pooling attention,
    ensembles and n-gram mixes included): an HTML page with each text's
    words shaded by their attention weights and its top labels with their
    probabilities. Document runs: an HTML page with each document's
    predicted label and its sentences and words shaded by their attention
    weights. Caption runs with attention: a PNG with each input and, under
    it, one strip per generated word that shades the image columns the word
    looked at. Prints a JSON summary.
    """
    from seqkit.models.task import task_for
    from seqkit.runs import load_run

    model = load_run(run)
    summary = task_for(model).explain(
        model,
        run,
        input_file,
        out,
        text_column=text_column,
        limit=limit,
        top_k=top_k,
    )
    click.echo(json.dumps(summary))
