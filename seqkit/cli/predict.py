"""`seqkit predict RUN [TEXT ...]`: one JSON object per input."""

import json

import click

_NO_TEXTS = "give texts as arguments or --input FILE"


@click.command()
@click.argument("run", type=click.Path())
@click.argument("texts", nargs=-1)
@click.option(
    "--input",
    "input_file",
    type=click.Path(),
    help="A file of texts: one per line (.txt) or a CSV/TSV/JSONL with a "
    "text column. Caption runs: a .npy of inputs, an image, or a CSV/TSV "
    "with an image column.",
)
@click.option("--text-column", default="text", show_default=True)
@click.option(
    "--top-k",
    type=int,
    default=None,
    help="How many [label, p] pairs to list (default: all); caption runs: "
    "sample among the K most probable words.",
)
@click.option(
    "--attention",
    is_flag=True,
    help="Add each token's attention weight (document runs: each "
    "sentence's weight and its words' weights).",
)
@click.option(
    "--decode",
    type=click.Choice(["beam", "greedy", "sample"]),
    default=None,
    help="Caption runs: how to decode [the run's setting, beam].",
)
@click.option("--beam-width", type=int, default=None, help="Caption runs.")
@click.option(
    "--temperature",
    type=float,
    default=1.0,
    show_default=True,
    help="Caption runs, --decode sample.",
)
@click.option("--seed", type=int, default=None, help="Sampling seed.")
@click.option(
    "--image-column",
    default=None,
    help="Caption runs: the column of image paths in a CSV/TSV --input "
    "[the run's, image].",
)
def predict(run, texts, input_file, text_column, top_k, attention, **decoding):
    """Predict labels for raw texts, or captions for images, with a run."""
    from seqkit.models.task import task_for
    from seqkit.runs import load_run

    if not texts and input_file is None:
        raise click.UsageError(
            "give texts (or, for a caption run, image files) as arguments "
            "or --input FILE"
        )
    model = load_run(run)
    results = task_for(model).predict(
        model,
        run,
        texts,
        input_file,
        text_column=text_column,
        top_k=top_k,
        attention=attention,
        **decoding,
    )
    if not results:
        raise click.UsageError(_NO_TEXTS)
    for result in results:
        click.echo(json.dumps(result, ensure_ascii=False))
