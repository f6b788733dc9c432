"""The bundled mnist-5k digits, their fixed split and the digit canvases."""

import gzip
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from seqkit.data import DataError, get_dataset
from seqkit.data import digits as digits_module
from seqkit.data.digits import (
    DIGIT_WORDS,
    TEST_CANVASES,
    TEST_SEED,
    VALID_CANVASES,
    VALID_SEED,
    compose_canvases,
    digit_canvases,
    digit_split,
    make_digit_split,
    read_mnist_5k,
)

REPO = Path(__file__).resolve().parents[2]
BUNDLED = REPO / "data" / "mnist-5k"
README = REPO / "data" / "README.md"
FILE_SHA256 = "846f6cad587fea3877f6e0fe0a1968dfc68867ce170d3bc9fc2dccdbed17961d"


@pytest.fixture(scope="module")
def mnist():
    return read_mnist_5k()


def tiny_digits(count=6):
    """Small synthetic 28x28 images, each with ink everywhere in its box."""
    rng = np.random.default_rng(7)
    images = rng.integers(1, 256, size=(count, 28, 28)).astype(np.uint8)
    return images, np.arange(count) % 10


def row(label=3, pixel=0):
    return [pixel] * 784 + [label]


def write_csv(path, rows):
    text = "".join(",".join(str(v) for v in r) + "\n" for r in rows)
    if path.suffix == ".gz":
        with gzip.open(path, "wt", encoding="ascii") as file:
            file.write(text)
    else:
        path.write_text(text, encoding="ascii")
    return path


# Reading.


def test_read_bundled(mnist):
    images, labels = mnist
    assert images.shape == (5000, 28, 28) and images.dtype == np.uint8
    assert labels.shape == (5000,) and labels.dtype == np.int64
    assert np.bincount(labels).tolist() == [500] * 10
    assert images.max() == 255 and images.min() == 0


def test_bundled_file_is_the_registered_member_verbatim():
    data = (BUNDLED / "mnist_5k.csv.gz").read_bytes()
    assert hashlib.sha256(data).hexdigest() == FILE_SHA256
    readme = README.read_text(encoding="utf-8")
    assert FILE_SHA256 in readme
    assert get_dataset("mnist-5k").sha256 in readme


def test_reads_plain_and_gzip(tmp_path):
    rows = [row(label=1, pixel=0), row(label=9, pixel=255)]
    for name in ("d.csv", "d.csv.gz"):
        images, labels = read_mnist_5k(write_csv(tmp_path / name, rows))
        assert images.shape == (2, 28, 28)
        assert labels.tolist() == [1, 9]
        assert images[1].min() == 255


@pytest.mark.parametrize("name", ["bad.csv", "bad.csv.gz"])
@pytest.mark.parametrize(
    "bad, line, words",
    [
        (row()[:-1], 2, "expected 785 fields"),
        (row() + [0], 2, "found 786"),
        (row(pixel=300), 2, "pixel 300 out of range"),
        (row(label=12), 2, "label 12 out of range"),
        (row(label=-1), 2, "label -1 out of range"),
        (["x"] + row()[1:], 2, "expected an integer, found 'x'"),
        (row()[:5] + [""] + row()[6:], 2, "expected an integer"),
    ],
)
def test_bad_rows_name_file_and_line(tmp_path, name, bad, line, words):
    path = write_csv(tmp_path / name, [row(), bad, row()])
    with pytest.raises(DataError, match=words) as caught:
        read_mnist_5k(path)
    assert caught.value.path == str(path)
    assert caught.value.line == line
    assert f"{path}, line {line}" in str(caught.value)


def test_out_of_range_error_names_the_field(tmp_path):
    bad = row()
    bad[29] = 256
    path = write_csv(tmp_path / "bad.csv", [row(), row(), bad])
    with pytest.raises(DataError) as caught:
        read_mnist_5k(path)
    assert caught.value.line == 3 and caught.value.field == "pixel 30"


def test_empty_file(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("")
    with pytest.raises(DataError, match="no rows"):
        read_mnist_5k(path)


def test_module_imports_no_tensorflow():
    code = (
        "import sys, seqkit.data.digits\n"
        "assert 'tensorflow' not in sys.modules\n"
        "assert 'keras' not in sys.modules\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr[-1500:]


# The split.


def test_committed_split_is_make_digit_split_2026(mnist):
    record = json.loads((BUNDLED / "split.json").read_text(encoding="utf-8"))
    assert record == make_digit_split(mnist[1], 2026)
    assert record["seed"] == 2026


def test_split_is_disjoint_complete_and_stratified(mnist):
    split = digit_split()
    sets = {name: set(ids.tolist()) for name, ids in split.items()}
    assert not sets["train"] & sets["valid"]
    assert not sets["train"] & sets["test"]
    assert not sets["valid"] & sets["test"]
    assert sets["train"] | sets["valid"] | sets["test"] == set(range(5000))
    per_class = {"train": 360, "valid": 40, "test": 100}
    for name, ids in split.items():
        assert len(sets[name]) == len(ids)
        counts = np.bincount(mnist[1][ids], minlength=10).tolist()
        assert counts == [per_class[name]] * 10


def test_split_depends_on_the_seed(mnist):
    other = make_digit_split(mnist[1], 1)["test"]
    assert other != digit_split()["test"].tolist()


def test_bad_split_file(tmp_path):
    path = tmp_path / "split.json"
    path.write_text('{"train": [1], "valid": [2]}')
    with pytest.raises(DataError, match="list of row ids") as caught:
        digit_split(path)
    assert caught.value.field == "test"
    path.write_text("{not json")
    with pytest.raises(DataError, match="cannot read the split"):
        digit_split(path)


# Composing canvases.


def test_canvas_shapes_values_and_captions():
    images, labels = tiny_digits()
    canvases = compose_canvases(images, labels, count=300, seed=0)
    assert len(canvases) == 300
    assert canvases.images.shape == (300, 28, 128)
    assert canvases.images.dtype == np.float32
    assert canvases.images.min() >= 0 and canvases.images.max() <= 1
    lengths = [len(d) for d in canvases.digits]
    assert set(lengths) == {1, 2, 3, 4}
    for caption, digits, sources in zip(
        canvases.captions, canvases.digits, canvases.sources
    ):
        assert caption == " ".join(DIGIT_WORDS[d] for d in digits)
        assert digits == labels[sources].tolist()
        assert len(sources) == len(digits)


def test_digit_count_range():
    images, labels = tiny_digits()
    canvases = compose_canvases(
        images, labels, 200, seed=3, min_digits=2, max_digits=3, width=92
    )
    assert {len(d) for d in canvases.digits} == {2, 3}
    assert {len(c.split()) for c in canvases.captions} == {2, 3}


def find_columns(canvas, image):
    """The columns where `image` (as 0..1) fills a 28-wide window exactly."""
    target = image.astype(np.float32) / np.float32(255)
    width = canvas.shape[1]
    return [
        x
        for x in range(width - 27)
        if np.array_equal(canvas[:, x : x + 28], target)
    ]


def test_without_overlap_or_jitter_each_image_is_copied(mnist):
    images, labels = mnist
    canvases = compose_canvases(
        images, labels, 40, seed=5, gap=(0, 4), jitter=0
    )
    for canvas, sources in zip(canvases.images, canvases.sources):
        starts = [find_columns(canvas, images[s])[0] for s in sources]
        assert all(b - a >= 28 for a, b in zip(starts, starts[1:]))
        ink = images[sources].astype(np.float32).sum() / 255
        assert canvas.sum() == pytest.approx(ink, rel=1e-5)


def test_overlapping_digits_keep_the_brighter_pixel(mnist):
    images, labels = mnist
    canvases = compose_canvases(
        images, labels, 30, seed=6, gap=(-10, -5), jitter=2, width=112
    )
    for canvas, sources in zip(canvases.images, canvases.sources):
        for s in sources:
            target = images[s].astype(np.float32) / 255
            # Where boxes overlap the canvas keeps the max, so each digit
            # lies under the canvas at its place and shift.
            assert any(
                (canvas[:, x : x + 28] >= shifted(target, dy)).all()
                for x in range(canvas.shape[1] - 27)
                for dy in range(-2, 3)
            )


def shifted(image, dy):
    out = np.zeros_like(image)
    if dy >= 0:
        out[dy:] = image[: 28 - dy]
    else:
        out[:dy] = image[-dy:]
    return out


def test_vertical_jitter_fills_with_zero():
    images, labels = tiny_digits(1)
    canvases = compose_canvases(
        images, labels, 60, seed=2, max_digits=1, width=28, jitter=3
    )
    target = images[0].astype(np.float32) / 255
    seen = set()
    for canvas in canvases.images:
        matches = [
            dy
            for dy in range(-3, 4)
            if np.allclose(canvas, shifted(target, dy))
        ]
        assert len(matches) == 1
        seen.add(matches[0])
    assert seen == set(range(-3, 4))


def test_same_seed_same_canvases_other_seed_differs():
    images, labels = tiny_digits()
    first = compose_canvases(images, labels, 50, seed=(4, 0))
    again = compose_canvases(images, labels, 50, seed=(4, 0))
    other = compose_canvases(images, labels, 50, seed=(4, 1))
    assert np.array_equal(first.images, again.images)
    assert first.captions == again.captions
    assert first.sources == again.sources
    assert not np.array_equal(first.images, other.images)
    assert first.sources != other.sources


def test_width_must_hold_the_widest_row():
    images, labels = tiny_digits()
    compose_canvases(images, labels, 5, seed=0, width=124)
    with pytest.raises(ValueError, match="at least 124"):
        compose_canvases(images, labels, 5, seed=0, width=123)
    # Gaps that are all negative need less than four full boxes.
    compose_canvases(images, labels, 5, seed=0, gap=(-4, -2), width=106)


@pytest.mark.parametrize(
    "options, argument",
    [
        ({"min_digits": 0}, "min_digits"),
        ({"min_digits": 3, "max_digits": 2}, "max_digits"),
        ({"gap": (3, 1)}, "gap"),
        ({"gap": (-28, 0)}, "gap"),
        ({"jitter": 28}, "jitter"),
        ({"count": -1}, "count"),
    ],
)
def test_bad_options_name_the_argument(options, argument):
    images, labels = tiny_digits()
    arguments = {"count": 5, "seed": 0, **options}
    with pytest.raises(ValueError, match=f"`{argument}`"):
        compose_canvases(images, labels, **arguments)


def test_bad_images_or_labels():
    images, labels = tiny_digits()
    with pytest.raises(ValueError, match="`images`"):
        compose_canvases(images[:, :20], labels, 5, seed=0)
    with pytest.raises(ValueError, match="`labels`"):
        compose_canvases(images, labels[:-1], 5, seed=0)
    with pytest.raises(ValueError, match="digits 0..9"):
        compose_canvases(images, labels + 5, 5, seed=0)


# Canvases of one split.


def test_test_canvases_use_only_test_images(mnist):
    split = digit_split()
    test = digit_canvases("test", 300, seed=TEST_SEED)
    train = digit_canvases("train", 300, seed=(0, 0))
    test_sources = {s for sources in test.sources for s in sources}
    train_sources = {s for sources in train.sources for s in sources}
    assert test_sources <= set(split["test"].tolist())
    assert train_sources <= set(split["train"].tolist())
    assert not test_sources & train_sources
    for digits, sources in zip(test.digits, test.sources):
        assert digits == mnist[1][sources].tolist()


def test_fixed_evaluation_sets():
    assert (VALID_CANVASES, VALID_SEED) == (500, 1)
    assert (TEST_CANVASES, TEST_SEED) == (1000, 2)
    valid = digit_canvases("valid", VALID_CANVASES, seed=VALID_SEED)
    assert valid.images.shape == (500, 28, 128)
    again = digit_canvases("valid", VALID_CANVASES, seed=VALID_SEED)
    assert valid.captions == again.captions
    valid_ids = set(digit_split()["valid"].tolist())
    assert {s for row in valid.sources for s in row} <= valid_ids


def test_digit_canvases_passes_options_and_checks_split():
    canvases = digit_canvases("valid", 20, seed=0, max_digits=2, width=64)
    assert canvases.images.shape == (20, 28, 64)
    assert max(len(d) for d in canvases.digits) <= 2
    with pytest.raises(ValueError, match="`split`"):
        digit_canvases("training", 5, seed=0)


def test_missing_bundled_file_falls_back_to_fetch(monkeypatch, tmp_path):
    fetched = write_csv(tmp_path / "mnist_5k.csv", [row(label=4)])
    monkeypatch.setattr(digits_module, "BUNDLED_FILE", tmp_path / "none.gz")
    monkeypatch.setattr(digits_module.registry, "fetch", lambda name: fetched)
    images, labels = read_mnist_5k()
    assert labels.tolist() == [4]
