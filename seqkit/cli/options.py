"""Option sets shared by several commands (click only)."""

import click


def data_options(command):
    """`--train --valid --test --text-column --label-column`."""
    options = [
        click.option(
            "--train",
            type=click.Path(),
            default=None,
            help="Training file (CSV, TSV or JSONL). Default: the "
            "bundled data set and its fixed split.",
        ),
        click.option(
            "--valid",
            type=click.Path(),
            default=None,
            help="Validation file (early stopping, checkpoints).",
        ),
        click.option(
            "--test",
            type=click.Path(),
            default=None,
            help="Held-out test file, scored once at the end.",
        ),
        click.option(
            "--text-column",
            default=None,
            help="Column (or JSON key) of the text [text].",
        ),
        click.option(
            "--label-column",
            default=None,
            help="Column (or JSON key) of the label [label].",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def verbosity(quiet):
    """Keras's progress display: a bar on a terminal, a line otherwise."""
    import sys

    if quiet:
        return 0
    return 1 if sys.stdout.isatty() else 2


def show_progress_log(quiet):
    """Sends seqkit's INFO log (data counts, coverage, members) to stderr."""
    import logging

    if quiet:
        return
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("seqkit: %(message)s"))
    logger = logging.getLogger("seqkit")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)


def metrics_summary(metrics):
    """`n`, `accuracy` and `macro_f1` of the valid and test metrics."""
    return {
        split: {k: metrics[split][k] for k in ("n", "accuracy", "macro_f1")}
        for split in ("valid", "test")
        if split in metrics
    }


def layered_settings(presets, preset, settings_class, config_file, options):
    """Settings from a preset, then a `--config` file, then the options.

    Args:
        presets: name -> settings dict.
        preset: the `--preset` name, or None.
        settings_class: the `Settings` class that reads `config_file`.
        config_file: the `--config` path, or None.
        options: the command-line values by setting name (None: not
            given).

    Returns:
        `(values, given)`: all the settings, and those the user chose (file
        and options).

    Raises:
        click.BadParameter: an unknown preset.
    """
    values = {}
    if preset is not None:
        if preset not in presets:
            raise click.BadParameter(
                f"unknown preset {preset!r}; known: {sorted(presets)}",
                param_hint="--preset",
            )
        values.update(presets[preset])
    given = {}
    if config_file is not None:
        given.update(settings_class.from_file(config_file).to_dict())
    given.update({k: v for k, v in options.items() if v is not None})
    values.update(given)
    return values, given
