"""The caption decoder as users run it: train -> predict -> export.

The default task is real: canvases of real handwritten digits (mnist-5k,
bundled). The tiny preset trains a tiny model for two short epochs, so
these tests check the machinery and its agreements, not the quality
(tests/training/test_learning.py checks that a tiny model learns; the
large test and docs/benchmarks.md give the full-size figures).
"""

import csv
import json

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

from seqkit.cli import cli
from seqkit.data import digits


def _invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def _lines(output):
    return [json.loads(line) for line in output.splitlines() if line]


@pytest.fixture(scope="module")
def digit_run(tmp_path_factory):
    run = tmp_path_factory.mktemp("caption") / "run"
    result = _invoke(
        "train", "caption", "--preset", "tiny", "--quiet", "--out", run
    )
    assert result.exit_code == 0, result.output
    return run, json.loads(result.output.splitlines()[-1])


@pytest.fixture(scope="module")
def canvases(tmp_path_factory):
    folder = tmp_path_factory.mktemp("canvases")
    found = digits.digit_canvases("test", 5, seed=11)
    np.save(folder / "canvases.npy", found.images)
    return folder / "canvases.npy", found


def test_train_writes_the_run_and_its_metrics(digit_run):
    run, summary = digit_run
    for name in ("model.keras", "config.json", "history.json", "data.json"):
        assert (run / name).is_file(), name
    metrics = json.loads((run / "metrics.json").read_text())
    assert metrics["valid"]["n"] == digits.VALID_CANVASES
    assert metrics["test"]["n"] == digits.TEST_CANVASES
    for split in ("valid", "test"):
        found = metrics[split]
        assert found["decode"].startswith("beam search, width 2")
        assert found["greedy"]["decode"] == "greedy"
        for scores in (found, found["greedy"]):
            assert scores["bleu"] == scores["bleu_4"]
            # A fraction of whole captions: right ones over found["n"].
            right = scores["exact_match"] * found["n"]
            assert right == pytest.approx(round(right), abs=1e-3)
            assert 0 <= round(right) <= found["n"]
            assert all(0.0 <= scores[f"bleu_{n}"] <= 100.0 for n in range(1, 5))
        assert summary[split]["bleu"] == found["bleu"]
    data = json.loads((run / "data.json").read_text())
    assert data["digit_images"] == {"train": 3600, "valid": 400, "test": 1000}
    assert data["max_words"] == 4
    assert len(json.loads((run / "history.json").read_text())) == 2


def test_train_renders_the_attention_picture(digit_run):
    run, _ = digit_run
    with Image.open(run / "attention.png") as picture:
        assert picture.format == "PNG"
        width, height = picture.size
    assert width > 300 and height > 300


def test_predict_prints_one_caption_per_input(digit_run, canvases):
    run, _ = digit_run
    path, _ = canvases
    result = _invoke("predict", run, "--input", path)
    assert result.exit_code == 0, result.output
    found = _lines(result.output)
    assert [f["input"] for f in found] == [
        f"canvases.npy[{i}]" for i in range(5)
    ]
    for item in found:
        assert len(item["beams"]) == 2
        normalized = [beam["normalized"] for beam in item["beams"]]
        assert normalized == sorted(normalized, reverse=True)
        assert item["caption"] == item["beams"][0]["caption"]
        words = item["caption"].split()
        assert set(words) <= set(digits.DIGIT_WORDS)
        assert len(words) <= 5
        assert "[END]" not in item["caption"]


def test_beam_width_one_is_greedy_through_the_command_line(digit_run, canvases):
    run, _ = digit_run
    path, _ = canvases
    greedy = _lines(
        _invoke("predict", run, "--input", path, "--decode", "greedy").output
    )
    beam = _lines(
        _invoke(
            "predict",
            run,
            "--input",
            path,
            "--decode",
            "beam",
            "--beam-width",
            1,
        ).output
    )
    assert [g["caption"] for g in greedy] == [b["caption"] for b in beam]
    for g, b in zip(greedy, beam):
        assert g["score"] == pytest.approx(b["score"], abs=1e-3)


def test_predict_reads_image_files(digit_run, canvases, tmp_path):
    run, _ = digit_run
    path, found = canvases
    picture = tmp_path / "canvas.png"
    Image.fromarray((found.images[0] * 255).round().astype("uint8")).save(
        picture
    )
    from_image = _lines(_invoke("predict", run, picture).output)
    from_array = _lines(_invoke("predict", run, "--input", path).output)
    assert from_image[0]["input"] == str(picture)
    # 8-bit rounding of the pixels may move a score a little, not a caption.
    assert from_image[0]["caption"] == from_array[0]["caption"]


def test_predict_names_a_wrong_input_size(digit_run, tmp_path):
    run, _ = digit_run
    bad = tmp_path / "bad.npy"
    np.save(bad, np.zeros((2, 28, 100), "float32"))
    result = _invoke("predict", run, "--input", bad)
    assert result.exit_code != 0
    assert "bad.npy" in result.output and "[28, 128]" in result.output


def test_the_export_decodes_in_the_graph_as_predict_does(
    digit_run, canvases, tmp_path
):
    import tensorflow as tf

    run, _ = digit_run
    path, _ = canvases
    result = _invoke("export", run, "--out", tmp_path / "export")
    assert result.exit_code == 0, result.output
    written = json.loads(result.output.splitlines()[-1])
    assert written["inputs"] == {"image": "float32 [None, 28, 128]"}
    serve = tf.saved_model.load(written["path"]).signatures["serving_default"]
    outputs = serve(image=tf.constant(np.load(path)))
    predicted = _lines(_invoke("predict", run, "--input", path).output)
    captions = [c.decode() for c in outputs["caption"].numpy()]
    assert captions == [p["caption"] for p in predicted]
    beams = outputs["beams"].numpy()
    scores = outputs["beam_scores"].numpy()
    for row, item in enumerate(predicted):
        assert [b.decode() for b in beams[row]] == [
            b["caption"] for b in item["beams"]
        ]
        np.testing.assert_allclose(
            scores[row], [b["score"] for b in item["beams"]], atol=2e-4
        )
    metadata = json.loads(
        (tmp_path / "export" / "1" / "assets.extra" / "seqkit.json").read_text()
    )
    assert metadata["task"] == "captioning"
    assert metadata["decoding"]["beam_width"] == 2


def _feature_task(folder, count=40, seed=0):
    """Features [n, 3, 4]; the caption names the largest value's column
    in each region ("a b c d" words)."""
    rng = np.random.default_rng(seed)
    features = rng.random((count, 3, 4), dtype="float32")
    words = np.array(["a", "b", "c", "d"])
    captions = [" ".join(words[row.argmax(-1)]) for row in features]
    np.save(folder / "features.npy", features)
    (folder / "captions.txt").write_text("\n".join(captions) + "\n")
    return folder / "features.npy", folder / "captions.txt"


def test_train_on_features_and_captions(tmp_path):
    features, captions = _feature_task(tmp_path)
    run = tmp_path / "run"
    result = _invoke(
        "train", "caption", "--preset", "tiny", "--quiet",
        "--features", features, "--captions", captions, "--out", run,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    metrics = json.loads((run / "metrics.json").read_text())
    assert metrics["valid"]["n"] == 4 and metrics["test"]["n"] == 4
    data = json.loads((run / "data.json").read_text())
    split = data["split"]
    assert split["seed"] == 1337
    assert split["fractions"] == {"test": 0.1, "valid": 0.1}
    ids = split["train"] + split["valid"] + split["test"]
    assert sorted(ids) == list(range(40))
    predicted = _lines(_invoke("predict", run, "--input", features).output)
    assert len(predicted) == 40
    assert all(set(p["caption"].split()) <= set("abcd") for p in predicted)


def test_rows_with_the_same_input_stay_on_one_side(tmp_path):
    features, captions = _feature_task(tmp_path, count=30)
    # Every input twice (its caption too): 60 rows, 30 distinct inputs.
    np.save(features, np.concatenate([np.load(features)] * 2))
    lines = captions.read_text().splitlines()
    captions.write_text("\n".join(lines * 2) + "\n")
    run = tmp_path / "run"
    result = _invoke(
        "train", "caption", "--preset", "tiny", "--quiet", "--epochs", 1,
        "--features", features, "--captions", captions,
        "--valid-fraction", 0.2, "--out", run,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    split = json.loads((run / "data.json").read_text())["split"]
    assert split["fractions"] == {"test": 0.1, "valid": 0.2}
    sides = {
        name: {i % 30 for i in split[name]}
        for name in ("train", "valid", "test")
    }
    assert not sides["train"] & sides["valid"]
    assert not sides["train"] & sides["test"]
    assert not sides["valid"] & sides["test"]
    # Whole pairs: 6 rows for test, then 20% of the 54 left for valid.
    assert (len(split["test"]), len(split["valid"])) == (6, 10)


@pytest.mark.parametrize(
    "lines, message",
    [
        (["a b c"] * 39, "39 captions for 40 feature rows"),
        (["a b c"] * 5 + ["  "] + ["a b c"] * 34, "line 6: empty caption"),
    ],
)
def test_bad_caption_files_are_named(tmp_path, lines, message):
    features, captions = _feature_task(tmp_path)
    captions.write_text("\n".join(lines) + "\n")
    result = _invoke(
        "train", "caption", "--preset", "tiny", "--quiet",
        "--features", features, "--captions", captions,
        "--out", tmp_path / "run",
    )  # fmt: skip
    assert result.exit_code != 0
    assert "captions.txt" in result.output and message in result.output
    assert "Traceback" not in result.output


def test_features_without_captions_are_refused(tmp_path):
    features, _ = _feature_task(tmp_path)
    result = _invoke(
        "train", "caption", "--features", features, "--out", tmp_path / "run"
    )
    assert result.exit_code != 0
    assert "features and captions go together" in result.output


def _image_table(folder, count=24):
    found = digits.digit_canvases("train", count, seed=3, max_digits=2)
    rows = [["file", "text"]]
    for index, (image, caption) in enumerate(zip(found.images, found.captions)):
        name = f"canvas-{index}.png"
        pixels = (image * 255).round().astype("uint8")
        Image.fromarray(pixels).save(folder / name)
        rows.append([name, caption])
    table = folder / "images.csv"
    with open(table, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return table


def test_train_on_a_table_of_images(tmp_path):
    table = _image_table(tmp_path)
    run = tmp_path / "run"
    result = _invoke(
        "train", "caption", "--preset", "tiny", "--quiet", "--train", table,
        "--image-column", "file", "--text-column", "text",
        "--image-size", 28, 64, "--out", run,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads((run / "data.json").read_text())
    assert data["files"]["image_size"] == [28, 64]
    assert data["counts"] == {"train": 20, "valid": 2, "test": 2}
    predicted = _lines(_invoke("predict", run, "--input", table).output)
    assert [p["input"] for p in predicted] == [
        f"canvas-{i}.png" for i in range(24)
    ]


def test_a_missing_image_is_named_with_its_line(tmp_path):
    table = _image_table(tmp_path, count=6)
    (tmp_path / "canvas-3.png").unlink()
    result = _invoke(
        "train", "caption", "--train", table, "--image-column", "file",
        "--caption-column", "text", "--out", tmp_path / "run",
    )  # fmt: skip
    assert result.exit_code != 0
    assert "images.csv, line 5, field 'file'" in result.output
    assert "canvas-3.png" in result.output


def test_explain_renders_the_attention_of_given_inputs(
    digit_run, canvases, tmp_path
):
    run, _ = digit_run
    path, _ = canvases
    out = tmp_path / "explained.png"
    result = _invoke(
        "explain", run, "--input", path, "--out", out, "--limit", 3
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output.splitlines()[-1])
    predicted = _lines(_invoke("predict", run, "--input", path).output)
    assert [e["caption"] for e in summary["explained"]] == [
        p["caption"] for p in predicted[:3]
    ]
    with Image.open(out) as picture:
        assert picture.format == "PNG"
    result = _invoke(
        "explain", run, "--input", path, "--out", tmp_path / "x.pdf"
    )
    assert result.exit_code != 0 and ".png" in result.output


def test_attention_weights_follow_the_generated_words(digit_run, canvases):
    from seqkit.models.caption.pictures import attention_weights
    from seqkit.runs import load_run

    run, _ = digit_run
    path, found = canvases
    model = load_run(run)
    captions = ["one two", "", "three four five six"]
    weights = attention_weights(model, found.images[:3], captions)
    # One row per word plus the end token; each a distribution over the
    # image columns (128 pixels, two poolings in the tiny preset: 32).
    assert model.region_count == 32
    assert [w.shape for w in weights] == [(3, 32), (1, 32), (5, 32)]
    for rows in weights:
        np.testing.assert_allclose(rows.sum(-1), 1.0, rtol=1e-5)


def test_serve_answers_caption_requests(digit_run, canvases, tmp_path):
    from seqkit.testing.server_process import ServerProcess

    run, _ = digit_run
    path, _ = canvases
    base = tmp_path / "captions"
    assert _invoke("export", run, "--out", base).exit_code == 0
    predicted = _lines(_invoke("predict", run, "--input", path).output)
    images = np.load(path)[:2].tolist()
    process = ServerProcess(base)
    try:
        status, answer = process.request(
            "POST",
            "/v1/models/captions:predict",
            {"instances": [{"image": image} for image in images]},
        )
        assert status == 200, answer
        found = answer["predictions"]
        assert [f["caption"] for f in found] == [
            p["caption"] for p in predicted[:2]
        ]
        assert len(found[0]["beams"]) == 2
        status, answer = process.request(
            "POST",
            "/v1/models/captions:predict",
            {"instances": [{"image": [[0.0] * 5]}]},
        )
        assert status == 400 and "error" in answer
    finally:
        process.stop()


def test_evaluate_scores_a_table_of_images(digit_run, tmp_path):
    run, _ = digit_run
    table = _image_table(tmp_path, count=6)
    result = _invoke(
        "evaluate", run, "--data", table, "--image-column", "file",
        "--caption-column", "text",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    metrics = json.loads(result.output.splitlines()[-1])
    assert metrics["n"] == 6
    predicted = _lines(
        _invoke(
            "predict", run, "--input", table, "--image-column", "file"
        ).output
    )
    with open(table, encoding="utf-8") as handle:
        truth = [row["text"] for row in csv.DictReader(handle)]
    exact = sum(p["caption"] == t for p, t in zip(predicted, truth)) / 6
    assert metrics["exact_match"] == pytest.approx(exact, abs=1e-6)
    assert "greedy" in metrics
