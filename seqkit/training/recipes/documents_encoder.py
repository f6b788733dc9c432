"""Where the word encoder of a document run starts: a sentiment or DeepMoji
run (`--init-from`), or a sentence classifier pretrained first on labelled
sentences (`--pretrain-sentences`)."""

import csv
import json
import logging
import re

log = logging.getLogger(__name__)


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


def _write_training_sentences(sentences, splits, folder):
    """Copies the sentence CSV to `folder/train.csv` without the sentences
    found inside a validation or test document; `(kept, left out)`."""
    # Padded with spaces, so that a sentence matches whole words only.
    held_out = [
        f" {_normalized(text)} "
        for name, split in splits.items()
        if name != "train"
        for text in split.texts
    ]
    folder.mkdir(parents=True, exist_ok=True)
    kept = left_out = 0
    with open(sentences, encoding="utf-8", newline="") as source:
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
    return kept, left_out


def _sentence_config(config, train, paths):
    """The `SentimentConfig` of the word encoder's pretraining."""
    from seqkit.models.sentiment import SentimentConfig

    return SentimentConfig.from_dict(
        {
            "train": str(train),
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
    from seqkit.training.recipes.sentiment import train_text_classifier

    paths = bundled_splits(config.sentence_set)
    folder = out / "word-encoder-data"
    kept, left_out = _write_training_sentences(paths["train"], splits, folder)
    log.info(
        "word encoder: pretraining on %s (%d training sentences; %d left "
        "out, found in validation or test documents)",
        config.sentence_set,
        kept,
        left_out,
    )
    sentiment = _sentence_config(config, folder / "train.csv", paths)
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
