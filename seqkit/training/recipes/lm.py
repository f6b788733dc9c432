"""Training a language model with truncated backpropagation through time.

`train_language_model(config, out)` reads the corpus, builds the
vocabulary (with `[EOS]` first), lays the documents out in lanes of BPTT
windows (`seqkit.data.lm_corpus.bptt_windows`), and trains: the state at
the end of each window is carried into the next one (without gradient)
and zeroed where a lane starts a new document. Every epoch reports the
validation perplexity, writes a resumable checkpoint and keeps the best
weights; training stops early when the perplexity stops improving.
"""

import logging
import math
import time
from pathlib import Path

import numpy as np

from seqkit.runs import prepare_run_folder, write_json_atomic

log = logging.getLogger(__name__)


def read_lm_data(config):
    """The corpus split into train/valid(/test) documents (line lists).

    Without `config.valid`, validation text is held out of the corpus
    (`hold_out_text`).

    Returns:
        `(data, held)`: the documents by split, and the hold-out record
        for `RUN/data.json` (None with a validation file).
    """
    from seqkit.data.lm_corpus import read_corpus, read_corpus_files

    files = read_corpus_files(config.corpus)
    held = None
    if config.valid is not None:
        train = [document for file in files for document in file]
        valid = read_corpus(config.valid)
    else:
        train, valid, held = hold_out_text(config, files)
    data = {"train": train, "valid": valid}
    if config.test is not None:
        data["test"] = read_corpus(config.test)
    return data, held


def hold_out_text(config, files):
    """Validation documents held out of the corpus (no `--valid`).

    A `config.valid_fraction` of the documents is held out (seeded by
    `config.seed`; documents with the same tokens on one side:
    `seqkit.data.splits.hold_out`). A corpus with too few documents for
    that holds out lines instead: when no blank line separates documents
    anywhere (one tweet or sentence per line), each line is taken as a
    document, in training too; otherwise lines are held out of each
    document, and a document's held-out lines make its validation
    document. The log and the record say which, and why.

    Args:
        config: an `LMConfig`.
        files: `read_corpus_files(config.corpus)`.

    Returns:
        `(train, valid, record)`.

    Raises:
        ValueError: too little text to hold any out.
    """
    from seqkit.data.splits import hold_out, holdout_record
    from seqkit.preprocessing.text_vectorizer import make_tokenizer
    from seqkit.training.holdout import TOKEN_KEY, group_keys

    documents = [document for file in files for document in file]
    fraction, seed = config.valid_fraction, config.seed
    tokenizer = make_tokenizer(
        config.tokenizer,
        config.lowercase,
        "NFC" if config.tokenizer == "tweet" else "NFKC",
    )
    reason = None
    if round(fraction * len(documents)) >= 1:
        unit = "documents"
        texts = ["\n".join(document) for document in documents]
        owner = list(range(len(documents)))
    else:
        texts = [line for document in documents for line in document]
        owner = [i for i, d in enumerate(documents) for _ in d]
        few = (
            f"the corpus has {len(documents)} document(s), too few to hold "
            f"out {fraction:g} of them"
        )
        if all(len(file) <= 1 for file in files):
            unit = "lines as documents"
            reason = (
                f"{few}, and no blank line separates documents: each of "
                f"its {len(texts)} lines is taken as a document"
            )
        else:
            unit = "lines"
            reason = f"{few}: lines are held out of each document"
    kept, held = hold_out(group_keys(texts, tokenizer), None, fraction, seed)
    if not held:
        raise ValueError(
            f"the corpus has too little text ({len(documents)} document(s), "
            f"{sum(map(len, documents))} line(s)) to hold out {fraction:g} "
            "of it for validation; give --valid FILE"
        )
    if unit == "documents":
        train = [documents[i] for i in kept]
        valid = [documents[i] for i in held]
    elif unit == "lines as documents":
        train = [[texts[i]] for i in kept]
        valid = [[texts[i]] for i in held]
    else:
        train, valid = _lines_by_document(texts, owner, kept, held)
    record = holdout_record(texts, None, kept, held, fraction, seed, TOKEN_KEY)
    record["unit"] = unit
    record["rows_are"] = (
        "0-based indices of the corpus documents"
        if unit == "documents"
        else "0-based indices of the corpus's non-empty lines"
    )
    if reason is not None:
        record["reason"] = reason
        log.info("no --valid: %s", reason)
    log.info(
        "no --valid: held out %d of %d %s (%g, seed %d; texts with the "
        "same tokens kept together) for validation",
        len(held),
        len(texts),
        "lines" if unit != "documents" else "documents",
        fraction,
        seed,
    )
    return train, valid, record


def _lines_by_document(lines, owner, kept, held):
    """The kept and held lines, each side grouped by their document."""

    def grouped(indices):
        documents = {}
        for index in indices:
            documents.setdefault(owner[index], []).append(lines[index])
        return [documents[key] for key in sorted(documents)]

    return grouped(kept), grouped(held)


def build_vectorizer(config, documents):
    """The LM's `TextVectorizer`: `[EOS]` first, then the corpus words."""
    from seqkit.models.lm import EOS_TOKEN
    from seqkit.preprocessing import TextVectorizer, Vocabulary
    from seqkit.preprocessing.text_vectorizer import make_tokenizer
    from seqkit.preprocessing.vocabulary import count_tokens

    normalization = "NFC" if config.tokenizer == "tweet" else "NFKC"
    tokenizer = make_tokenizer(
        config.tokenizer, config.lowercase, normalization
    )
    lines = [line for document in documents for line in document]
    counts = count_tokens(lines, tokenizer)
    words = Vocabulary.from_counts(
        counts, config.min_count, config.max_vocab - 1
    )
    vocabulary = Vocabulary(
        [EOS_TOKEN, *words.words],
        counts={**words.counts, EOS_TOKEN: len(lines)},
        unknown_count=words.unknown_count,
    )
    return TextVectorizer(
        vocabulary,
        lowercase=config.lowercase,
        normalization=normalization,
        tokenizer=config.tokenizer,
        name="vectorizer",
    ), vocabulary


def encode_documents(vectorizer, vocabulary, documents):
    """Documents (line lists) -> id streams `[eos, line, eos, ...]`."""
    from seqkit.data.lm_corpus import document_ids
    from seqkit.models.lm import EOS_ID

    lines = [line for document in documents for line in document]
    tokens = vectorizer.tokenizer.iter_tokenize(lines)
    return [
        document_ids([next(tokens) for _ in document], vocabulary, EOS_ID)
        for document in documents
    ]


class BPTTRunner:
    """The compiled train and evaluation steps of one language model."""

    def __init__(self, model, clipnorm):
        import tensorflow as tf

        self.model = model
        self.directions = model.direction_names

        def loss_of(logits, targets):
            mask = tf.cast(targets > 0, logits.dtype)
            losses = tf.nn.sparse_softmax_cross_entropy_with_logits(
                targets, logits
            )
            return tf.reduce_sum(losses * mask), tf.reduce_sum(mask)

        def run(batch, states, training):
            sums, finals = {}, {}
            for direction in self.directions:
                inputs, targets, reset = batch[direction]
                keep = 1.0 - tf.cast(reset, tf.float32)[:, None]
                start = [
                    [s * keep for s in layer] for layer in states[direction]
                ]
                logits, finals[direction] = model.step(
                    inputs, start, direction, training=training
                )
                sums[direction] = loss_of(logits, targets)
            return sums, finals

        @tf.function(reduce_retracing=True)
        def train_step(batch, states):
            with tf.GradientTape() as tape:
                sums, finals = run(batch, states, True)
                total = tf.add_n([loss for loss, _ in sums.values()])
                count = tf.add_n([n for _, n in sums.values()])
                loss = total / tf.maximum(count, 1.0)
            variables = model.trainable_variables
            gradients = tape.gradient(loss, variables)
            gradients, _ = tf.clip_by_global_norm(gradients, clipnorm)
            model.optimizer.apply_gradients(zip(gradients, variables))
            finals = tf.nest.map_structure(tf.stop_gradient, finals)
            return sums, finals

        @tf.function(reduce_retracing=True)
        def eval_step(batch, states):
            return run(batch, states, False)

        self.train_step = train_step
        self.eval_step = eval_step

    def _windows(self, streams, batch_size, bptt, order):
        """Per direction, the windows of the documents (reversed: backward)."""
        from seqkit.data.lm_corpus import bptt_windows

        windows = {}
        for direction in self.directions:
            docs = (
                streams
                if direction == "forward"
                else [d[::-1] for d in streams]
            )
            windows[direction] = bptt_windows(docs, batch_size, bptt, order)
        return windows

    def epoch(self, streams, batch_size, bptt, order, training, progress=False):
        """One pass over `streams` (with `progress`, a progress bar).

        Returns:
            `(loss, tokens, per_direction)`: the mean loss over every
            direction's predicted tokens, their number, and per direction
            `(mean loss, tokens)`.
        """
        windows = self._windows(streams, batch_size, bptt, order)
        states = {
            d: self.model.initial_states(batch_size, d) for d in self.directions
        }
        step = self.train_step if training else self.eval_step
        sums = {d: [0.0, 0.0] for d in self.directions}
        first = windows[self.directions[0]]
        bar = None
        if progress:
            import keras

            bar = keras.utils.Progbar(len(first))
        for index in range(len(first)):
            batch = {
                d: (w.inputs[index], w.targets[index], w.reset[index])
                for d, w in windows.items()
            }
            step_sums, states = step(batch, states)
            for direction, (loss, n) in step_sums.items():
                sums[direction][0] += float(loss)
                sums[direction][1] += float(n)
            if bar is not None:
                total = sum(v[0] for v in sums.values())
                count = sum(v[1] for v in sums.values())
                bar.update(index + 1, [("loss", total / max(count, 1.0))])
        total = sum(v[0] for v in sums.values())
        count = sum(v[1] for v in sums.values())
        per_direction = {
            d: (loss / max(n, 1.0), int(n)) for d, (loss, n) in sums.items()
        }
        return total / max(count, 1.0), int(count), per_direction


def perplexity_metrics(loss, tokens, per_direction):
    """The metrics of one split: tokens, loss and perplexity, overall and
    per direction (a two-direction figure is the geometric mean of the
    two directions' perplexities, weighted by tokens)."""
    metrics = {
        "n": tokens // len(per_direction),
        "loss": round(loss, 5),
        "perplexity": round(math.exp(loss), 3),
    }
    if len(per_direction) > 1:
        for direction, (value, count) in per_direction.items():
            metrics[direction] = {
                "n": count,
                "loss": round(value, 5),
                "perplexity": round(math.exp(value), 3),
            }
    return metrics


def train_language_model(config, out, resume=False, verbose=1, progress=None):
    """Trains a language model and writes the run folder `out`.

    Args:
        config: an `LMConfig` (`seqkit.models.lm.settings`).
        out: the run folder (created; must be empty unless `resume`).
        resume: continue an interrupted run from its last complete epoch.
        verbose: 1 shows a progress bar over each epoch's training
            windows; 0 or 2 do not.
        progress: None, or a callable `progress(epoch, logs)` called when
            an epoch starts (`logs` None) and when it ends (`logs`: its
            `loss`, `perplexity`, `val_loss`, `val_perplexity` and
            `seconds`); `epoch` counts from 1.

    Returns:
        The metrics (`valid` and, with a test file, `test`: tokens, loss,
        perplexity), also written to `out/metrics.json`. With
        `directions="both"` the figures average the two directions.
    """
    import keras

    from seqkit.training.fit import fit

    out = Path(out)
    prepare_run_folder(out, config, resume)
    keras.utils.set_random_seed(config.seed)
    started = time.time()
    vectorizer, vocabulary, streams, info = _read_streams(config)
    model = _build_model(config, vectorizer, vocabulary)
    runner = BPTTRunner(model, config.clipnorm)
    rng = np.random.default_rng(config.seed)
    drawn = [0]

    def run_epoch(epoch):
        # One shuffle per epoch, so a resumed run draws the same orders.
        while drawn[0] <= epoch:
            order = rng.permutation(len(streams["train"]))
            drawn[0] += 1
        if progress is not None:
            progress(epoch + 1, None)
        logs = _train_epoch(runner, streams, config, order, verbose == 1)
        if progress is not None:
            progress(epoch + 1, logs)
        return logs

    state, history = fit(
        model,
        epochs=config.epochs,
        patience=config.patience,
        checkpoints=out / "checkpoints",
        resume=resume,
        run_epoch=run_epoch,
    )
    model.save(out / "model.keras")
    metrics = {}
    for name in ("valid", "test"):
        if name in streams:
            metrics[name] = perplexity_metrics(
                *runner.epoch(
                    streams[name], config.batch_size, config.bptt, None, False
                )
            )
    metrics["best_epoch"] = state["best_epoch"]
    metrics["train_seconds"] = round(time.time() - started, 1)
    write_json_atomic(out / "metrics.json", metrics)
    write_json_atomic(out / "history.json", history)
    write_json_atomic(out / "data.json", info)
    return metrics


def _read_streams(config):
    """The corpus as id streams, with its vectorizer and counts.

    Returns:
        `(vectorizer, vocabulary, streams, info)`: `streams` maps each
        split to its documents' id streams; `info` (for `data.json`)
        holds each split's documents, tokens and unknown tokens, and the
        vocabulary size.
    """
    data, held = read_lm_data(config)
    vectorizer, vocabulary = build_vectorizer(config, data["train"])
    streams = {
        name: encode_documents(vectorizer, vocabulary, documents)
        for name, documents in data.items()
    }
    info = {
        name: {
            "documents": len(docs),
            "tokens": int(sum(len(d) - 1 for d in docs)),
            "unknown": int(sum(int(np.sum(d == 1)) for d in docs)),
        }
        for name, docs in streams.items()
    }
    info["vocabulary"] = len(vocabulary)
    for name, row in info.items():
        log.info("%s: %s", name, row)
    if held is not None:
        info["valid_held_out"] = held
    return vectorizer, vocabulary, streams, info


def _build_model(config, vectorizer, vocabulary):
    """The `LanguageModel` of `config`, built, with its optimizer built."""
    import keras

    from seqkit.models.lm import LanguageModel

    matrix = _embedding_matrix(config, vocabulary)
    model = LanguageModel(
        vectorizer,
        embedding_dim=config.embedding_dim,
        cell=config.cell,
        units=config.units,
        num_layers=config.layers,
        directions=config.directions,
        tie_weights=config.tie_weights,
        embedding_dropout=config.embedding_dropout,
        input_dropout=config.input_dropout,
        dropout=config.dropout,
        recurrent_dropout=config.recurrent_dropout,
        embedding_matrix=matrix,
        seed=config.seed,
        name="language_model",
    )
    model.build()
    model.compile(optimizer=keras.optimizers.Adam(config.learning_rate))
    model.optimizer.build(model.trainable_variables)
    return model


def _train_epoch(runner, streams, config, order, bar):
    """One training pass (documents in `order`) and one validation pass.

    Returns:
        The epoch's logs: `loss`, `perplexity`, `val_loss`,
        `val_perplexity` and `seconds`.
    """
    tick = time.time()
    loss, _, _ = runner.epoch(
        streams["train"],
        config.batch_size,
        config.bptt,
        order,
        True,
        progress=bar,
    )
    val_loss, _, _ = runner.epoch(
        streams["valid"], config.batch_size, config.bptt, None, False
    )
    return {
        "loss": loss,
        "perplexity": math.exp(loss),
        "val_loss": val_loss,
        "val_perplexity": math.exp(val_loss),
        "seconds": time.time() - tick,
    }


def _embedding_matrix(config, vocabulary):
    """Initial word vectors from `config.embeddings`, or None."""
    if not config.embeddings or config.embeddings == "none":
        return None
    from seqkit.preprocessing import (
        embedding_matrix,
        load_glove_6b_50d,
        load_word_vectors,
    )

    if config.embeddings == "glove-6b-50d":
        vectors = load_glove_6b_50d(vocabulary=vocabulary)
    else:
        vectors = load_word_vectors(config.embeddings, vocabulary=vocabulary)
    if vectors.dim != config.embedding_dim:
        raise ValueError(
            f"--embeddings {config.embeddings} has {vectors.dim}-d vectors; "
            f"set --embedding-dim {vectors.dim}"
        )
    matrix, coverage = embedding_matrix(vocabulary, vectors, seed=config.seed)
    log.info(
        "word vectors cover %.1f%% of the %d words",
        100 * coverage.type_fraction,
        coverage.vocabulary_size,
    )
    return matrix
