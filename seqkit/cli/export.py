"""`seqkit export RUN --out BASE [--version N]`: a TF Serving SavedModel."""

import json

import click


@click.command()
@click.argument("run", type=click.Path())
@click.option(
    "--out",
    "base",
    required=True,
    type=click.Path(),
    help="The model's base folder; the export goes to BASE/VERSION.",
)
@click.option(
    "--version",
    type=click.IntRange(min=1),
    default=None,
    help="Version number (default: one more than the highest in BASE).",
)
@click.option(
    "--xla/--no-xla",
    default=True,
    show_default=True,
    help="Run a text model's network (after tokenization) compiled by "
    "XLA: one recurrent layer read by max and/or mean pooling runs as "
    "compiled loops for every call, other models compiled for single "
    "texts. Each shape compiles once; `seqkit serve` compiles them at load.",
)
@click.option(
    "--fold/--no-fold",
    default=True,
    show_default=True,
    help="With XLA, compiled loops read each step's input projection from "
    "a table of every word's, filled from the weights on the first call: "
    "faster, for vocabulary x gates x units floats of server memory per "
    "direction (xla.folded_input_bytes in assets.extra/seqkit.json).",
)
def export(run, base, version, xla, fold):
    """Export a run's model as a SavedModel for TensorFlow Serving.

    The `serving_default` signature takes `text` (raw strings) and returns
    `probabilities`, `label` and, for attention pooling, `attention` and
    `tokens`. Prints a JSON summary of what was written.
    """
    from seqkit.serving.export import export_run

    result = export_run(run, base, version, xla=xla, fold=fold)
    click.echo(json.dumps(result.to_dict(), ensure_ascii=False))
