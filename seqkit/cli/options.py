"""Option sets shared by several commands (click only)."""

import click


def selection_option(ctx, param, value):
    """Checks `--selection` (see `seqkit.models.selection`)."""
    from seqkit.models.selection import check_selection

    try:
        check_selection(value, "--selection")
    except ValueError as error:
        raise click.BadParameter(str(error), ctx=ctx, param=param) from None
    return value


def data_options(command):
    """`--train --valid --valid-fraction --test --text-column
    --label-column`."""
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
            help="Validation file (early stopping, checkpoints). Without "
            "it, --valid-fraction of --train is held out.",
        ),
        valid_fraction_option(),
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


def valid_fraction_option(
    details="seeded by --seed, stratified by label, texts with the same "
    "tokens on one side",
    unit="examples",
):
    """`--valid-fraction F`: what is held out without `--valid`."""
    return click.option(
        "--valid-fraction",
        type=click.FloatRange(0.0, 1.0, min_open=True, max_open=True),
        default=None,
        help=f"Without --valid: the share of the training {unit} held out "
        f"for validation ({details}; recorded in RUN/data.json) [0.1].",
    )


_MODEL_OPTIONS = [
    click.option(
        "--config",
        "config_file",
        type=click.Path(),
        help="A JSON settings file, e.g. apps/sentiment/config.json.",
    ),
    click.option(
        "--preset",
        default=None,
        help="A named preset (default, tiny, deepmoji, deepmoji-paper); "
        "options given on the command line win.",
    ),
    click.option("--cell", type=click.Choice(["elman", "lstm", "gru"])),
    click.option("--units", type=int, help="Units per direction per layer."),
    click.option("--layers", type=int, help="Stacked recurrent layers."),
    click.option("--bidirectional/--unidirectional", default=None),
    click.option("--skip-connections/--no-skip-connections", default=None),
    click.option(
        "--pooling",
        help="last, mean, max, attention, or several "
        "joined by '+' (e.g. max+mean).",
    ),
    click.option(
        "--embeddings",
        help="glove-6b-50d (needs the glove extra), "
        "a GloVe/word2vec text file, or none.",
    ),
    click.option(
        "--embedding-dim",
        type=int,
        help="Size of word vectors trained from scratch.",
    ),
    click.option("--freeze-embeddings/--train-embeddings", default=None),
    click.option("--dropout", type=float, help="Input dropout of the RNNs."),
    click.option(
        "--recurrent-dropout",
        type=float,
        help="Recurrent dropout (disables the cuDNN kernel).",
    ),
    click.option(
        "--epochs", type=int, help="Most epochs [decided from the data size]."
    ),
    click.option("--batch-size", type=int),
    click.option(
        "--max-length",
        type=int,
        help="Tokens kept per text [decided from the training lengths].",
    ),
    click.option(
        "--keep",
        type=click.Choice(["start", "end", "start+end"]),
        help="Which tokens a text longer than --max-length keeps: its first, "
        "its last, or the first quarter and the last three quarters "
        "[start+end when the training texts are cut, else start].",
    ),
    click.option(
        "--min-count",
        type=int,
        help="Minimum count of a word [decided from the training words].",
    ),
    click.option(
        "--max-vocab",
        type=int,
        help="Most words in the vocabulary [decided from the training words].",
    ),
    click.option(
        "--strip-html/--no-strip-html",
        default=None,
        help="Remove HTML tags and entities before tokenizing [on when the "
        "training texts carry tags such as <br />].",
    ),
    click.option(
        "--ngram/--no-ngram",
        default=None,
        help="Train an n-gram model (TF-IDF, logistic regression) beside the "
        "recurrent members and weigh the two on validation [on].",
    ),
    click.option(
        "--selection",
        callback=selection_option,
        metavar="accuracy|macro_f1|macro_recall|f1:CLASS[,CLASS]",
        help="The validation metric that weighs the n-gram model and sets "
        "the class offsets: accuracy, macro_f1, macro_recall, or "
        "f1:CLASS[,CLASS] (the F1 of those classes, averaged) [accuracy for "
        "two balanced classes, else macro_f1].",
    ),
    click.option("--learning-rate", type=float),
    click.option("--class-weight", type=click.Choice(["none", "balanced"])),
    click.option(
        "--patience",
        type=int,
        help="Epochs without improvement before early stopping [decided "
        "from the data size].",
    ),
    click.option(
        "--monitor",
        type=click.Choice(["val_accuracy", "val_loss", "val_macro_f1"]),
        help="What early stopping and the best epoch watch (val_macro_f1: "
        "the validation macro-F1, computed after each epoch).",
    ),
    click.option("--seed", type=int),
    click.option(
        "--ensemble",
        type=int,
        help="Train N models with different seeds and average them.",
    ),
    click.option(
        "--init-from",
        type=click.Path(),
        default=None,
        help="A language-model run (seqkit pretrain lm): its vocabulary, "
        "word vectors and recurrent layers start the encoder.",
    ),
    click.option(
        "--init-method",
        type=click.Choice(["gradual", "chain-thaw", "full"]),
        default=None,
        help="How an --init-from encoder is fine-tuned [gradual: the head, "
        "then one more layer group at a time from the top].",
    ),
    click.option(
        "--distribute",
        type=click.Choice(["none", "mirrored", "multi-worker"]),
        default="none",
        show_default=True,
        help="tf.distribute strategy: mirrored over local devices, or "
        "multi-worker over the workers in TF_CONFIG (docs/distributed.md).",
    ),
    click.option(
        "--resume", is_flag=True, help="Continue an interrupted run in --out."
    ),
    click.option("--quiet", is_flag=True, help="No progress display."),
    click.option(
        "--out",
        required=True,
        type=click.Path(),
        help="The run folder to write.",
    ),
]


def model_options(command):
    """The settings, run and output options shared by training commands."""
    for option in reversed(_MODEL_OPTIONS):
        command = option(command)
    return command


def verbosity(quiet):
    """Keras's progress display: a bar on a terminal, a line otherwise."""
    import sys

    if quiet:
        return 0
    return 1 if sys.stdout.isatty() else 2


def show_progress_log(quiet):
    """Sends seqkit's INFO log (data counts, coverage, members) to stderr,
    starting with where training runs ("no GPU visible: training on the
    CPU (...)")."""
    import logging

    if quiet:
        return
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("seqkit: %(message)s"))
    logger = logging.getLogger("seqkit")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    from seqkit.environment import training_device_note

    logger.info(training_device_note())


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
