"""The text-attention page: shading, labels, notes and escaping."""

import re

import pytest

from seqkit.models.sentiment.report import render_text_report, shade
from tests.models.sentiment.report_html import read_report

RESULTS = [
    {
        "text": "a fine film",
        "label": "positive",
        "top_k": [["positive", 0.875], ["negative", 0.125]],
        "attention": [["a", 0.1], ["fine", 0.6], ["film", 0.3]],
    },
    {
        "text": '<script>alert(1)</script> & "quotes"',
        "label": "<b>bold</b>",
        "top_k": [["<b>bold</b>", 1.0]],
        "attention": [["<", 0.25], ["script", 0.75], ["&", 0.0]],
        "words": 9,
    },
    {
        "text": "so funny lol",
        "label": "😂",
        "top_k": [["😂", 0.7], ["😢", 0.2], ["🎉", 0.1]],
        "attention": [["so", 0.2], ["funny", 0.5], ["lol", 0.3]],
    },
]


@pytest.fixture
def page(tmp_path):
    path = render_text_report(
        RESULTS,
        tmp_path / "page.html",
        title="Attention: <texts>.txt",
        notes=["The first 3 of 4 texts (--limit)."],
    )
    assert path == tmp_path / "page.html"
    return path.read_text(encoding="utf-8")


def test_words_are_shaded_relative_to_the_largest_weight(page):
    texts = read_report(page).texts
    assert [[w[0] for w in t["words"]] for t in texts] == [
        ["a", "fine", "film"],
        ["<", "script", "&"],
        ["so", "funny", "lol"],
    ]
    first = texts[0]["words"]
    assert [alpha for _, _, alpha, _ in first] == [0.167, 1.0, 0.5]
    assert [title for *_, title in first] == [
        "attention 0.1000",
        "attention 0.6000",
        "attention 0.3000",
    ]
    for text, result in zip(texts, RESULTS):
        weights = [w for _, w in result["attention"]]
        assert [w[1] for w in text["words"]] == weights
        # The shading follows the weights' order.
        by_weight = sorted(range(len(weights)), key=weights.__getitem__)
        alphas = [text["words"][i][2] for i in by_weight]
        assert alphas == sorted(alphas) and alphas[-1] == 1.0


def test_shade_clips_and_handles_no_weight():
    assert shade(0.2, 0.4).endswith(", 0.500)")
    assert shade(0.0, 0.0).endswith(", 0.000)")
    assert shade(0.5, 0.4).endswith(", 1.000)")


def test_labels_show_the_probabilities_given(page):
    texts = read_report(page).texts
    assert [t["label"] for t in texts] == ["positive", "<b>bold</b>", "😂"]
    assert texts[0]["top_k"] == [
        ["positive", 0.875, "positive", "0.875"],
        ["negative", 0.125, "negative", "0.125"],
    ]
    # Emoji labels are written as characters.
    assert [row[2] for row in texts[2]["top_k"]] == ["😂", "😢", "🎉"]
    assert '<span class="name">😂</span>' in page
    assert 'width: 87.5%"' in page and 'width: 12.5%"' in page


def test_user_text_is_escaped(page):
    reader = read_report(page)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;" in (
        page
    )
    assert reader.texts[1]["source"] == RESULTS[1]["text"]
    assert "<script" not in page and "<b>" not in page
    assert "script" not in reader.tags and "b" not in reader.tags
    assert "<title>Attention: &lt;texts&gt;.txt</title>" in page


def test_page_is_self_contained(page):
    assert page.startswith("<!DOCTYPE html>")
    assert '<meta charset="utf-8">' in page and "<style>" in page
    assert not re.search(r"(src|href)=|@import|url\(|<link", page)


def test_notes_and_cut_texts(page):
    reader = read_report(page)
    assert reader.notes == ["The first 3 of 4 texts (--limit)."]
    assert reader.texts[1]["notes"] == [
        "The model read the first 3 of the 9 words."
    ]
    assert reader.texts[0]["notes"] == reader.texts[2]["notes"] == []
