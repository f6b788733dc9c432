"""`seqkit pretrained list | pack`: the models that ship with the package."""

import json
from pathlib import Path

import click


@click.group()
def pretrained():
    """The pretrained models that ship with the package (usable wherever a
    command takes RUN, by name)."""


@pretrained.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object.")
def list_command(as_json):
    """List the pretrained models: shipped or not, size, data, scores."""
    from seqkit.pretrained import listing

    rows = listing()
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    for row in rows:
        if row["shipped"]:
            test = row["scores"].get("test", {})
            scores = ", ".join(
                f"test {k} {v:.4f}" for k, v in test.items() if k != "n"
            )
            state = f"{row['megabytes']} MB; {scores or 'no test scores'}"
        else:
            state = "not in this installation; make it with: " + row["command"]
        click.echo(f"{row['name']}: {row['description']}")
        click.echo(f"    data: {row['data']}")
        click.echo(f"    {state}")


@pretrained.command("pack")
@click.argument("run", type=click.Path(file_okay=False))
@click.option("--name", required=True, help="The model's name.")
@click.option(
    "--into",
    type=click.Path(file_okay=False),
    default=None,
    help="Write here instead of the package's folder "
    "(seqkit/pretrained/models/NAME).",
)
def pack_command(run, name, into):
    """Make the shipped folder of a pretrained model from a finished run:
    float16 weights, its vocabulary, settings and metrics, and a card
    (JSON on stdout)."""
    from seqkit.pretrained import CHECK_TEXTS, pack

    check = None
    if (Path(run) / "model.keras").is_file():
        from seqkit.models.predict import predict_outputs
        from seqkit.runs import load_run

        model = load_run(run)
        found = predict_outputs(model, CHECK_TEXTS)["probabilities"]
        check = {
            "texts": list(CHECK_TEXTS),
            "classes": list(model.class_names),
            "probabilities": [
                [round(float(p), 6) for p in row] for row in found
            ],
        }
    card = pack(run, name, into, check=check)
    click.echo(json.dumps(card, indent=2, ensure_ascii=False))
