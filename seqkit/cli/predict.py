"""`seqkit predict RUN [TEXT ...]`: one JSON object per input text."""

import json

import click


@click.command()
@click.argument("run", type=click.Path())
@click.argument("texts", nargs=-1)
@click.option(
    "--input",
    "input_file",
    type=click.Path(),
    help="A file of texts: one per line (.txt) or a CSV/TSV/"
    "JSONL with a text column.",
)
@click.option("--text-column", default="text", show_default=True)
@click.option(
    "--top-k",
    type=int,
    default=None,
    help="How many [label, p] pairs to list (default: all).",
)
@click.option(
    "--attention", is_flag=True, help="Add each token's attention weight."
)
def predict(run, texts, input_file, text_column, top_k, attention):
    """Predict labels for raw texts with a run's model."""
    from seqkit.training.runs import load_run, predict_texts

    texts = list(texts)
    if input_file is not None:
        from seqkit.data import read_examples

        examples = read_examples(
            input_file, text_column=text_column, label_column=None
        )
        texts.extend(examples.texts)
    if not texts:
        raise click.UsageError("give texts as arguments or --input FILE")
    model = load_run(run)
    for result in predict_texts(model, texts, top_k, attention):
        click.echo(json.dumps(result, ensure_ascii=False))
