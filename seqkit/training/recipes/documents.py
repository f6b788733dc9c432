"""Training the hierarchical document classifier: `seqkit train documents`.

The documents are split into sentences and words in the graph
(`DocumentVectorizer`); training runs the same network on the word ids
(`DocumentClassifier.ids_model`), in batches of documents of similar
sentence counts padded to the batch's longest document and sentence. Early
stopping keeps the best weights by validation loss; every epoch writes a
resumable checkpoint. The default data set is the Pang & Lee polarity
reviews (fetched, never committed) with their fixed split.
"""

import dataclasses
import logging
import math
import time
from pathlib import Path

import numpy as np

from seqkit.models.documents.explain import predict_documents
from seqkit.models.documents.settings import BUNDLED
from seqkit.runs import prepare_run_folder, write_json_atomic
from seqkit.training.recipes.documents_encoder import (
    copy_word_encoder,
    pretrain_word_encoder,
    source_vectorizer,
)

log = logging.getLogger(__name__)


def read_document_data(config):
    """The labelled splits and their paths (the bundled set by default).

    Without `config.valid`, a `config.valid_fraction` of the training
    documents is held out (`seqkit.training.holdout`).

    Returns:
        `(splits, paths, held)`: `held` records the hold-out, or is None.
    """
    from seqkit.data import bundled_splits, load_splits
    from seqkit.preprocessing.text_vectorizer import make_tokenizer
    from seqkit.training.holdout import hold_out_valid

    if config.train is None:
        if config.valid or config.test:
            raise ValueError(
                "--valid/--test given without --train: pass all three, or "
                "none for the Pang & Lee reviews"
            )
        paths = {k: str(v) for k, v in bundled_splits(BUNDLED).items()}
        columns = ("text", "label")
    else:
        paths = {"train": config.train, "valid": config.valid}
        if config.test is not None:
            paths["test"] = config.test
        columns = (config.text_column, config.label_column)
    splits = load_splits(
        paths["train"],
        paths["valid"],
        paths.get("test"),
        text_column=columns[0],
        label_column=columns[1],
    )
    held = None
    if splits.valid is None:
        tokenizer = make_tokenizer(
            config.tokenizer,
            config.lowercase,
            "NFC" if config.tokenizer == "tweet" else "NFKC",
        )
        splits, held = hold_out_valid(
            splits, config.valid_fraction, config.seed, tokenizer
        )
    return splits, paths, held


def encode_documents(documents, texts, batch_size=64):
    """Raw documents -> a list of `[sentences, words]` id arrays, each
    trimmed to its own longest sentence (at least 1 x 1)."""
    encoded = []
    for first in range(0, len(texts), batch_size):
        chunk = np.array(texts[first : first + batch_size], dtype=object)
        ids = np.asarray(documents(chunk))
        for document in ids:
            real = np.any(document != 0, axis=1)
            sentences = max(1, int(real.sum()))
            columns = np.flatnonzero(np.any(document != 0, axis=0))
            words = int(columns.max()) + 1 if columns.size else 1
            encoded.append(document[:sentences, :words].astype("int32"))
    return encoded


def pad_documents(documents):
    """Pads `[sentences, words]` arrays into one `[n, S, W]` array."""
    sentences = max(d.shape[0] for d in documents)
    words = max(d.shape[1] for d in documents)
    batch = np.zeros((len(documents), sentences, words), dtype="int32")
    for row, document in enumerate(documents):
        batch[row, : document.shape[0], : document.shape[1]] = document
    return batch


def _batches(documents, labels, batch_size, seed):
    """Training batches of documents of similar sentence counts,
    reshuffled every epoch with `(seed, epoch)` (`start_epoch`)."""
    sizes = np.array([d.shape[0] for d in documents])

    class Batches:
        def __init__(self):
            self.epoch = 0
            self.order = self._order(0)

        def _order(self, epoch):
            rng = np.random.default_rng([seed, epoch])
            shuffled = rng.permutation(len(documents))
            # Pools of 8 batches, sorted by length within a pool.
            pool = batch_size * 8
            batches = []
            for first in range(0, len(shuffled), pool):
                part = shuffled[first : first + pool]
                part = part[np.argsort(sizes[part], kind="stable")]
                batches.extend(
                    part[i : i + batch_size]
                    for i in range(0, len(part), batch_size)
                )
            return [batches[i] for i in rng.permutation(len(batches))]

        def start_epoch(self, epoch):
            self.epoch = epoch
            self.order = self._order(epoch)

        def __len__(self):
            return math.ceil(len(documents) / batch_size)

        def __getitem__(self, index):
            rows = self.order[index]
            batch = pad_documents([documents[i] for i in rows])
            return batch, labels[rows].astype("int64")

    return Batches()


def _valid_batches(documents, labels, batch_size=32):
    order = np.argsort([d.shape[0] for d in documents], kind="stable")

    class Batches:
        def __len__(self):
            return math.ceil(len(documents) / batch_size)

        def __getitem__(self, index):
            rows = order[index * batch_size : (index + 1) * batch_size]
            batch = pad_documents([documents[i] for i in rows])
            return batch, labels[rows].astype("int64")

    return Batches()


def build_document_classifier(
    config, vectorizer, class_names, matrix=None, seed=None, name=None
):
    """The `DocumentClassifier` a config describes (`seed`: of its
    dropout, default `config.seed`; `name`: of the model, unique within an
    ensemble)."""
    from seqkit.models import (
        DocumentClassifier,
        HierarchicalEncoder,
        RecurrentBackbone,
    )
    from seqkit.preprocessing import DocumentVectorizer

    seed = config.seed if seed is None else seed

    documents = DocumentVectorizer(
        vectorizer,
        max_sentences=config.max_sentences,
        line_breaks=config.line_breaks,
        require_capital=config.require_capital,
        name="documents",
    )
    words = RecurrentBackbone(
        vectorizer.vocabulary_size(),
        config.embedding_dim,
        cell=config.cell,
        units=config.units,
        num_layers=1,
        bidirectional=True,
        pooling="attention",
        embedding_dropout=config.embedding_dropout,
        dropout=config.dropout,
        embedding_trainable=not config.freeze_embeddings,
        embedding_matrix=matrix,
        seed=seed,
        name="word_encoder",
    )
    encoder = HierarchicalEncoder(
        words,
        cell=config.cell,
        units=config.sentence_units,
        dropout=config.sentence_dropout,
        seed=seed,
        name="encoder",
    )
    return DocumentClassifier(
        encoder,
        documents,
        class_names,
        head_dropout=config.head_dropout,
        seed=seed,
        name=name or "document_classifier",
    )


def _fit_member(classifier, encoded, config, seed, folder, resume, verbose):
    """Trains one classifier on the encoded documents; best weights kept."""
    import keras

    from seqkit.data.pipelines import batches_dataset
    from seqkit.training.fit import fit

    model = classifier.ids_model()
    model.compile(
        optimizer=keras.optimizers.Adam(config.learning_rate, clipnorm=5.0),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    batches = _batches(*encoded["train"], config.batch_size, seed)
    model(pad_documents(encoded["train"][0][:2]))  # builds the weights
    return fit(
        model,
        batches_dataset(batches, 3),
        batches_dataset(_valid_batches(*encoded["valid"]), 3),
        epochs=config.epochs,
        patience=config.patience,
        checkpoints=folder / "checkpoints",
        resume=resume,
        verbose=verbose,
        logs=folder / "logs",
        on_epoch_begin=batches.start_epoch,
    )


def _member_metrics(member, splits, encoded, class_names):
    """Accuracy of one ensemble member on the valid and test splits."""
    found = {}
    for name, split in splits.items():
        if name == "train":
            continue
        probabilities, _ = predict_documents(member, split.texts)
        labels = encoded[name][1]
        found[name] = round(
            float((probabilities.argmax(1) == labels).mean()), 4
        )
    return found


@dataclasses.dataclass
class _WordInputs:
    """The vectorizer and where the word encoder starts.

    Attributes:
        vectorizer: the `TextVectorizer` of the word ids.
        matrix: initial word vectors, or None.
        coverage: the `Coverage` of those vectors, or None.
        source: a sentiment or DeepMoji run to copy the encoder from, or
            None.
        pretraining: the report of the sentence pretraining, or None.
    """

    vectorizer: object
    matrix: object
    coverage: object
    source: object
    pretraining: dict


def _word_inputs(config, splits, out, resume, verbose):
    """The vectorizer and the word encoder's start (pretrained first on
    `config.sentence_set`, copied from `config.init_from`, or word vectors),
    a `_WordInputs`."""
    from seqkit.training.recipes.sentiment import prepare_inputs

    coverage = None
    source, pretraining = config.init_from, None
    if config.sentence_set is not None:
        source, pretraining = pretrain_word_encoder(
            config, splits, out, resume, verbose
        )
    if source:
        vectorizer, matrix = source_vectorizer(source, config.max_words), None
    else:
        vectorizer, matrix, coverage = prepare_inputs(config, splits)
    return _WordInputs(vectorizer, matrix, coverage, source, pretraining)


def _log_splits(splits, paths):
    for name, split in splits.items():
        log.info(
            "%s: %d documents from %s (%d rows skipped)",
            name,
            len(split),
            paths[name] or f"{paths['train']} (held out)",
            len(split.skipped),
        )


def _count_truncated(documents, splits, config):
    """What the `DocumentVectorizer` cuts of each split (logged)."""
    truncated = {
        name: documents.count_truncated(split.texts)
        for name, split in splits.items()
    }
    for name, counts in truncated.items():
        log.info(
            "%s: %d documents cut to %d sentences (%d sentences dropped); "
            "%d sentences cut to %d words (%d words dropped)",
            name,
            counts["documents"],
            config.max_sentences,
            counts["sentences_cut"],
            counts["sentences"],
            config.max_words,
            counts["words_cut"],
        )
    return truncated


def _encode_splits(documents, splits, class_names):
    """Each split's `(encoded documents, label ids)`."""
    index = {name: i for i, name in enumerate(class_names)}
    return {
        name: (
            encode_documents(documents, split.texts),
            np.array([index[y] for y in split.labels]),
        )
        for name, split in splits.items()
    }


def _train_members(config, words, class_names, encoded, out, resume, verbose):
    """Builds and trains the `config.ensemble` members (seeds `config.seed`,
    `config.seed + 1`, ...; members past one in `out/members/<i>/`).

    Returns:
        `(members, fit states, histories, transfer report or None)`.
    """
    import keras

    members, states, histories, transfer = [], [], [], None
    for member in range(config.ensemble):
        seed = config.seed + member
        if config.ensemble > 1:
            log.info(
                "member %d of %d (seed %d)", member + 1, config.ensemble, seed
            )
        keras.utils.set_random_seed(seed)
        classifier = build_document_classifier(
            config,
            words.vectorizer,
            class_names,
            words.matrix,
            seed,
            name=None if config.ensemble == 1 else f"member_{member}",
        )
        if words.source:
            transfer = copy_word_encoder(classifier, words.source)
            if words.pretraining is not None:
                transfer.update(words.pretraining)
            if member == 0:
                log.info("word encoder from %s: %s", words.source, transfer)
        folder = out if config.ensemble == 1 else out / "members" / str(member)
        folder.mkdir(parents=True, exist_ok=True)
        state, history = _fit_member(
            classifier, encoded, config, seed, folder, resume, verbose
        )
        members.append(classifier)
        states.append(state)
        histories.append(history)
    return members, states, histories, transfer


def _split_metrics(classifier, splits, encoded, class_names):
    """The classification metrics of the valid and test splits."""
    from seqkit.models.metrics import classification_metrics

    metrics = {}
    for name, split in splits.items():
        if name == "train":
            continue
        probabilities, _ = predict_documents(classifier, split.texts)
        metrics[name] = classification_metrics(
            encoded[name][1], probabilities, class_names
        )
    return metrics


def train_document_classifier(config, out, resume=False, verbose=1):
    """Trains a hierarchical document classifier into the run folder.

    Args:
        config: a `DocumentConfig`.
        out: the run folder (created; must be empty unless `resume`).
        resume: continue an interrupted run from its last checkpoint.
        verbose: Keras progress display (0 silent, 1 bar, 2 a line an
            epoch).

    Returns:
        The metrics dict also written to `out/metrics.json`.

    Raises:
        ValueError: bad data or settings, a non-empty `out` without
            `resume`, or `resume` of a finished or absent run.
    """
    import keras

    out = Path(out)
    prepare_run_folder(out, config, resume)
    keras.utils.set_random_seed(config.seed)
    started = time.time()
    splits, paths, held = read_document_data(config)
    class_names = splits.label_names
    _log_splits(splits, paths)
    words = _word_inputs(config, splits, out, resume, verbose)
    documents = build_document_classifier(
        config, words.vectorizer, class_names, words.matrix
    ).documents
    truncated = _count_truncated(documents, splits, config)
    encoded = _encode_splits(documents, splits, class_names)
    members, states, histories, transfer = _train_members(
        config, words, class_names, encoded, out, resume, verbose
    )
    if config.ensemble == 1:
        classifier = members[0]
    else:
        from seqkit.models import EnsembleClassifier

        classifier = EnsembleClassifier(members, name="document_ensemble")
    mixing = None
    if config.ngram:
        from seqkit.training.ngram import mix_with_ngram

        classifier, mixing = mix_with_ngram(
            classifier,
            words.vectorizer.tokenizer,
            splits,
            {name: encoded[name][1] for name in ("train", "valid")},
            config.selection,
            config.seed,
        )
    classifier.save(out / "model.keras")
    metrics = _split_metrics(classifier, splits, encoded, class_names)
    if mixing is not None:
        metrics["ngram"] = mixing
    metrics["train_seconds"] = round(time.time() - started, 1)
    metrics["best_epoch"] = [state["best_epoch"] for state in states]
    if config.ensemble > 1:
        metrics["members"] = [
            _member_metrics(member, splits, encoded, class_names)
            for member in members
        ]
    write_json_atomic(out / "metrics.json", metrics)
    write_json_atomic(
        out / "history.json",
        histories[0] if len(histories) == 1 else {"members": histories},
    )
    info = {
        "data": paths,
        "classes": class_names,
        "truncated": truncated,
        "skipped_rows": {name: len(s.skipped) for name, s in splits.items()},
        "vocabulary_size": words.vectorizer.vocabulary_size(),
    }
    if words.coverage is not None:
        info["embedding_coverage"] = words.coverage.to_dict()
    if transfer is not None:
        info["init_from"] = transfer
    if held is not None:
        info["valid_held_out"] = held
    write_json_atomic(out / "data.json", info)
    return metrics
