"""The PyTorch baselines of `bench/perf_suite.py`, written as a PyTorch user
writes them.

Only the benchmark needs PyTorch (CPU wheel, torch 2.13.0):

    pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu

It is set up at its best on a CPU: 2 threads and flush-to-zero for
denormals (`torch.set_flush_denormal(True)`; without it LSTM training ran
8x slower on this machine's CPU).

The model is the seqkit default single model: embedding initialised from
the same word vectors (padding row 0) with dropout, one BiLSTM of 128
units per direction, max and mean pooling over the real words, dropout
0.5, a linear layer to the classes. Batches come from a shuffled
`DataLoader` whose `collate_fn` pads to the longest text of the batch
(`pad_sequence`). The padded variant runs the LSTM over the padding; the
packed variant wraps the batch in `pack_padded_sequence`, so neither
direction reads the padding.
"""

import re
import time
import unicodedata

import numpy as np
import torch
from torch import nn
from torch.nn import functional
from torch.nn.utils import rnn as rnn_utils
from torch.utils.data import DataLoader


def configure(threads=2):
    torch.set_num_threads(threads)
    torch.set_flush_denormal(True)


class BiLSTMClassifier(nn.Module):
    def __init__(self, vectors, units, classes, packed):
        super().__init__()
        vectors = torch.as_tensor(np.asarray(vectors, dtype=np.float32))
        self.embedding = nn.Embedding.from_pretrained(
            vectors, freeze=False, padding_idx=0
        )
        self.embedding_dropout = nn.Dropout(0.3)
        self.lstm = nn.LSTM(
            vectors.shape[1], units, batch_first=True, bidirectional=True
        )
        self.head_dropout = nn.Dropout(0.5)
        self.out = nn.Linear(4 * units, classes)
        self.packed = packed

    def forward(self, ids, lengths):
        embedded = self.embedding_dropout(self.embedding(ids))
        if self.packed:
            packed = rnn_utils.pack_padded_sequence(
                embedded, lengths, batch_first=True, enforce_sorted=False
            )
            hidden, _ = self.lstm(packed)
            hidden, _ = rnn_utils.pad_packed_sequence(
                hidden, batch_first=True, total_length=ids.shape[1]
            )
        else:
            hidden, _ = self.lstm(embedded)
        real = (ids != 0).unsqueeze(-1)
        largest = hidden.masked_fill(~real, float("-inf")).amax(dim=1)
        mean = (hidden * real).sum(dim=1) / lengths.unsqueeze(-1)
        pooled = torch.cat([largest, mean], dim=-1)
        return self.out(self.head_dropout(pooled))


def collate(batch):
    ids = [torch.as_tensor(sequence, dtype=torch.long) for sequence, _ in batch]
    lengths = torch.tensor([len(x) for x in ids], dtype=torch.long)
    labels = torch.tensor([label for _, label in batch], dtype=torch.long)
    return rnn_utils.pad_sequence(ids, batch_first=True), lengths, labels


class TorchSystem:
    """One PyTorch model trained an epoch at a time."""

    def __init__(
        self, data, vectors, classes, packed, seed, units=128, batch=64
    ):
        torch.manual_seed(seed)
        self.model = BiLSTMClassifier(vectors, units, classes, packed)
        self.optimizer = torch.optim.Adam(self.model.parameters(), lr=5e-4)
        generator = torch.Generator().manual_seed(seed)
        train_ids, train_y = data["train"]
        self.loader = DataLoader(
            list(zip(train_ids, train_y)),
            batch_size=batch,
            shuffle=True,
            collate_fn=collate,
            generator=generator,
        )
        self.data = data

    def epoch(self):
        self.model.train()
        started = time.perf_counter()
        for ids, lengths, labels in self.loader:
            self.optimizer.zero_grad()
            loss = functional.cross_entropy(self.model(ids, lengths), labels)
            loss.backward()
            nn.utils.clip_grad_norm_(self.model.parameters(), 5.0)
            self.optimizer.step()
        return time.perf_counter() - started

    def accuracy(self, split):
        ids, labels = self.data[split]
        self.model.eval()
        right = 0
        with torch.inference_mode():
            for start in range(0, len(ids), 256):
                batch = [
                    (x, y)
                    for x, y in zip(
                        ids[start : start + 256], labels[start : start + 256]
                    )
                ]
                padded, lengths, y = collate(batch)
                predicted = self.model(padded, lengths).argmax(-1)
                right += int((predicted == y).sum())
        return right / len(ids)


# What a PyTorch user writes to tokenize: NFKC, straight quotes,
# lower-case; numbers (3.5, 10/10),
# words with inner apostrophes and hyphens, and runs of one punctuation mark
# ("!!!", "..."). It gives seqkit's tokens for 97% or more of the bundled
# test texts (tests/bench/test_perf_suite.py checks).
TOKEN = re.compile(r"\d+(?:[.,/]\d+)+|\w+(?:['\-]\w+)*|([^\w\s])\1*")


QUOTES = str.maketrans(
    {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'}
)


def tokenize(text):
    text = unicodedata.normalize("NFKC", text).translate(QUOTES).lower()
    return [match.group(0) for match in TOKEN.finditer(text)]


class TorchPredictor:
    """Raw strings -> probabilities: Python tokenization + eager model."""

    def __init__(self, model, vocabulary, max_length):
        self.model = model.eval()
        self.ids = {word: i for i, word in enumerate(vocabulary)}
        self.max_length = max_length

    def encode(self, text):
        tokens = tokenize(text)[: self.max_length] or ["[UNK]"]
        return [self.ids.get(token, 1) for token in tokens]

    def __call__(self, texts):
        batch = [(self.encode(text), 0) for text in texts]
        padded, lengths, _ = collate(batch)
        with torch.inference_mode():
            return torch.softmax(self.model(padded, lengths), dim=-1)


def deep_step_seconds(batch, steps, features, units, layers, repeats):
    """Seconds per training step of a deep BiLSTM on random inputs."""
    torch.manual_seed(0)
    lstm = nn.LSTM(
        features, units, num_layers=layers, batch_first=True, bidirectional=True
    )
    optimizer = torch.optim.Adam(lstm.parameters(), lr=1e-4)
    x = torch.randn(batch, steps, features)

    def step():
        optimizer.zero_grad()
        hidden, _ = lstm(x)
        hidden.mean().backward()
        optimizer.step()

    step()
    step()
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        step()
        times.append(time.perf_counter() - started)
    return float(np.median(times))
