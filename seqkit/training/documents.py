"""Training the hierarchical document classifier: `seqkit train documents`.

The documents are split into sentences and words in the graph
(`DocumentVectorizer`); training runs the same network on the word ids
(`DocumentClassifier.ids_model`), in batches of documents of similar
sentence counts padded to the batch's longest document and sentence. Early
stopping keeps the best weights by validation loss; every epoch writes a
resumable checkpoint. The default data set is the Pang & Lee polarity
reviews (fetched, never committed) with their fixed split.
"""

import csv
import dataclasses
import json
import logging
import math
import re
import time
from pathlib import Path

import numpy as np

from seqkit.models.settings import Settings
from seqkit.runs import write_json_atomic
from seqkit.training.recipes.sentiment import prepare_run_folder

log = logging.getLogger(__name__)

BUNDLED = "pang-lee-reviews"


@dataclasses.dataclass
class DocumentConfig(Settings):
    """Every setting of a document run; written to `RUN/config.json`.

    Without `train`, the run uses the Pang & Lee reviews and their fixed
    split (`seqkit data prepare pang-lee-reviews`).
    """

    train: str = None
    valid: str = None
    test: str = None
    text_column: str = "text"
    label_column: str = "label"
    max_sentences: int = 50
    max_words: int = 50
    line_breaks: bool = True
    require_capital: bool = True
    tokenizer: str = "word"
    lowercase: bool = True
    min_count: int = 2
    max_vocab: int = 30000
    embeddings: str = "glove-6b-50d"
    pretrained_words: int = 0
    embedding_dim: int = 50
    freeze_embeddings: bool = False
    cell: str = "gru"
    units: int = 50
    sentence_units: int = 50
    embedding_dropout: float = 0.0
    dropout: float = 0.2
    sentence_dropout: float = 0.2
    head_dropout: float = 0.3
    epochs: int = 15
    batch_size: int = 16
    learning_rate: float = 0.001
    patience: int = 4
    seed: int = 1337
    ensemble: int = 3
    init_from: str = None
    pretrain_sentences: str = "auto"

    def validate(self, source="config"):
        self.check_positive(
            [
                "max_sentences",
                "max_words",
                "min_count",
                "max_vocab",
                "embedding_dim",
                "units",
                "sentence_units",
                "epochs",
                "batch_size",
                "patience",
                "ensemble",
            ],
            source,
        )
        self.check_rates(
            [
                "embedding_dropout",
                "dropout",
                "sentence_dropout",
                "head_dropout",
            ],
            source,
        )
        self.check_choice("cell", ("gru", "lstm", "elman"), source)
        self.check_choice("tokenizer", ("word", "tweet"), source)
        self.check_choice(
            "pretrain_sentences", ("auto", *SENTENCE_SETS, "none"), source
        )
        if self.init_from and self.pretrain_sentences not in ("auto", "none"):
            raise ValueError(
                f"{source}: init_from and pretrain_sentences both start the "
                "word encoder: give one of them"
            )
        if not self.learning_rate > 0:
            raise ValueError(f"{source}: learning_rate must be positive")

    @property
    def sentence_set(self):
        """The sentence data the word encoder is pretrained on, or None.

        `auto` pretrains on the Rotten Tomatoes snippets for the bundled
        reviews (when no `init_from` is given), and not for the user's own
        documents, whose domain and labels may differ.
        """
        if self.pretrain_sentences == "auto":
            if self.train is None and not self.init_from:
                return "rt-snippets"
            return None
        return (
            None
            if self.pretrain_sentences == "none"
            else (self.pretrain_sentences)
        )

    @property
    def max_length(self):
        """The words kept per sentence (`prepare_inputs` reads this)."""
        return self.max_words


PRESETS = {
    "default": {},
    "tiny": {
        "embeddings": None,
        "embedding_dim": 8,
        "units": 6,
        "sentence_units": 6,
        "min_count": 1,
        "epochs": 2,
        "batch_size": 8,
        "ensemble": 1,
    },
}

# Labelled sentence sets the word encoder can be pretrained on.
SENTENCE_SETS = ("rt-snippets",)

# The settings a source run (`init_from`) fixes for the word encoder.
WORD_ENCODER_FIXED = ("cell", "units", "embedding_dim", "tokenizer")


def read_document_data(config):
    """The labelled splits and their paths (the bundled set by default)."""
    from seqkit.data import bundled_splits, load_splits

    if config.train is None:
        if config.valid or config.test:
            raise ValueError(
                "--valid/--test given without --train: pass all three, or "
                "none for the Pang & Lee reviews"
            )
        paths = {k: str(v) for k, v in bundled_splits(BUNDLED).items()}
        columns = ("text", "label")
    else:
        if config.valid is None:
            raise ValueError(
                "a validation file is needed (--valid): early stopping and "
                "the checkpoint choice use it"
            )
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
    return splits, paths


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


def source_settings(run):
    """The word-encoder settings of a sentiment or DeepMoji run.

    Raises:
        ValueError: the run is missing, or its encoder cannot be a word
            encoder (it must be one bidirectional layer with attention).
    """
    path = Path(run) / "config.json"
    if not path.is_file() or not (Path(run) / "model.keras").is_file():
        raise ValueError(
            f"--init-from {run}: not a finished run (config.json and "
            "model.keras are needed)"
        )
    with open(path, encoding="utf-8") as handle:
        source = json.load(handle)
    needed = {"layers": 1, "bidirectional": True}
    for key, value in needed.items():
        if source.get(key) != value:
            raise ValueError(
                f"--init-from {run}: its encoder has {key}="
                f"{source.get(key)!r}; a word encoder needs {key}={value!r}"
            )
    if source.get("skip_connections"):
        raise ValueError(
            f"--init-from {run}: its encoder uses skip connections; a word "
            "encoder needs skip_connections=false"
        )
    return source


def merge_source_settings(values, given, run):
    """Takes the word-encoder settings from the source run; refuses an
    explicit setting that disagrees (`given`: what the user set)."""
    source = source_settings(run)
    for key in WORD_ENCODER_FIXED:
        if key in given and given[key] != source[key]:
            raise ValueError(
                f"--init-from {run} fixes {key}={source[key]!r}; the "
                f"options ask for {given[key]!r}"
            )
        values[key] = source[key]
    values["lowercase"] = source.get("lowercase", True)
    values["init_from"] = str(run)
    return values


def copy_word_encoder(classifier, run):
    """Copies a sentiment or DeepMoji run's encoder into the word encoder.

    The source's vocabulary is the document model's (the vectorizer comes
    from the source run, see `source_vectorizer`); the embedding, the
    recurrent layer and the attention are copied. An ensemble gives its
    first member.

    Returns:
        A dict: the source run, what was copied and from which member.
    """
    from seqkit.runs import load_run

    source = load_run(run)
    members = getattr(source, "members", [source])
    backbone = members[0].backbone
    target = classifier.encoder.word_encoder
    copied = []
    source_groups = dict(backbone.layer_groups())
    for name, layers in target.layer_groups():
        if name not in source_groups:
            continue
        for mine, theirs in zip(layers, source_groups[name]):
            mine.set_weights(theirs.get_weights())
        copied.append(name)
    # The word attention is new when the source pools otherwise; the
    # embedding and the recurrent layer must come across.
    missing = [
        name
        for name, _ in target.layer_groups()
        if name not in copied and name != "attention"
    ]
    if missing:
        raise ValueError(
            f"--init-from {run}: its encoder has no {missing} to copy; it "
            f"has {list(source_groups)}"
        )
    return {"run": str(run), "copied": copied, "members": len(members)}


def source_vectorizer(run, max_words):
    """The source run's vectorizer, with `max_length` set to `max_words`."""
    from seqkit.preprocessing import TextVectorizer
    from seqkit.runs import load_run

    source = load_run(run)
    members = getattr(source, "members", [source])
    config = members[0].vectorizer.get_config()
    config.update(max_length=max_words, name="vectorizer")
    return TextVectorizer.from_config(config)


def _normalized(text):
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def pretrain_word_encoder(config, splits, out, resume=False, verbose=1):
    """Trains the sentence classifier the word encoder starts from.

    A sentiment run (`seqkit train sentiment` settings: one bidirectional
    layer of the document model's cell, units and word vectors, attention
    pooling, no ensemble) on the labelled sentences of
    `config.sentence_set`, written to `out/word-encoder/`. Sentences found
    inside a validation or test document (as whole words, after
    lower-casing and keeping letters and digits) are left out of its
    training data, so no test text is trained on; their count is
    reported.

    Returns:
        `(run folder, report dict)`.
    """
    from seqkit.data import bundled_splits
    from seqkit.models.sentiment import SentimentConfig
    from seqkit.training.recipes.sentiment import train_text_classifier

    paths = bundled_splits(config.sentence_set)
    # Padded with spaces, so that a sentence matches whole words only.
    held_out = [
        f" {_normalized(text)} "
        for name, split in splits.items()
        if name != "train"
        for text in split.texts
    ]
    folder = out / "word-encoder-data"
    folder.mkdir(parents=True, exist_ok=True)
    kept = left_out = 0
    with open(paths["train"], encoding="utf-8", newline="") as source:
        reader = csv.DictReader(source)
        with open(folder / "train.csv", "w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, reader.fieldnames)
            writer.writeheader()
            for row in reader:
                text = f" {_normalized(row['text'])} "
                if text.strip() and any(text in doc for doc in held_out):
                    left_out += 1
                    continue
                writer.writerow(row)
                kept += 1
    log.info(
        "word encoder: pretraining on %s (%d training sentences; %d left "
        "out, found in validation or test documents)",
        config.sentence_set,
        kept,
        left_out,
    )
    sentiment = SentimentConfig.from_dict(
        {
            "train": str(folder / "train.csv"),
            "valid": str(paths["valid"]),
            "test": str(paths["test"]),
            "tokenizer": config.tokenizer,
            "lowercase": config.lowercase,
            "embeddings": config.embeddings,
            # Review words the sentences lack keep their pretrained vectors
            # instead of becoming the unknown word.
            "pretrained_words": config.pretrained_words,
            "embedding_dim": config.embedding_dim,
            "cell": config.cell,
            "units": config.units,
            "layers": 1,
            "bidirectional": True,
            "pooling": "attention",
            "ensemble": 1,
            "member_overrides": [],
            "seed": config.seed,
        },
        source="the word encoder's pretraining",
    )
    target = out / "word-encoder"
    if not (target / "metrics.json").is_file():
        train_text_classifier(
            sentiment,
            target,
            resume=resume and (target / "config.json").is_file(),
            verbose=verbose,
        )
    with open(target / "metrics.json", encoding="utf-8") as handle:
        metrics = json.load(handle)
    report = {
        "sentences": config.sentence_set,
        "train_sentences": kept,
        "left_out": left_out,
        "sentence_test_accuracy": round(metrics["test"]["accuracy"], 4),
    }
    return target, report


def _fit_member(classifier, encoded, config, seed, folder, resume, verbose):
    """Trains one classifier on the encoded documents; best weights kept."""
    import keras

    from seqkit.data.pipelines import batches_dataset
    from seqkit.training.loop import fit_resumably

    model = classifier.ids_model()
    model.compile(
        optimizer=keras.optimizers.Adam(config.learning_rate, clipnorm=5.0),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    batches = _batches(*encoded["train"], config.batch_size, seed)
    model(pad_documents(encoded["train"][0][:2]))  # builds the weights
    return fit_resumably(
        model,
        batches_dataset(batches, 3),
        batches_dataset(_valid_batches(*encoded["valid"]), 3),
        folder,
        config.epochs,
        config.patience,
        resume,
        verbose,
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

    from seqkit.models.metrics import classification_metrics
    from seqkit.training.recipes.sentiment import prepare_inputs

    out = Path(out)
    prepare_run_folder(out, config, resume)
    keras.utils.set_random_seed(config.seed)
    started = time.time()
    splits, paths = read_document_data(config)
    class_names = splits.label_names
    index = {name: i for i, name in enumerate(class_names)}
    for name, split in splits.items():
        log.info(
            "%s: %d documents from %s (%d rows skipped)",
            name,
            len(split),
            paths[name],
            len(split.skipped),
        )
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
    documents = build_document_classifier(
        config, vectorizer, class_names, matrix
    ).documents
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
    encoded = {
        name: (
            encode_documents(documents, split.texts),
            np.array([index[y] for y in split.labels]),
        )
        for name, split in splits.items()
    }
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
            vectorizer,
            class_names,
            matrix,
            seed,
            name=None if config.ensemble == 1 else f"member_{member}",
        )
        if source:
            transfer = copy_word_encoder(classifier, source)
            if pretraining is not None:
                transfer.update(pretraining)
            if member == 0:
                log.info("word encoder from %s: %s", source, transfer)
        folder = out if config.ensemble == 1 else out / "members" / str(member)
        folder.mkdir(parents=True, exist_ok=True)
        state, history = _fit_member(
            classifier, encoded, config, seed, folder, resume, verbose
        )
        members.append(classifier)
        states.append(state)
        histories.append(history)
    if config.ensemble == 1:
        classifier = members[0]
    else:
        from seqkit.models import EnsembleClassifier

        classifier = EnsembleClassifier(members, name="document_ensemble")
    classifier.save(out / "model.keras")
    metrics = {}
    for name, split in splits.items():
        if name == "train":
            continue
        probabilities, _ = predict_documents(classifier, split.texts)
        metrics[name] = classification_metrics(
            encoded[name][1], probabilities, class_names
        )
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
        "vocabulary_size": vectorizer.vocabulary_size(),
    }
    if coverage is not None:
        info["embedding_coverage"] = coverage.to_dict()
    if transfer is not None:
        info["init_from"] = transfer
    write_json_atomic(out / "data.json", info)
    return metrics


def predict_documents(classifier, texts, batch_size=32):
    """The outputs of a `DocumentClassifier` for each document.

    Batches are padded to their own longest document and sentence, so the
    attention arrays of different batches differ in width; this returns
    them per document, cut to the document's kept sentences and words.

    Returns:
        `(probabilities [n, classes], attention)`: `attention` is a list of
        `(sentence_weights [s], word_weights [s, w] or None)`, one per
        document.
    """
    from keras import ops

    probabilities, attention = [], []
    for first in range(0, len(texts), batch_size):
        chunk = np.array(texts[first : first + batch_size], dtype=object)
        ids = np.asarray(classifier.documents(chunk))
        outputs = classifier(chunk, training=False)
        probabilities.append(ops.convert_to_numpy(outputs["probabilities"]))
        sentences = ops.convert_to_numpy(outputs["sentence_attention"])
        words = outputs.get("word_attention")
        words = None if words is None else ops.convert_to_numpy(words)
        for row, document in enumerate(ids):
            count = int(np.any(document != 0, axis=1).sum())
            word_weights = None
            if words is not None:
                word_weights = words[row, :count]
            attention.append((sentences[row, :count], word_weights))
    return np.concatenate(probabilities), attention


def explain_documents(classifier, texts, top_k=None, batch_size=32):
    """Predictions with sentence and word attention, per document.

    Returns:
        A list of dicts: `text`, `label`, `probabilities`, `top_k` and
        `sentences`: `[{"text", "weight", "words": [[token, weight],
        ...]}]` for the kept sentences (after truncation).
    """
    probabilities, attention = predict_documents(classifier, texts, batch_size)
    names = classifier.class_names
    documents = classifier.documents
    tokenizer = classifier.vectorizer.tokenizer
    limit = documents.max_words
    k = len(names) if top_k is None else max(1, min(int(top_k), len(names)))
    results = []
    for row, text in enumerate(texts):
        p = probabilities[row].astype(float)
        order = np.argsort(-p, kind="stable")
        kept = [
            s.decode("utf-8") for s in documents.sentences([text])[0].numpy()
        ]
        sentence_weights, word_weights = attention[row]
        sentences = []
        tokenized = tokenizer.tokenize(kept) if kept else []
        for index, sentence in enumerate(kept):
            tokens = tokenized[index][:limit]
            entry = {
                "text": sentence,
                "weight": round(float(sentence_weights[index]), 6),
            }
            if word_weights is not None:
                entry["words"] = [
                    [token, round(float(word_weights[index, i]), 6)]
                    for i, token in enumerate(tokens)
                ]
            sentences.append(entry)
        results.append(
            {
                "text": text,
                "label": names[order[0]],
                "probabilities": {
                    n: round(float(v), 6) for n, v in zip(names, p)
                },
                "top_k": [[names[i], round(float(p[i]), 6)] for i in order[:k]],
                "sentences": sentences,
            }
        )
    return results
