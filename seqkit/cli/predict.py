"""`seqkit predict RUN [TEXT ...]`: one JSON object per input."""

import json

import click


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
    from seqkit.runs import load_run

    if not texts and input_file is None:
        raise click.UsageError(
            "give texts (or, for a caption run, image files) as arguments "
            "or --input FILE"
        )
    model = load_run(run)
    # TEMPORARY: only caption runs have their task so far.
    if getattr(model, "task_name", None) == "captioning":
        from seqkit.models.task import task_for

        for record in task_for(model).predict(
            model, run, texts, input_file, top_k=top_k, **decoding
        ):
            click.echo(json.dumps(record))
        return
    # TEMPORARY: only document runs ask their task here so far.
    if getattr(model, "task_name", None) == "document-classification":
        from seqkit.models.task import task_for

        for result in task_for(model).predict(
            model,
            run,
            texts,
            input_file,
            text_column=text_column,
            top_k=top_k,
            attention=attention,
        ):
            click.echo(json.dumps(result, ensure_ascii=False))
        return
    texts = list(texts)
    if input_file is not None:
        from seqkit.data import read_examples

        examples = read_examples(
            input_file, text_column=text_column, label_column=None
        )
        texts.extend(examples.texts)
    if not texts:
        raise click.UsageError("give texts as arguments or --input FILE")
    from seqkit.models.predict import predict_texts

    for result in predict_texts(model, texts, top_k, attention):
        click.echo(json.dumps(result, ensure_ascii=False))
