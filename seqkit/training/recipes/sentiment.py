"""Training a text classifier end to end: data -> run folder.

`train_text_classifier(config, out)` reads the data, builds the vocabulary
and word vectors, trains (with length-bucketed batches, resumable
checkpoints, early stopping on the best validation score and TensorBoard
logs), evaluates on the held-out splits and writes the run folder of
DESIGN section 3.
"""

import json
import logging
import time
from pathlib import Path

import numpy as np

from seqkit.models.sentiment import build_classifier
from seqkit.runs import Stopwatch, prepare_run_folder, write_json_atomic
from seqkit.training.ensemble import train_members

log = logging.getLogger(__name__)

BUNDLED = "rt-snippets"


def _read_data(config):
    from seqkit.data import bundled_splits, load_splits

    paths = {"train": config.train, "valid": config.valid, "test": config.test}
    if config.train is None:
        if config.valid or config.test:
            raise ValueError(
                "--valid/--test given without --train: pass all three, or "
                "none for the bundled data set"
            )
        if (config.text_column, config.label_column) != ("text", "label"):
            raise ValueError(
                "--text-column/--label-column name the columns of your "
                "files: give --train, --valid and --test with them"
            )
        paths = {k: str(v) for k, v in bundled_splits(BUNDLED).items()}
        text_column, label_column = "text", "label"
    else:
        text_column, label_column = config.text_column, config.label_column
    splits = load_splits(
        paths["train"],
        paths["valid"],
        paths["test"],
        text_column=text_column,
        label_column=label_column,
    )
    return splits, paths


def _word_vectors(config, vocabulary):
    from seqkit.preprocessing import load_glove_6b_50d, load_word_vectors

    if not config.embeddings or config.embeddings == "none":
        return None
    # Extending the vocabulary needs every vector, not only the training
    # words' ones.
    keep = None if config.pretrained_words else vocabulary
    if config.embeddings == "glove-6b-50d":
        return load_glove_6b_50d(vocabulary=keep)
    return load_word_vectors(config.embeddings, vocabulary=keep)


def extend_vocabulary(vocabulary, vectors, count):
    """Adds the first `count` words of `vectors` that training lacked.

    Words seen only at prediction time then keep their pretrained vector
    instead of becoming the unknown id (about 5% of the test tokens of the
    bundled data, 78% of them in GloVe). Vector files list words most
    frequent first, so the first rows are the useful ones.
    """
    from seqkit.preprocessing import Vocabulary

    known = set(vocabulary.words)
    extra = [
        word
        for word in vectors.words[:count]
        if word not in known and word.strip() == word and word
    ]
    return Vocabulary(
        [*vocabulary.words, *extra],
        counts=vocabulary.counts,
        unknown_count=vocabulary.unknown_count,
    )


def prepare_inputs(config, splits):
    """Vocabulary, vectorizer, word vectors and class indices of a run.

    Settings `config` leaves to the data are decided first
    (`adapt_to_data`).
    """
    from seqkit.models.sentiment.adapt import ADAPTIVE
    from seqkit.preprocessing import (
        TextVectorizer,
        Vocabulary,
        embedding_matrix,
    )
    from seqkit.preprocessing.text_vectorizer import make_tokenizer

    # Only settings with every adaptive field (a `SentimentConfig`) are
    # adapted; a document run's `selection` None is the n-gram side's.
    adaptable = all(hasattr(config, name) for name in ADAPTIVE)
    if adaptable and any(getattr(config, name) is None for name in ADAPTIVE):
        config = adapt_to_data(config, splits)
    strip = bool(getattr(config, "strip_html", False))
    # Tweets keep NFC: NFKC would rewrite some symbols and emoji.
    normalization = "NFC" if config.tokenizer == "tweet" else "NFKC"
    tokenizer = make_tokenizer(
        config.tokenizer, config.lowercase, normalization, strip_markup=strip
    )
    vocabulary = Vocabulary.from_texts(
        splits.train.texts,
        tokenizer=tokenizer,
        min_count=config.min_count,
        max_size=config.max_vocab,
    )
    vectors = _word_vectors(config, vocabulary)
    matrix, coverage = None, None
    if vectors is not None and config.pretrained_words:
        vocabulary = extend_vocabulary(
            vocabulary, vectors, config.pretrained_words
        )
        log.info(
            "vocabulary: %d words (with words of the vectors)",
            len(vocabulary.words),
        )
    if vectors is not None:
        matrix, coverage = embedding_matrix(
            vocabulary, vectors, seed=config.seed
        )
        log.info(
            "word vectors cover %.1f%% of the %d words, %.1f%% of the "
            "training tokens",
            100 * coverage.type_fraction,
            coverage.vocabulary_size,
            100 * (coverage.token_fraction or 0),
        )
    vectorizer = TextVectorizer(
        vocabulary,
        max_length=config.max_length,
        keep=getattr(config, "keep", None) or "start",
        lowercase=config.lowercase,
        normalization=normalization,
        tokenizer=config.tokenizer,
        strip_markup=strip,
        name="vectorizer",
    )
    return vectorizer, matrix, coverage


def encode(vectorizer, texts, batch_size=1024):
    """Texts -> a list of id arrays (truncated at `max_length`, unpadded)."""
    from seqkit.data.pipelines import trim_padding

    sequences = []
    for start in range(0, len(texts), batch_size):
        chunk = np.array(texts[start : start + batch_size], dtype=object)
        ids = np.asarray(vectorizer(chunk))
        sequences.extend(trim_padding(ids))
    return sequences


def train_text_classifier(
    config, out, resume=False, verbose=1, distribute="none"
):
    """Trains a text classifier and writes the run folder `out`.

    It stays whole: it is the recipe's table of contents (folder, data,
    inputs, members, metrics, files), each step one call.

    Args:
        config: a `SentimentConfig`.
        out: the run folder (created; must be empty unless `resume`).
        resume: continue an interrupted run from its last checkpoint.
        verbose: Keras progress display (0 silent, 1 bar, 2 a line an epoch).
        distribute: `"none"`, `"mirrored"` or `"multi-worker"` (see
            `seqkit.training.distribute`). A multi-worker run resumes by
            itself when `out` holds its unfinished run, as a restarted
            worker must; only the chief (worker 0) writes `out`, which
            must be a folder all workers share.

    Returns:
        The metrics dict also written to `out/metrics.json` (for a worker
        other than the chief: `{"worker": index}`).

    Raises:
        ValueError: bad data or settings, a non-empty `out` without
            `resume`, or `resume` of a finished or absent run.
    """
    import keras

    out = Path(out)
    distribution = None
    if distribute != "none":
        from seqkit.training.distribute import make_strategy

        distribution = make_strategy(distribute)
    started = time.time()
    watch = Stopwatch()
    # Validation examples are held out before the data decides any
    # setting, so the decisions see only the training examples.
    with watch.step("data"):
        splits, paths, held = _read_checked(config)
        config = adapt_to_data(config, splits)
    if distribute == "multi-worker":
        resume = resume or _unfinished(out, config)
    chief = distribution is None or distribution[1].is_chief
    if chief:
        prepare_run_folder(out, config, resume)
    keras.utils.set_random_seed(config.seed)
    class_names = splits.label_names
    lm = coverage = None
    with watch.step("inputs"):
        if config.init_from:
            from seqkit.models.lm.transfer import lm_inputs

            vectorizer, matrix, lm = lm_inputs(config)
        else:
            vectorizer, matrix, coverage = prepare_inputs(config, splits)
        encoded = _encode_splits(vectorizer, splits, class_names)

    def build(settings, seed, name):
        return build_classifier(
            settings, vectorizer, class_names, matrix, seed=seed, name=name
        )

    with watch.step("training"):
        classifier, histories = train_members(
            config,
            build,
            (*encoded["train"], *encoded["valid"]),
            out,
            resume,
            verbose,
            distribution,
            lm,
        )
    if not chief:
        return {"worker": distribution[1].index}
    mixing = None
    if config.ngram:
        from seqkit.training.ngram import mix_with_ngram

        with watch.step("ngram"):
            classifier, mixing = mix_with_ngram(
                classifier,
                vectorizer.tokenizer,
                splits,
                {name: encoded[name][1] for name in ("train", "valid")},
                config.selection,
                config.seed,
            )
    with watch.step("save"):
        classifier.save(out / "model.keras")
    if distribution is not None:
        # A model built under a strategy predicts through it (all workers
        # at once); the saved copy predicts here alone.
        from seqkit.runs import load_run

        classifier = load_run(out)

    with watch.step("evaluate"):
        metrics = _held_out_metrics(classifier, splits, encoded, class_names)
    if mixing is not None:
        metrics["ngram"] = mixing
    metrics["train_seconds"] = round(time.time() - started, 1)
    # Where the time went; "training" is every member's epochs, with the
    # tracing of the train step (`Stopwatch`).
    metrics["seconds"] = watch.report()
    log.info("finished in %s", watch.summary())
    write_json_atomic(out / "metrics.json", metrics)
    write_json_atomic(
        out / "history.json",
        histories[0] if len(histories) == 1 else {"members": histories},
    )
    info = _data_info(splits, paths, vectorizer, coverage)
    if held is not None:
        info["valid_held_out"] = held
    if lm is not None:
        info["init_from"] = {
            "run": config.init_from,
            "method": config.init_method,
            **classifier_transfer(classifier),
        }
    write_json_atomic(out / "data.json", info)
    return metrics


def adapt_to_data(config, splits):
    """`config` with the settings it leaves to the data decided
    (`seqkit.models.sentiment.adapt`); logs each choice and its reason."""
    from seqkit.models.sentiment.adapt import adapt_settings
    from seqkit.preprocessing.text_vectorizer import make_tokenizer

    normalization = "NFC" if config.tokenizer == "tweet" else "NFKC"

    def tokenizer_for(strip):
        return make_tokenizer(
            config.tokenizer,
            config.lowercase,
            normalization,
            strip_markup=strip,
        )

    config, reasons = adapt_settings(
        config, splits.train.texts, splits.train.labels, tokenizer_for
    )
    for name, reason in reasons.items():
        log.info("%s = %s: %s", name, getattr(config, name), reason)
    return config


def _encode_splits(vectorizer, splits, class_names):
    """Each split's `(id arrays, label indices)`, by split name."""
    index = {name: i for i, name in enumerate(class_names)}
    encoded = {}
    for name, split in splits.items():
        encoded[name] = (
            encode(vectorizer, split.texts),
            np.array([index[y] for y in split.labels]),
        )
    return encoded


def key_tokenizer(config):
    """The tokenizer whose tokens group near-identical texts when
    validation examples are held out: the run's, before the data decides
    `strip_html` (markup is stripped unless the settings say not to)."""
    from seqkit.preprocessing.text_vectorizer import make_tokenizer

    return make_tokenizer(
        config.tokenizer,
        config.lowercase,
        "NFC" if config.tokenizer == "tweet" else "NFKC",
        strip_markup=config.strip_html is not False,
    )


def _read_checked(config):
    """`_read_data`, with validation examples held out of the training
    set when no validation file is given; logs counts.

    Returns:
        `(splits, paths, held)`: `held` is the `hold_out_valid` record, or
        None when validation data came from a file.
    """
    from seqkit.training.holdout import hold_out_valid

    splits, paths = _read_data(config)
    held = None
    if splits.valid is None:
        splits, held = hold_out_valid(
            splits,
            config.valid_fraction,
            config.seed,
            key_tokenizer(config),
        )
    for name, split in splits.items():
        log.info(
            "%s: %d examples from %s (%d rows skipped)",
            name,
            len(split),
            paths[name] or f"{paths['train']} (held out)",
            len(split.skipped),
        )
    log.info("classes: %s", ", ".join(splits.label_names))
    return splits, paths, held


def _held_out_metrics(classifier, splits, encoded, class_names):
    """The `classification_metrics` of every split but `train`."""
    from seqkit.models.metrics import classification_metrics
    from seqkit.models.predict import predict_outputs

    metrics = {}
    for name, split in splits.items():
        if name == "train":
            continue
        probabilities = predict_outputs(classifier, split.texts)[
            "probabilities"
        ]
        metrics[name] = classification_metrics(
            encoded[name][1], probabilities, class_names
        )
    return metrics


def _data_info(splits, paths, vectorizer, coverage):
    """What `data.json` says about the data: files, classes, truncation."""
    info = {
        "data": paths,
        "classes": splits.label_names,
        "truncated": {
            name: vectorizer.count_truncated(s.texts)
            for name, s in splits.items()
        },
        "skipped_rows": {name: len(s.skipped) for name, s in splits.items()},
    }
    if coverage is not None:
        info["embedding_coverage"] = coverage.to_dict()
    return info


def classifier_transfer(classifier):
    """What each member took from the language model (`copy_lm_weights`)."""
    members = getattr(classifier, "members", [classifier])
    reports = [member.lm_transfer for member in members]
    return reports[0] if len(reports) == 1 else {"members": reports}


def _unfinished(out, config):
    """Whether `out` holds an unfinished run with these settings."""
    path = out / "config.json"
    if not path.exists() or (out / "metrics.json").exists():
        return False
    with open(path, encoding="utf-8") as handle:
        if json.load(handle) != config.to_dict():
            return False
    log.info("resuming the unfinished run in %s", out)
    return True
