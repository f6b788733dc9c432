"""The document classifier as a new user runs it: their own CSV of
multi-sentence documents with three classes, then predict, explain and
--init-from a sentiment run.

The documents are real: three Rotten Tomatoes snippets each, joined with
spaces (so the punctuation rules split them), labelled `positive` (all
three positive), `negative` (all negative) or `mixed`.
"""

import csv
import json
import shutil
import subprocess
from html.parser import HTMLParser

import numpy as np
import pytest
from click.testing import CliRunner

from seqkit.cli import cli
from tests.conftest import ROOT


def _invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def _lines(output):
    return [
        json.loads(line) for line in output.splitlines() if line.startswith("{")
    ]


def _snippets(split):
    with open(
        ROOT / "data" / "rt-snippets" / f"{split}.csv", encoding="utf-8"
    ) as f:
        rows = list(csv.DictReader(f))
    by_label = {"positive": [], "negative": []}
    for row in rows:
        by_label[row["label"]].append(row["text"])
    return by_label


def write_documents(
    folder,
    counts=(("train", 36), ("valid", 12), ("test", 12)),
    tones=("positive", "negative", "mixed"),
):
    """CSV files with columns `body` and `tone`; the documents take the
    `tones` in turn (three classes unless told otherwise)."""
    paths = {}
    for split, count in counts:
        snippets = _snippets(split)
        pos, neg = iter(snippets["positive"]), iter(snippets["negative"])
        rows = []
        for index in range(count):
            tone = tones[index % len(tones)]
            parts = {
                "positive": [next(pos) for _ in range(3)],
                "negative": [next(neg) for _ in range(3)],
                "mixed": [next(pos), next(neg), next(pos)],
            }[tone]
            rows.append({"id": index, "body": " ".join(parts), "tone": tone})
        path = folder / f"{split}.csv"
        with open(path, "w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, ["id", "body", "tone"])
            writer.writeheader()
            writer.writerows(rows)
        paths[split] = path
    return paths


def _predict(run, paths, *extra):
    """`seqkit predict` on the test documents: its output."""
    result = _invoke(
        "predict",
        run,
        "--input",
        paths["test"],
        "--text-column",
        "body",
        *extra,
    )
    assert result.exit_code == 0, result.output
    return result.output


def _train(paths, out, *extra):
    return _invoke(
        "train", "documents", "--preset", "tiny", "--quiet",
        "--train", paths["train"], "--valid", paths["valid"],
        "--test", paths["test"], "--text-column", "body",
        "--label-column", "tone", *extra, "--out", out,
    )  # fmt: skip


@pytest.fixture(scope="module")
def documents_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("documents")
    paths = write_documents(folder)
    run = folder / "run"
    result = _train(paths, run)
    assert result.exit_code == 0, result.output
    return run, paths, json.loads(result.output.splitlines()[-1])


def test_train_on_a_users_csv_with_three_classes(documents_run):
    run, paths, summary = documents_run
    assert summary["test"]["n"] == 12 and summary["valid"]["n"] == 12
    metrics = json.loads((run / "metrics.json").read_text())
    assert sorted(metrics["test"]["per_class"]) == [
        "mixed",
        "negative",
        "positive",
    ]
    data = json.loads((run / "data.json").read_text())
    assert data["classes"] == ["mixed", "negative", "positive"]
    assert set(data["truncated"]["train"]) == {
        "documents",
        "sentences_cut",
        "sentences",
        "words_cut",
    }
    assert data["skipped_rows"] == {"train": 0, "valid": 0, "test": 0}


def test_predict_gives_sentence_and_word_weights(documents_run):
    run, paths, _ = documents_run
    found = _lines(_predict(run, paths, "--attention"))
    assert len(found) == 12
    for item in found:
        assert item["label"] in ("positive", "negative", "mixed")
        sentences = item["sentences"]
        # Three snippets: some end without a stop and join the next one.
        assert len(sentences) >= 2
        assert " ".join(s["text"] for s in sentences) == item["text"]
        weights = [s["weight"] for s in sentences]
        assert sum(weights) == pytest.approx(1.0, abs=1e-4)
        for sentence in sentences:
            assert sum(w for _, w in sentence["words"]) == pytest.approx(
                1.0, abs=1e-4
            )
    plain = _lines(_predict(run, paths))
    assert "sentences" not in plain[0]
    assert plain[0]["probabilities"] == found[0]["probabilities"]


class _Report(HTMLParser):
    """Collects the documents, sentences and words of a report."""

    def __init__(self):
        super().__init__()
        self.documents = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        kind = attrs.get("class")
        if tag == "article" and kind == "document":
            self.documents.append(
                {"label": attrs["data-label"], "sentences": []}
            )
        elif tag == "div" and kind == "sentence":
            sentence = {"weight": float(attrs["data-weight"]), "words": []}
            self.documents[-1]["sentences"].append(sentence)
        elif tag == "span" and kind == "word":
            sentences = self.documents[-1]["sentences"]
            sentences[-1]["words"].append(float(attrs["data-weight"]))
            assert "background-color: rgba(" in attrs["style"]


def _explain(run, paths, out):
    return _invoke(
        "explain", run, "--input", paths["test"], "--text-column", "body",
        "--out", out, "--limit", 4,
    )  # fmt: skip


def test_explain_writes_an_html_report_of_both_levels(documents_run, tmp_path):
    run, paths, _ = documents_run
    out = tmp_path / "report.html"
    result = _explain(run, paths, out)
    assert result.exit_code == 0, result.output
    report = _Report()
    report.feed(out.read_text(encoding="utf-8"))
    predicted = _lines(_predict(run, paths, "--attention"))[:4]
    assert len(report.documents) == 4
    for shown, item in zip(report.documents, predicted):
        assert shown["label"] == item["label"]
        assert [s["weight"] for s in shown["sentences"]] == pytest.approx(
            [s["weight"] for s in item["sentences"]], abs=1e-6
        )
        for sentence, expected in zip(shown["sentences"], item["sentences"]):
            assert sentence["words"] == pytest.approx(
                [w for _, w in expected["words"]], abs=1e-6
            )
    result = _explain(run, paths, tmp_path / "report.png")
    assert result.exit_code != 0 and ".html" in result.output


@pytest.mark.skipif(
    shutil.which("chromium") is None, reason="needs Debian's chromium"
)
def test_the_report_renders_in_headless_chromium(documents_run, tmp_path):
    from PIL import Image

    run, paths, _ = documents_run
    out = tmp_path / "report.html"
    assert _explain(run, paths, out).exit_code == 0
    browser = ["chromium", "--headless", "--no-sandbox", "--disable-gpu"]
    dom = subprocess.run(
        [*browser, "--dump-dom", out.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout
    # The browser parsed four documents with their shaded words.
    assert dom.count('class="document"') == 4
    assert dom.count('class="word"') > 40
    picture = tmp_path / "report-shot.png"
    subprocess.run(
        [
            *browser,
            f"--screenshot={picture}",
            "--window-size=1000,1400",
            out.as_uri(),
        ],
        capture_output=True,
        timeout=120,
        check=True,
    )
    with Image.open(picture) as shot:
        assert shot.size == (1000, 1400)
        pixels = np.asarray(shot.convert("RGB")).astype(int)
    # Orange shading is on the page: red high, blue low.
    orange = (pixels[..., 0] > 200) & (pixels[..., 2] < 120)
    assert orange.sum() > 500


def test_init_from_a_sentiment_run(documents_run, tmp_path):
    from seqkit.runs import load_run
    from tests.conftest import train_args, write_tiny_split

    _, paths, _ = documents_run
    sentiment = tmp_path / "sentiment"
    split = write_tiny_split(tmp_path)
    result = _invoke(
        *train_args(split), "--pooling", "attention", "--out", sentiment
    )
    assert result.exit_code == 0, result.output
    run = tmp_path / "documents"
    result = _train(paths, run, "--init-from", sentiment)
    assert result.exit_code == 0, result.output
    data = json.loads((run / "data.json").read_text())
    assert data["init_from"]["copied"] == [
        "embedding",
        "bi_lstm_0",
        "attention",
    ]
    source = load_run(sentiment).vectorizer.get_vocabulary()
    assert load_run(run).vectorizer.get_vocabulary() == source
    config = json.loads((run / "config.json").read_text())
    assert config["cell"] == "lstm" and config["init_from"] == str(sentiment)
    refused = _train(
        paths, tmp_path / "other", "--init-from", sentiment, "--cell", "gru"
    )
    assert refused.exit_code != 0
    assert "fixes cell='lstm'" in refused.output


def test_a_missing_column_is_named(tmp_path):
    paths = write_documents(tmp_path, (("train", 6), ("valid", 3), ("test", 3)))
    result = _invoke(
        "train", "documents", "--train", paths["train"], "--valid",
        paths["valid"], "--text-column", "text", "--out", tmp_path / "run",
    )  # fmt: skip
    assert result.exit_code != 0
    assert "train.csv" in result.output and "'text'" in result.output


def test_export_classifies_raw_documents_like_the_run(documents_run, tmp_path):
    import tensorflow as tf
    import tensorflow_text  # noqa: F401  (the tokenizer's ops)

    run, paths, _ = documents_run
    result = _invoke("export", run, "--out", tmp_path / "export")
    assert result.exit_code == 0, result.output
    written = json.loads(result.output.splitlines()[-1])
    serve = tf.saved_model.load(written["path"]).signatures["serving_default"]
    with open(paths["test"], encoding="utf-8") as handle:
        texts = [row["body"] for row in csv.DictReader(handle)]
    outputs = serve(text=tf.constant(texts))
    predicted = _lines(_predict(run, paths))
    names = written["class_names"]
    expected = [[p["probabilities"][n] for n in names] for p in predicted]
    np.testing.assert_allclose(
        outputs["probabilities"].numpy(), expected, atol=1e-5
    )
    assert [x.decode() for x in outputs["label"].numpy()] == [
        p["label"] for p in predicted
    ]


def test_an_ensemble_averages_its_members(documents_run, tmp_path):
    from seqkit.models import EnsembleClassifier
    from seqkit.models.documents.explain import predict_documents
    from seqkit.runs import load_run

    _, paths, _ = documents_run
    run = tmp_path / "ensemble"
    result = _train(paths, run, "--ensemble", 2)
    assert result.exit_code == 0, result.output
    model = load_run(run)
    assert isinstance(model, EnsembleClassifier) and len(model.members) == 2
    assert model.documents is model.members[0].documents
    metrics = json.loads((run / "metrics.json").read_text())
    assert len(metrics["members"]) == 2 and len(metrics["best_epoch"]) == 2
    assert len(json.loads((run / "history.json").read_text())["members"]) == 2
    with open(paths["test"], encoding="utf-8") as handle:
        texts = [row["body"] for row in csv.DictReader(handle)]
    together, attention = predict_documents(model, texts)
    alone = [predict_documents(m, texts) for m in model.members]
    np.testing.assert_allclose(
        together, (alone[0][0] + alone[1][0]) / 2, rtol=1e-5, atol=1e-6
    )
    np.testing.assert_allclose(
        attention[0][0], (alone[0][1][0][0] + alone[1][1][0][0]) / 2, atol=1e-6
    )
    found = _lines(_predict(run, paths, "--attention"))
    assert sum(s["weight"] for s in found[0]["sentences"]) == pytest.approx(
        1.0, abs=1e-4
    )


def test_the_ngram_side_mixes_explains_and_exports(tmp_path):
    import tensorflow as tf

    from seqkit.models.documents.explain import predict_documents
    from seqkit.models.ngram import MixedClassifier
    from seqkit.runs import load_run

    paths = write_documents(tmp_path)
    run = tmp_path / "run"
    result = _train(paths, run, "--ngram", "--selection", "macro_f1")
    assert result.exit_code == 0, result.output
    metrics = json.loads((run / "metrics.json").read_text())
    scores = metrics["ngram"]["valid_macro_f1"]
    assert scores["mixed"] >= max(scores["recurrent"], scores["ngram"])
    model = load_run(run)
    if metrics["ngram"]["weight"] == 0:
        pytest.skip("the n-gram side got no weight on this split")
    assert isinstance(model, MixedClassifier)
    # Sentence and word attention still come from the hierarchical side.
    found = _lines(_predict(run, paths, "--attention"))
    assert len(found) == 12 and "sentences" in found[0]
    texts = [found[i]["text"] for i in range(3)]
    expected, _ = predict_documents(model, texts)
    result = _invoke("export", run, "--out", tmp_path / "export")
    assert result.exit_code == 0, result.output
    served = tf.saved_model.load(str(tmp_path / "export" / "1"))
    answer = served.signatures["serving_default"](text=tf.constant(texts))
    np.testing.assert_allclose(
        answer["probabilities"].numpy(), expected, atol=1e-5
    )


def test_without_valid_a_share_of_the_documents_is_held_out(tmp_path):
    paths = write_documents(tmp_path, (("train", 36), ("test", 12)))
    run = tmp_path / "run"
    result = _invoke(
        "train", "documents", "--preset", "tiny", "--quiet",
        "--train", paths["train"], "--test", paths["test"],
        "--text-column", "body", "--label-column", "tone",
        "--valid-fraction", 0.25, "--out", run,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output.splitlines()[-1])
    assert summary["valid"]["n"] == 9 and summary["test"]["n"] == 12
    data = json.loads((run / "data.json").read_text())
    held = data["valid_held_out"]
    assert held["counts"]["valid"] == {"mixed": 3, "negative": 3, "positive": 3}
    assert (held["fraction"], held["seed"]) == (0.25, 1337)
    assert len(held["rows"]) == 9 and data["data"]["valid"] is None
    config = json.loads((run / "config.json").read_text())
    assert config["valid_fraction"] == 0.25
