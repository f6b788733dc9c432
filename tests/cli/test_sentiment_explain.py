"""`seqkit explain` for text runs that pool with attention.

A tiny attention run (an ensemble of two BiGRUs mixed with an n-gram
side, the shape a default sentiment run takes) and untrained classifiers
saved as runs (a DeepMoji-like one with emoji labels, one that max-pools).
"""

import json

import numpy as np
import pytest
from click.testing import CliRunner

from seqkit.cli import cli
from seqkit.models.predict import predict_texts
from seqkit.models.sentiment import SentimentConfig, build_classifier
from seqkit.preprocessing import TextVectorizer
from seqkit.runs import load_run
from tests.conftest import train_args, write_tiny_split
from tests.models.sentiment.report_html import read_report

TEXTS = [
    "A fine, moving film with a warm cast.",
    "<script>alert(1)</script> dull & long",
    "The worst movie of the year.",
]


def _invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.fixture(scope="module")
def mixed_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("mixed")
    paths = write_tiny_split(folder)
    out = folder / "run"
    result = _invoke(
        *train_args(paths),
        "--pooling",
        "attention",
        "--cell",
        "gru",
        "--epochs",
        "2",
        "--ensemble",
        "2",
        "--ngram",
        "--quiet",
        "--out",
        out,
    )
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture
def texts_file(tmp_path):
    path = tmp_path / "texts.txt"
    path.write_text("\n".join(TEXTS) + "\n", encoding="utf-8")
    return path


def _explain(run, texts_file, out, *extra):
    result = _invoke(
        "explain", run, "--input", texts_file, "--out", out, *extra
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout), out.read_text(encoding="utf-8")


def test_page_shows_the_weights_and_probabilities_of_predict(
    mixed_run, texts_file, tmp_path
):
    model = load_run(mixed_run)
    assert type(model).__name__ == "MixedClassifier"
    summary, page = _explain(mixed_run, texts_file, tmp_path / "page.html")
    expected = predict_texts(model, TEXTS, top_k=5, attention=True)
    assert summary == {
        "out": str(tmp_path / "page.html"),
        "texts": 3,
        "explained": [
            {"label": e["label"], "words": len(e["attention"])}
            for e in expected
        ],
    }
    reader = read_report(page)
    assert len(reader.texts) == 3
    for shown, result in zip(reader.texts, expected):
        assert shown["label"] == result["label"]
        assert shown["source"] == result["text"]
        # Both classes (fewer than --top-k 5), as predict_texts rounds them.
        assert [[n, p] for n, p, _, _ in shown["top_k"]] == result["top_k"]
        assert [v for *_, v in shown["top_k"]] == [
            str(p) for _, p in result["top_k"]
        ]
        assert [[w, a] for w, a, _, _ in shown["words"]] == result["attention"]
        weights = np.array([a for _, a in result["attention"]])
        alphas = np.array([alpha for _, _, alpha, _ in shown["words"]])
        np.testing.assert_allclose(alphas, weights / weights.max(), atol=5e-4)
        # A heavier word is never shaded lighter.
        order = np.argsort(weights, kind="stable")
        assert np.all(np.diff(alphas[order]) >= 0)
    assert reader.notes[0] == (
        "The weights are the average of the 2 ensemble members'."
    )
    assert reader.notes[1].startswith(
        "The probabilities mix the recurrent model with an n-gram model"
    )
    assert "&lt;script&gt;alert(1)&lt;/script&gt; dull &amp; long" in page
    assert "<script" not in page and "script" not in reader.tags


def test_top_k_limit_and_a_table(mixed_run, tmp_path):
    table = tmp_path / "texts.csv"
    table.write_text(
        "review\n" + "\n".join(f'"{t}"' for t in TEXTS) + "\n",
        encoding="utf-8",
    )
    summary, page = _explain(
        mixed_run,
        table,
        tmp_path / "page.htm",
        "--text-column",
        "review",
        "--top-k",
        1,
        "--limit",
        2,
    )
    assert summary["texts"] == 3 and len(summary["explained"]) == 2
    reader = read_report(page)
    assert [t["source"] for t in reader.texts] == TEXTS[:2]
    assert [len(t["top_k"]) for t in reader.texts] == [1, 1]
    assert reader.notes[-1] == "The first 2 of 3 texts (--limit)."


def _saved(folder, names, pooling, tokenizer="word"):
    config = SentimentConfig(
        units=2,
        embedding_dim=3,
        embeddings=None,
        pooling=pooling,
        tokenizer=tokenizer,
    )
    vectorizer = TextVectorizer(
        ["so", "funny", "lol", "sad", "party"],
        max_length=4,
        tokenizer=tokenizer,
    )
    model = build_classifier(config, vectorizer, names)
    folder.mkdir()
    model.save(folder / "model.keras")
    return folder


def test_deepmoji_labels_show_as_emoji(tmp_path):
    emoji = ["😂", "😢", "🎉", "❤️", "👍", "🙏", "😡"]
    run = _saved(tmp_path / "deepmoji", emoji, "attention", "tweet")
    texts = tmp_path / "tweets.txt"
    texts.write_text("so funny lol 😂 @friend\nsad sad sad sad sad\n")
    summary, page = _explain(run, texts, tmp_path / "page.html")
    expected = predict_texts(
        load_run(run),
        ["so funny lol 😂 @friend", "sad sad sad sad sad"],
        5,
        True,
    )
    reader = read_report(page)
    for shown, result in zip(reader.texts, expected, strict=True):
        # Five of the seven labels by default, as characters.
        assert [[n, p] for n, p, _, _ in shown["top_k"]] == result["top_k"]
        assert len(shown["top_k"]) == 5
        assert [name for _, _, name, _ in shown["top_k"]] == [
            n for n, _ in result["top_k"]
        ]
        assert f'<span class="name">{result["label"]}</span>' in page
        # The model reads 4 tokens; the page says so for the longer text.
        assert [w for w, *_ in shown["words"]] == [
            w for w, _ in result["attention"]
        ]
    assert reader.texts[1]["notes"] == [
        "The model read the first 4 of the 5 words."
    ]


def test_a_model_without_attention_is_told_how_to_get_it(tmp_path, texts_file):
    run = _saved(tmp_path / "pooled", ["neg", "pos"], "max")
    out = tmp_path / "page.html"
    result = _invoke("explain", run, "--input", texts_file, "--out", out)
    assert result.exit_code == 1
    assert result.output == (
        "Error: explain shows attention weights, and this model does not "
        "pool with attention (its pooling is 'max'): train it with "
        "--pooling attention\n"
    )
    assert not out.exists()


def test_the_report_is_an_html_file(tmp_path, texts_file):
    run = _saved(tmp_path / "attention", ["neg", "pos"], "attention")
    result = _invoke(
        "explain", run, "--input", texts_file, "--out", tmp_path / "page.png"
    )
    assert result.exit_code == 1
    assert result.output == "Error: an attention report is an .html file\n"
