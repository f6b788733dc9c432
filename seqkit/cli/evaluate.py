"""`seqkit evaluate RUN --data FILE`: metrics as one JSON object."""

import json

import click


@click.command()
@click.argument("run", type=click.Path())
@click.option(
    "--data",
    required=True,
    type=click.Path(),
    help="A labelled CSV, TSV or JSONL file; caption runs: a CSV/TSV of "
    "image paths and captions.",
)
@click.option("--text-column", default="text", show_default=True)
@click.option("--label-column", default="label", show_default=True)
@click.option(
    "--image-column",
    default="image",
    show_default=True,
    help="Caption runs: the column of image paths.",
)
@click.option(
    "--caption-column",
    default="caption",
    show_default=True,
    help="Caption runs: the column of true captions.",
)
def evaluate(
    run, data, text_column, label_column, image_column, caption_column
):
    """Score a run's model on a labelled file (JSON on stdout)."""
    from seqkit.models.task import task_for
    from seqkit.runs import load_run

    model = load_run(run)
    metrics = task_for(model).evaluate(
        model,
        run,
        data,
        text_column=text_column,
        label_column=label_column,
        image_column=image_column,
        caption_column=caption_column,
    )
    click.echo(json.dumps(metrics))
