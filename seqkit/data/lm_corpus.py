"""Unlabelled text for language models: corpus files and BPTT windows.

A corpus file is UTF-8 text with one sentence (or paragraph) per line and
a blank line between documents. `read_corpus` reads such files into
documents; `document_ids` turns a document into the id stream a language
model reads (`[eos, sentence 1, eos, sentence 2, eos, ...]`); and
`bptt_windows` lays documents out in `batch_size` parallel lanes and cuts
them into windows of `bptt` steps for truncated backpropagation through
time. Every document starts at a window boundary, so the recurrent state
carried from window to window is reset exactly where a new document
begins (the `reset` flags), and is never carried from one document into
another.

`build_lm_corpus` writes the in-domain corpus of the bundled applications
(`seqkit data lm-corpus`): the Pang & Lee reviews of the fixed split, the
Rotten Tomatoes plot synopses and the sentiment training snippets.
"""

import csv
import logging
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from seqkit.data.errors import DataError

log = logging.getLogger(__name__)

# Sentiment snippets are short and unrelated; they are written to the
# corpus in documents of this many lines.
SNIPPETS_PER_DOCUMENT = 20


def read_corpus(paths):
    """Reads corpus files into documents.

    Args:
        paths: a path or a list of paths to UTF-8 text files: one sentence
            (or paragraph) per line, documents separated by blank lines.

    Returns:
        A list of documents, each a list of non-empty lines (stripped).

    Raises:
        DataError: a missing file, bytes that are not UTF-8 (naming the
            line), or a corpus with no text at all.
    """
    return [d for file in read_corpus_files(paths) for d in file]


def read_corpus_files(paths):
    """`read_corpus`, the documents of each file apart.

    Returns:
        One list of documents per file, in the order of `paths` (a file
        without a blank line between its lines holds one document).

    Raises:
        DataError: as `read_corpus`.
    """
    if isinstance(paths, (str, Path)):
        paths = [paths]
    files = []
    for path in map(Path, paths):
        if not path.is_file():
            raise DataError("no such corpus file", path=path)
        documents, current = [], []
        with open(path, "rb") as handle:
            for number, raw in enumerate(handle, start=1):
                try:
                    line = raw.decode("utf-8").strip()
                except UnicodeDecodeError as error:
                    raise DataError(
                        f"not UTF-8 text ({error.reason} at byte "
                        f"{error.start})",
                        path=path,
                        line=number,
                    ) from None
                if line:
                    current.append(line.lstrip("\ufeff"))
                elif current:
                    documents.append(current)
                    current = []
        if current:
            documents.append(current)
        files.append(documents)
    if not any(files):
        raise DataError(
            "the corpus holds no text; expected one sentence per line and "
            f"blank lines between documents in {', '.join(map(str, paths))}"
        )
    return files


def document_ids(tokenized_lines, vocabulary, eos_id):
    """One document's id stream: `[eos, line 1, eos, line 2, eos, ...]`.

    Args:
        tokenized_lines: the document's lines, each a list of tokens.
        vocabulary: a `seqkit.preprocessing.Vocabulary` (unknown words
            get its unknown id).
        eos_id: the id of the end-of-sentence token.

    Returns:
        An int32 array; the leading `eos` is the context of the first
        word, so a model predicts every word and every line end.
    """
    ids = [eos_id]
    for tokens in tokenized_lines:
        ids.extend(vocabulary.encode(tokens))
        ids.append(eos_id)
    return np.asarray(ids, dtype=np.int32)


@dataclass
class Windows:
    """Documents laid out in lanes and cut into BPTT windows.

    Attributes:
        inputs: int32 `[windows, batch, bptt]`, 0 is padding.
        targets: int32 `[windows, batch, bptt]`, the next ids (0: no
            target, masked out of the loss).
        reset: bool `[windows, batch]`: the lane starts a new document in
            this window, so its carried state is zeroed first.
    """

    inputs: np.ndarray
    targets: np.ndarray
    reset: np.ndarray

    def __len__(self):
        return len(self.inputs)

    @property
    def tokens(self):
        """The number of predicted tokens (targets that are not padding)."""
        return int(np.count_nonzero(self.targets))


def bptt_windows(documents, batch_size, bptt, order=None):
    """Lays id streams out in `batch_size` lanes of `bptt`-step windows.

    Each document becomes the pairs (input `ids[:-1]`, target `ids[1:]`),
    right-padded with 0 to a whole number of windows. Documents go, in
    `order`, to the lane with the fewest windows so far, so the lanes end
    close together; lanes that end early are filled with empty windows.

    Args:
        documents: a list of int id arrays (from `document_ids`).
        batch_size: the number of lanes.
        bptt: the window length (steps of backpropagation).
        order: the order in which documents are placed (a permutation of
            their indices; shuffled per epoch by the caller), or None.

    Returns:
        A `Windows`.
    """
    if batch_size < 1 or bptt < 1:
        raise ValueError(
            f"batch_size and bptt must be positive; received {batch_size}, "
            f"{bptt}"
        )
    order = range(len(documents)) if order is None else order
    lanes = [[] for _ in range(batch_size)]
    sizes = np.zeros(batch_size, dtype=np.int64)
    for index in order:
        ids = documents[index]
        if len(ids) < 2:
            continue
        count = -(-(len(ids) - 1) // bptt)
        lane = int(np.argmin(sizes))
        lanes[lane].append((ids, count))
        sizes[lane] += count
    total = int(sizes.max()) if len(sizes) else 0
    inputs = np.zeros((total, batch_size, bptt), dtype=np.int32)
    targets = np.zeros_like(inputs)
    reset = np.ones((total, batch_size), dtype=bool)
    for lane, placed in enumerate(lanes):
        start = 0
        for ids, count in placed:
            flat_in = np.zeros(count * bptt, dtype=np.int32)
            flat_out = np.zeros(count * bptt, dtype=np.int32)
            flat_in[: len(ids) - 1] = ids[:-1]
            flat_out[: len(ids) - 1] = ids[1:]
            stop = start + count
            inputs[start:stop, lane] = flat_in.reshape(count, bptt)
            targets[start:stop, lane] = flat_out.reshape(count, bptt)
            reset[start + 1 : stop, lane] = False
            start = stop
    return Windows(inputs, targets, reset)


def _normalized(text):
    return " ".join(re.findall(r"\w+", text.lower()))


def _write_documents(path, documents):
    with open(path, "w", encoding="utf-8") as handle:
        for document in documents:
            handle.write("\n".join(document))
            handle.write("\n\n")


def _csv_texts(path):
    with open(path, encoding="utf-8", newline="") as handle:
        return [row["text"] for row in csv.DictReader(handle)]


def _corpus_documents(review_files, sentiment_files, synopses, sentiment_train):
    """Each split's documents (lists of lines), held-out text still in."""
    parts = {
        split: [text.splitlines() for text in _csv_texts(review_files[split])]
        for split in ("train", "valid", "test")
    }
    parts["train"] = parts["train"] + synopses
    if sentiment_train:
        snippets = [
            " ".join(text.split())
            for text in _csv_texts(sentiment_files["train"])
        ]
        parts["train"] += [
            snippets[i : i + SNIPPETS_PER_DOCUMENT]
            for i in range(0, len(snippets), SNIPPETS_PER_DOCUMENT)
        ]
    return parts


def _write_corpus(out_dir, parts, held_out):
    """Writes `<split>.txt` of each split, leaving out the lines found in
    `held_out`; the report's `files` and `left_out_lines`."""
    report = {"files": {}, "left_out_lines": 0}
    for split, documents in parts.items():
        kept = []
        for document in documents:
            lines = [line.strip() for line in document if line.strip()]
            clean = [
                line for line in lines if _normalized(line) not in held_out
            ]
            report["left_out_lines"] += len(lines) - len(clean)
            if clean:
                kept.append(clean)
        path = out_dir / f"{split}.txt"
        _write_documents(path, kept)
        report["files"][split] = {
            "path": str(path),
            "documents": len(kept),
            "lines": sum(len(d) for d in kept),
        }
    return report


def build_lm_corpus(out_dir, sentiment_train=True, reviews=None, rt=None):
    """Writes the in-domain corpus of the bundled applications.

    - `train.txt`: the Pang & Lee reviews of the fixed `train` split (one
      sentence per line, one document per review), the 1,097 Rotten
      Tomatoes plot synopses (one document each) and, with
      `sentiment_train`, the training snippets of the bundled sentiment
      split (in documents of `SNIPPETS_PER_DOCUMENT`).
    - `valid.txt`, `test.txt`: the reviews of the `valid` and `test`
      splits, held out for perplexity. The document classifier is tested
      on the same `test` reviews, so they are never trained on.

    Lines whose words equal a validation or test snippet of the sentiment
    split are left out (and counted), so a classifier initialised from
    this corpus never saw its held-out text.

    Args:
        out_dir: the folder to write (created).
        sentiment_train: include the sentiment training snippets.
        reviews: the folder of the prepared Pang & Lee split (default:
            prepared from the fetched data set).
        rt: the rt-snippets source (default: fetched).

    Returns:
        A JSON-ready report: documents and lines per file, lines left out.
    """
    from seqkit.data.prepare import (
        _read_rt_corpus,
        bundled_splits,
    )
    from seqkit.data.registry import fetch

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    review_files = (
        bundled_splits("pang-lee-reviews")
        if reviews is None
        else {s: Path(reviews) / f"{s}.csv" for s in ("train", "valid", "test")}
    )
    sentiment_files = bundled_splits("rt-snippets")
    held_out = {
        _normalized(text)
        for split in ("valid", "test")
        for text in _csv_texts(sentiment_files[split])
    }
    rows = _read_rt_corpus(rt or fetch("rt-snippets"))
    synopses = [
        row["text"].strip().splitlines()
        for row in rows
        if row["category"] == "plot" and row["text"].strip()
    ]
    parts = _corpus_documents(
        review_files, sentiment_files, synopses, sentiment_train
    )
    report = _write_corpus(out_dir, parts, held_out)
    report["sources"] = {
        "reviews": {s: str(p) for s, p in review_files.items()},
        "synopses": len(synopses),
        "sentiment_train": str(sentiment_files["train"])
        if sentiment_train
        else None,
    }
    log.info("lm corpus: %s", report)
    return report
