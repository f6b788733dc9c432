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
    from seqkit.runs import load_run

    model = load_run(run)
    # TEMPORARY: only document runs ask their task here so far.
    if getattr(model, "task_name", None) == "document-classification":
        from seqkit.models.task import task_for

        summary = task_for(model).explain(
            model, run, input_file, out, text_column=text_column, limit=limit
        )
        click.echo(json.dumps(summary))
        return
    if not hasattr(model, "decode_step"):
        raise click.UsageError(
            "explain renders document runs (HTML) and caption runs (PNG); "
            "this run is neither"
        )
    if not model.attention:
        raise click.UsageError(
            "this caption run has no attention (trained with --no-attention)"
        )
    if not str(out).lower().endswith(".png"):
        raise click.BadParameter(
            "a caption explanation is a .png file", param_hint="--out"
        )
    from seqkit.training.caption import (
        caption_inputs,
        read_inputs,
        render_attention,
        run_settings,
    )

    config, data = run_settings(run)
    inputs, names = read_inputs(model, [input_file], config["image_column"])
    inputs, names = inputs[:limit], names[:limit]
    captions = [
        found.caption
        for found in caption_inputs(
            model,
            inputs,
            method=config["decode"],
            width=config["beam_width"],
            length_penalty=config["length_penalty"],
            max_tokens=data["max_words"] + 1,
        )
    ]
    path = render_attention(model, inputs, captions, out, names)
    click.echo(
        json.dumps(
            {
                "out": str(path),
                "explained": [
                    {"input": n, "caption": c} for n, c in zip(names, captions)
                ],
            }
        )
    )
