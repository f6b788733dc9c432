"""The PyTorch baselines of `bench/perf_suite.py`, written as a PyTorch user
writes them.

Only the benchmark needs PyTorch (CPU wheel, torch 2.13.0) and ONNX
Runtime (with `onnx` for the export):

    pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu
    pip install onnx onnxruntime

It is set up at its best on a CPU: 2 threads and flush-to-zero for
denormals (`torch.set_flush_denormal(True)`; without it LSTM training ran
8x slower on this machine's CPU). `torch.compile` needs a C++ compiler;
where it or ONNX Runtime is missing, the suite reports that path as left
out and measures the others.

The model is the seqkit default single model: embedding initialised from
the same word vectors (padding row 0) with dropout, one BiLSTM of 128
units per direction, max and mean pooling over the real words, dropout
0.5, a linear layer to the classes. Batches come from a `DataLoader`
whose `collate_fn` pads to the longest text of the batch
(`pad_sequence`). The padded variant runs the LSTM over the padding; the
packed variant wraps the batch in `pack_padded_sequence`, so neither
direction reads the padding. Both draw shuffled batches of random texts;
the bucketed variant (packed too) draws its batches from a length-bucketing
sampler (`bench/length_buckets.py`, torchtext's BucketIterator scheme), so
a batch holds texts of nearly one length.

Inference reads raw strings: a Python tokenizer and a dict lookup, then
the model in eager mode, the model compiled (TorchScript, or
`torch.compile`), or the model exported to ONNX and run by ONNX Runtime.
"""

import re
import time
import unicodedata
from pathlib import Path

import numpy as np
import torch
from length_buckets import LengthBucketSampler
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
        self,
        data,
        vectors,
        classes,
        packed,
        seed,
        units=128,
        batch=64,
        bucketed=False,
    ):
        torch.manual_seed(seed)
        self.model = BiLSTMClassifier(vectors, units, classes, packed)
        self.optimizer = torch.optim.Adam(self.model.parameters(), lr=5e-4)
        train_ids, train_y = data["train"]
        examples = list(zip(train_ids, train_y))
        if bucketed:
            sampler = LengthBucketSampler(
                [len(x) for x in train_ids], batch, seed=seed
            )
            self.loader = DataLoader(
                examples, batch_sampler=sampler, collate_fn=collate
            )
        else:
            self.loader = DataLoader(
                examples,
                batch_size=batch,
                shuffle=True,
                collate_fn=collate,
                generator=torch.Generator().manual_seed(seed),
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


class ProcessSystem:
    """A `TorchSystem` trained in a process of its own.

    In the benchmark's process TensorFlow holds its own thread pools, and
    PyTorch's training epoch there took longer than PyTorch alone on the
    same cores (docs/benchmarks.md, the performance section). Here the
    model lives in a child process started with `spawn` (which imports
    PyTorch and not TensorFlow) that has `threads` threads and
    flush-to-zero; `epoch` and `accuracy` ask it over a pipe, and the
    child times the epoch itself, as `TorchSystem.epoch` does. `model`
    copies the trained weights into a model in this process (for the
    inference paths).
    """

    def __init__(self, threads, **settings):
        import multiprocessing

        context = multiprocessing.get_context("spawn")
        self._connection, child = context.Pipe()
        self._settings = settings
        self._process = context.Process(
            target=_serve, args=(child, threads, settings), daemon=True
        )
        self._process.start()
        child.close()
        self._ask("ready")

    def _ask(self, command, *args):
        self._connection.send((command, args))
        try:
            status, answer = self._connection.recv()
        except EOFError:
            raise RuntimeError(
                f"the PyTorch process ended (exit code "
                f"{self._process.exitcode}) while answering {command!r}"
            ) from None
        if status == "error":
            raise RuntimeError(f"the PyTorch process failed: {answer}")
        return answer

    def epoch(self):
        return self._ask("epoch")

    def accuracy(self, split):
        return self._ask("accuracy", split)

    @property
    def model(self):
        """The child's model, copied into this process (eval mode)."""
        settings = self._settings
        model = BiLSTMClassifier(
            settings["vectors"],
            settings.get("units", 128),
            settings["classes"],
            settings["packed"],
        )
        state = self._ask("state")
        model.load_state_dict({k: torch.as_tensor(v) for k, v in state.items()})
        return model.eval()

    def close(self):
        if self._process.is_alive():
            self._connection.send(("close", ()))
            self._process.join(timeout=30)
        self._connection.close()


def _serve(connection, threads, settings):
    """The child of `ProcessSystem`: builds the system and answers."""
    import traceback

    configure(threads)
    try:
        system = TorchSystem(**settings)
    except Exception:  # noqa: BLE001 (sent to the parent, which raises)
        connection.send(("error", traceback.format_exc()))
        return
    while True:
        command, args = connection.recv()
        if command == "close":
            return
        try:
            if command == "ready":
                answer = True
            elif command == "epoch":
                answer = system.epoch()
            elif command == "accuracy":
                answer = system.accuracy(*args)
            elif command == "state":
                answer = {
                    k: v.detach().numpy()
                    for k, v in system.model.state_dict().items()
                }
            else:
                raise ValueError(f"unknown command {command!r}")
        except Exception:  # noqa: BLE001 (sent to the parent, which raises)
            connection.send(("error", traceback.format_exc()))
            continue
        connection.send(("ok", answer))


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


class Encoder:
    """Raw strings -> padded ids and lengths, as NumPy int64 arrays."""

    def __init__(self, vocabulary, max_length):
        self.ids = {word: i for i, word in enumerate(vocabulary)}
        self.max_length = max_length

    def encode(self, text):
        tokens = tokenize(text)[: self.max_length] or ["[UNK]"]
        return [self.ids.get(token, 1) for token in tokens]

    def __call__(self, texts):
        rows = [self.encode(text) for text in texts]
        lengths = np.array([len(row) for row in rows], np.int64)
        ids = np.zeros((len(rows), lengths.max()), np.int64)
        for line, row in zip(ids, rows):
            line[: len(row)] = row
        return ids, lengths


class Probabilities(nn.Module):
    """A classifier whose output is the softmax (what gets compiled)."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, ids, lengths):
        return torch.softmax(self.model(ids, lengths), dim=-1)


class TorchPredictor:
    """Raw strings -> probabilities: Python tokenization, then a module
    (the eager model or a compiled one) in `torch.inference_mode()`."""

    def __init__(self, module, encoder):
        self.module = module
        self.encoder = encoder

    def __call__(self, texts):
        ids, lengths = self.encoder(texts)
        with torch.inference_mode():
            return self.module(
                torch.from_numpy(ids), torch.from_numpy(lengths)
            ).numpy()


def _example(encoder):
    ids, lengths = encoder(["an example of a few words", "and another"])
    return torch.from_numpy(ids), torch.from_numpy(lengths)


def torchscript_module(model, encoder):
    """The model traced to TorchScript and frozen for inference.

    Tracing rather than `torch.jit.script`: the eval-mode forward has no
    branch on the data, and the trace follows any batch or length.
    """
    module = Probabilities(model).eval()
    with torch.no_grad():
        traced = torch.jit.trace(module, _example(encoder))
    return torch.jit.freeze(traced)


def compiled_module(model):
    """The model through `torch.compile` (Inductor, C++ on a CPU), with
    dynamic shapes so that new lengths do not compile it again."""
    return torch.compile(Probabilities(model).eval(), dynamic=True)


class OnnxPredictor:
    """Raw strings -> probabilities: Python tokenization, then the model
    exported to ONNX (batch and length dynamic) in ONNX Runtime, with as
    many threads as PyTorch has."""

    def __init__(self, model, encoder, path):
        import onnxruntime

        module = Probabilities(model).eval()
        axes = {"ids": {0: "batch", 1: "time"}, "lengths": {0: "batch"}}
        with torch.no_grad():
            torch.onnx.export(
                module,
                _example(encoder),
                str(path),
                input_names=["ids", "lengths"],
                output_names=["probabilities"],
                dynamic_axes={**axes, "probabilities": {0: "batch"}},
                dynamo=False,
            )
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = torch.get_num_threads()
        options.inter_op_num_threads = 1
        self.session = onnxruntime.InferenceSession(
            str(path), options, providers=["CPUExecutionProvider"]
        )
        self.encoder = encoder

    def __call__(self, texts):
        ids, lengths = self.encoder(texts)
        return self.session.run(None, {"ids": ids, "lengths": lengths})[0]


def inference_paths(model, vocabulary, max_length, folder, leave_out=()):
    """Every PyTorch path from raw strings to probabilities, by name.

    Each path is built and called once (`torch.compile` compiles then);
    one that fails is reported, not raised: the suite goes on without it.
    The ONNX file goes to `folder`. Names in `leave_out` are not built
    (`torch-eager` always is: the others are checked against it).

    Returns:
        `(paths, skipped)`: name -> predictor (texts -> probabilities as a
        NumPy array), and name -> why that path could not be built.
    """
    model.eval()
    encoder = Encoder(vocabulary, max_length)
    builders = {
        "torch-eager": lambda: TorchPredictor(Probabilities(model), encoder),
        "torch-script": lambda: TorchPredictor(
            torchscript_module(model, encoder), encoder
        ),
        "torch-compile": lambda: TorchPredictor(
            compiled_module(model), encoder
        ),
        "onnxruntime": lambda: OnnxPredictor(
            model, encoder, Path(folder) / "model.onnx"
        ),
    }
    paths, skipped = {}, {}
    for name, build in builders.items():
        if name in leave_out and name != "torch-eager":
            continue
        try:
            predictor = build()
            predictor(["a first call compiles", "what is lazy"])
            paths[name] = predictor
        except Exception as error:  # a path that fails is reported, not fatal
            skipped[name] = f"{type(error).__name__}: {error}"[:300]
    return paths, skipped


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
