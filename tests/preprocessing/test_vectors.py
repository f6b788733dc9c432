import numpy as np
import pytest

from seqkit.preprocessing import (
    VectorsFileError,
    Vocabulary,
    embedding_matrix,
    load_word_vectors,
)

ROWS = {
    "the": [0.5, -1.0, 2.0],
    "film": [1.5, 0.25, -0.5],
    "paris": [-2.0, 1.0, 0.0],
    ",": [0.0, 3.0, 1.0],
}


def write_glove(path, rows=ROWS, header=False):
    lines = [f"{len(rows)} 3"] if header else []
    lines += [
        f"{w} " + " ".join(str(v) for v in vec) for w, vec in rows.items()
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def all_values_std(rows=ROWS):
    return float(np.std(np.array(list(rows.values()), dtype=np.float64)))


@pytest.mark.parametrize("header", [False, True], ids=["glove", "word2vec"])
def test_reads_glove_and_word2vec_text(tmp_path, header):
    path = write_glove(tmp_path / "vectors.txt", header=header)
    vectors = load_word_vectors(path)
    assert vectors.words == list(ROWS)
    assert vectors.dim == 3
    assert vectors.matrix.dtype == np.float32
    np.testing.assert_array_equal(vectors.get("film"), ROWS["film"])
    assert vectors.get("missing") is None
    assert vectors.std == pytest.approx(all_values_std())


def test_word2vec_trailing_spaces_and_blank_lines(tmp_path):
    path = tmp_path / "w2v.txt"
    path.write_text("2 2\na 1 2 \n\nb 3 4 \n", encoding="utf-8")
    vectors = load_word_vectors(path)
    assert vectors.words == ["a", "b"]
    np.testing.assert_array_equal(vectors.matrix, [[1, 2], [3, 4]])


def test_restricted_to_a_vocabulary(tmp_path):
    path = write_glove(tmp_path / "vectors.txt")
    vectors = load_word_vectors(path, vocabulary=Vocabulary(["Paris", "the"]))
    assert vectors.words == ["the", "paris"]
    assert vectors.std == pytest.approx(all_values_std())


@pytest.mark.parametrize(
    "text, line, message",
    [
        ("a 1 2 3\nb 1 2\n", 2, "has 2 values, expected 3"),
        ("a 1 2 3\nb 1 x 3\n", 2, "'x'"),
        ("a 1 2 3\nb 1 2 3\nc 1 nan 3\n", 3, "non-finite"),
        ("2 3\na 1 2 3\nb 1 2 3 4\n", 3, "has 4 values, expected 3"),
        ("lonely\n", 1, "no values"),
    ],
)
def test_bad_rows_name_file_and_line(tmp_path, text, line, message):
    path = tmp_path / "bad.txt"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(VectorsFileError, match=message) as info:
        load_word_vectors(path)
    assert f"bad.txt, line {line}:" in str(info.value)
    assert info.value.line == line
    assert isinstance(info.value, ValueError)


def test_whole_file_errors(tmp_path):
    path = tmp_path / "short.txt"
    path.write_text("3 2\na 1 2\nb 3 4\n", encoding="utf-8")
    with pytest.raises(VectorsFileError, match="announces 3 vectors"):
        load_word_vectors(path)
    path.write_text("", encoding="utf-8")
    with pytest.raises(VectorsFileError, match="no vectors"):
        load_word_vectors(path)
    path.write_bytes(b"a 1 2\n\xff\xfe 1 2\n")
    with pytest.raises(VectorsFileError, match="line 2.*binary"):
        load_word_vectors(path)


def vocab_and_vectors(tmp_path):
    counts = {"the": 10, "Paris": 4, "film": 3, "zzz": 2, "qqq": 1}
    vocab = Vocabulary.from_counts(counts)
    vocab.unknown_count = 5
    vectors = load_word_vectors(write_glove(tmp_path / "v.txt"))
    return vocab, vectors, counts


def test_embedding_matrix_values(tmp_path):
    vocab, vectors, _ = vocab_and_vectors(tmp_path)
    matrix, _ = embedding_matrix(vocab, vectors, seed=0)
    assert matrix.shape == (len(vocab), 3)
    assert matrix.dtype == np.float32
    np.testing.assert_array_equal(matrix[0], 0.0)
    for word in ("the", "film"):
        np.testing.assert_array_equal(
            matrix[vocab.token_to_id(word)], ROWS[word]
        )
    # Exact word first, then its lower-cased form.
    np.testing.assert_array_equal(
        matrix[vocab.token_to_id("Paris")], ROWS["paris"]
    )
    again, _ = embedding_matrix(vocab, vectors, seed=0)
    np.testing.assert_array_equal(again, matrix)
    other, _ = embedding_matrix(vocab, vectors, seed=1)
    assert not np.array_equal(other[1], matrix[1])


def test_random_rows_use_the_vectors_std(tmp_path):
    rng = np.random.default_rng(0)
    rows = {f"w{i}": rng.normal(0, 2.0, 400).tolist() for i in range(50)}
    path = tmp_path / "wide.txt"
    path.write_text(
        "".join(f"{w} {' '.join(map(str, v))}\n" for w, v in rows.items()),
        encoding="utf-8",
    )
    vectors = load_word_vectors(path)
    vocab = Vocabulary([f"new{i}" for i in range(50)])
    matrix, coverage = embedding_matrix(vocab, vectors, seed=0)
    assert coverage.found == 0
    assert float(np.std(matrix[1:])) == pytest.approx(vectors.std, rel=0.05)
    assert float(np.mean(matrix[1:])) == pytest.approx(0.0, abs=0.05)


def test_coverage_figures(tmp_path):
    vocab, vectors, counts = vocab_and_vectors(tmp_path)
    _, coverage = embedding_matrix(vocab, vectors, seed=0)
    found = [w for w in vocab.words if w in ROWS or w.lower() in ROWS]
    covered = sum(counts[w] for w in found)
    total = sum(counts.values()) + 5
    assert coverage.vocabulary_size == 5
    assert coverage.found == len(found) == 3
    assert coverage.found_lowercase == 1
    assert coverage.type_fraction == pytest.approx(3 / 5)
    assert (coverage.covered_tokens, coverage.total_tokens) == (covered, total)
    assert coverage.token_fraction == pytest.approx(17 / 25)
    assert coverage.missing_examples == ["zzz", "qqq"]
    assert coverage.to_dict()["found"] == 3


def test_coverage_with_explicit_or_no_counts(tmp_path):
    vocab, vectors, _ = vocab_and_vectors(tmp_path)
    _, coverage = embedding_matrix(
        vocab, vectors, token_counts={"the": 1, "zzz": 3}
    )
    assert coverage.token_fraction == pytest.approx(1 / 4)
    _, coverage = embedding_matrix(Vocabulary(["the", "x"]), vectors)
    assert coverage.token_fraction is None
    assert coverage.type_fraction == 0.5
    with pytest.raises(ValueError, match="Vocabulary"):
        embedding_matrix(["the"], vectors)


def test_compound_words_take_the_mean_of_their_parts(tmp_path):
    from seqkit.preprocessing.vectors import word_parts

    assert word_parts("doesn't") == ["does", "n't"]
    assert word_parts("film's") == ["film", "'s"]
    assert word_parts("by-the-numbers") == ["by", "the", "numbers"]
    assert word_parts("film") is None and word_parts("-x") is None
    path = tmp_path / "v.txt"
    path.write_text(
        "does 1 0\nn't 0 2\nfilm 4 4\nslow 2 0\nburn 0 2\n", encoding="utf-8"
    )
    vocab = Vocabulary(["doesn't", "slow-burn", "film's", "film"])
    vectors = load_word_vectors(path, vocabulary=vocab)
    matrix, coverage = embedding_matrix(vocab, vectors, seed=0)
    np.testing.assert_allclose(matrix[2], [0.5, 1.0])  # doesn't
    np.testing.assert_allclose(matrix[3], [1.0, 1.0])  # slow-burn
    np.testing.assert_allclose(matrix[5], [4.0, 4.0])  # film
    assert coverage.found == 3 and coverage.found_from_parts == 2
    assert coverage.missing_examples == ["film's"]  # no vector for 's
