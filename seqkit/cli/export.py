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
    help="For calls with a single text, run a text model's network "
    "(after tokenization) compiled by XLA, on ids padded to one of a few "
    "lengths; each new length compiles once, on its first request.",
)
def export(run, base, version, xla):
    """Export a run's model as a SavedModel for TensorFlow Serving.

    The `serving_default` signature takes `text` (raw strings) and returns
    `probabilities`, `label` and, for attention pooling, `attention` and
    `tokens`. Prints a JSON summary of what was written.
    """
    from seqkit.serving.export import export_run

    result = export_run(run, base, version, xla=xla)
    click.echo(json.dumps(result.to_dict(), ensure_ascii=False))
