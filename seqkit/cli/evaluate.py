"""`seqkit evaluate RUN --data FILE [--metric M ...]`: metrics as one JSON
object."""

import json

import click


def metric_option(ctx, param, values):
    """Checks each `--metric` (see `seqkit.models.selection`)."""
    from seqkit.models.selection import check_selection

    for value in values:
        try:
            check_selection(value, "--metric")
        except ValueError as error:
            raise click.BadParameter(str(error), ctx=ctx, param=param) from None
    return values


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
@click.option(
    "--metric",
    "metrics",
    multiple=True,
    callback=metric_option,
    metavar="accuracy|macro_f1|macro_recall|f1:CLASS[,CLASS]",
    help="Classifier runs: also report this metric, under its own "
    "spelling as the key (repeatable): macro_recall is the recall of each "
    "class averaged; f1:CLASS the F1 of one class, f1:A,B the F1 of those "
    "classes averaged (TweetEval irony: f1:irony; stance: f1:against,favor).",
)
def evaluate(
    run,
    data,
    text_column,
    label_column,
    image_column,
    caption_column,
    metrics,
):
    """Score a run's model on a labelled file (JSON on stdout).

    Classifier runs report accuracy, macro-F1, per-class scores and the
    confusion matrix, plus each `--metric` asked for; caption runs report
    BLEU and exact match.
    """
    from seqkit.models.task import task_for
    from seqkit.runs import load_run

    model = load_run(run)
    options = {"metrics": metrics} if metrics else {}
    result = task_for(model).evaluate(
        model,
        run,
        data,
        text_column=text_column,
        label_column=label_column,
        image_column=image_column,
        caption_column=caption_column,
        **options,
    )
    click.echo(json.dumps(result))
