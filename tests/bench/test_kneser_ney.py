"""The benchmark's Kneser-Ney trigram model gives nltk's probabilities."""

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]


def _load():
    spec = importlib.util.spec_from_file_location(
        "kneser_ney", ROOT / "bench" / "kneser_ney.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules["kneser_ney"] = module
    spec.loader.exec_module(module)
    return module.KneserNeyTrigram


def _streams(seed, count=30, vocabulary=25):
    rng = np.random.default_rng(seed)
    # "<eos>" also ends sentences inside a stream, as in the LM's streams.
    words = ["<eos>", *(f"w{i}" for i in range(vocabulary - 1))]
    # Zipf-like draws, so some contexts repeat and some are rare.
    p = 1 / np.arange(1, vocabulary + 1)
    p /= p.sum()
    return [
        ["<eos>", *rng.choice(words, size=rng.integers(3, 40), p=p)]
        for _ in range(count)
    ]


@pytest.mark.parametrize("seed", [0, 1])
def test_same_probabilities_as_nltk(seed):
    lm = pytest.importorskip("nltk.lm")
    from nltk.util import everygrams

    streams = _streams(seed)
    reference = lm.KneserNeyInterpolated(3)
    reference.fit(
        (everygrams(s, max_len=3) for s in streams),
        [t for s in streams for t in s],
    )
    ours = _load()(streams)
    tested = 0
    for stream in _streams(seed + 10, count=8):
        for index in range(1, len(stream)):
            context = stream[max(0, index - 2) : index]
            try:
                expected = reference.score(stream[index], context)
            except ZeroDivisionError:
                continue  # nltk fails on a context never seen mid-trigram
            if expected == 0:
                continue  # nltk's zero for a word never seen as a follower
            assert ours.score(stream[index], context) == pytest.approx(
                expected, rel=1e-12
            )
            tested += 1
    assert tested > 100


def test_probabilities_sum_to_one():
    streams = _streams(3)
    ours = _load()(streams)
    words = sorted({t for s in streams for t in s})
    for context in (("w0", "w1"), ("w3",), ("w23", "w2"), ("zz", "w0")):
        total = sum(ours.score(w, context) for w in words)
        assert total == pytest.approx(1.0, abs=1e-9), context
