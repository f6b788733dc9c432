"""`seqkit encode RUN --input FILE --output F.npy`: feature vectors."""

import json

import click


@click.command()
@click.argument("run", type=click.Path())
@click.option(
    "--input",
    "input_file",
    required=True,
    type=click.Path(),
    help="Texts: one per line (.txt) or a CSV/TSV/JSONL with a text column.",
)
@click.option("--text-column", default="text", show_default=True)
@click.option(
    "--output",
    required=True,
    type=click.Path(dir_okay=False),
    help="The .npy file to write: one row of features per text.",
)
def encode(run, input_file, text_column, output):
    """Write the encoder's pooled feature vector of each text to a .npy.

    For a DeepMoji run this is the attention-pooled vector the softmax
    reads. Prints a JSON summary (rows, features, skipped rows).
    """
    import numpy as np

    from seqkit.data import read_examples
    from seqkit.models.predict import encode_texts
    from seqkit.runs import load_run

    examples = read_examples(
        input_file, text_column=text_column, label_column=None
    )
    features = encode_texts(load_run(run), examples.texts)
    np.save(output, features)
    click.echo(
        json.dumps(
            {
                "output": output,
                "rows": int(features.shape[0]),
                "features": int(features.shape[1]),
                "skipped": len(examples.skipped),
            }
        )
    )
