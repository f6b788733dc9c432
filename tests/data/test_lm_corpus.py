"""Corpus files and the lane/window layout of truncated BPTT."""

import numpy as np
import pytest

from seqkit.data import DataError
from seqkit.data.lm_corpus import bptt_windows, document_ids, read_corpus
from seqkit.preprocessing import Vocabulary


def test_read_corpus_splits_documents_at_blank_lines(tmp_path):
    path = tmp_path / "corpus.txt"
    path.write_text("a b .\nc d .\n\n\n e f \n\ng\n", encoding="utf-8")
    assert read_corpus(path) == [["a b .", "c d ."], ["e f"], ["g"]]


def test_read_corpus_names_the_undecodable_line(tmp_path):
    path = tmp_path / "corpus.txt"
    path.write_bytes(b"fine\nbad \xff byte\n")
    with pytest.raises(DataError, match=r"corpus.txt.*line 2.*UTF-8"):
        read_corpus(path)


def test_read_corpus_errors(tmp_path):
    with pytest.raises(DataError, match="no such corpus file"):
        read_corpus(tmp_path / "missing.txt")
    empty = tmp_path / "empty.txt"
    empty.write_text("\n\n", encoding="utf-8")
    with pytest.raises(DataError, match="holds no text"):
        read_corpus(empty)


def test_document_ids_put_eos_around_every_line():
    vocab = Vocabulary(["[EOS]", "a", "b"])
    ids = document_ids([["a", "b"], ["b", "zzz"]], vocab, eos_id=2)
    assert ids.tolist() == [2, 3, 4, 2, 4, 1, 2]


def _documents(lengths, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.integers(2, 30, size=n).astype(np.int32) for n in lengths]


def test_windows_hold_every_pair_once_and_documents_start_on_resets():
    docs = _documents([5, 12, 3, 9, 1, 20, 7])
    windows = bptt_windows(docs, batch_size=3, bptt=4)
    # Every (input, target) pair of every document appears exactly once.
    expected = sorted(
        (int(a), int(b)) for d in docs if len(d) > 1 for a, b in zip(d, d[1:])
    )
    mask = windows.targets > 0
    found = sorted(
        zip(windows.inputs[mask].tolist(), windows.targets[mask].tolist())
    )
    assert found == expected
    assert windows.tokens == len(expected)
    # Follow each lane: a document's pairs are contiguous and start in a
    # window whose reset flag is set; no other window resets mid-document.
    for lane in range(3):
        flat_in = windows.inputs[:, lane].reshape(-1)
        starts = np.flatnonzero(windows.reset[:, lane]) * 4
        for start in starts:
            if flat_in[start] == 0:
                continue  # an empty window after the lane's last document
            match = [
                d
                for d in docs
                if len(d) > 1
                and d[0] == flat_in[start]
                and np.array_equal(flat_in[start : start + len(d) - 1], d[:-1])
            ]
            assert match, f"lane {lane} window {start // 4} starts no document"


def test_windows_balance_the_lanes():
    docs = _documents([40] * 9)
    windows = bptt_windows(docs, batch_size=3, bptt=10)
    # 9 documents of 39 pairs (4 windows each) over 3 lanes: 12 windows.
    assert len(windows) == 12
    assert windows.reset.sum() == 9


def test_windows_reject_bad_sizes():
    with pytest.raises(ValueError, match="bptt"):
        bptt_windows(_documents([5]), batch_size=2, bptt=0)
