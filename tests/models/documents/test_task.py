"""The document-classification task: found for document models (and their
ensembles), predicts like `explain_documents`, renders the HTML report."""

import pytest

from seqkit.errors import SeqkitError
from seqkit.models import DocumentClassifier, EnsembleClassifier
from seqkit.models.documents.explain import explain_documents
from seqkit.models.documents.settings import PRESETS
from seqkit.models.documents.task import DocumentTask
from seqkit.models.task import task_for
from tests.models.documents.tiny import tiny_classifier

TEXTS = ["A good film. A bad film.", "Bad."]


def test_document_models_have_the_document_task():
    classifier = tiny_classifier()
    task = task_for(classifier)
    assert isinstance(task, DocumentTask)
    assert task is task_for(DocumentClassifier)
    assert task.name == "document-classification"
    assert task.serving == "text" and task.presets is PRESETS
    ensemble = EnsembleClassifier(
        [tiny_classifier(name="a"), tiny_classifier(name="b")]
    )
    assert task_for(ensemble) is task


def test_predict_gives_what_explain_documents_gives(tmp_path):
    classifier = tiny_classifier()
    task = task_for(classifier)
    expected = explain_documents(classifier, TEXTS, top_k=1)
    found = task.predict(classifier, tmp_path, TEXTS, top_k=1)
    assert [r["label"] for r in found] == [r["label"] for r in expected]
    assert [r["probabilities"] for r in found] == [
        r["probabilities"] for r in expected
    ]
    assert all("sentences" not in r for r in found)
    assert found[0]["top_k"] == expected[0]["top_k"]
    more = tmp_path / "more.txt"
    more.write_text("Good film.\n", encoding="utf-8")
    found = task.predict(classifier, tmp_path, TEXTS[:1], more, attention=True)
    assert [r["text"] for r in found] == [TEXTS[0], "Good film."]
    assert found[0]["sentences"] == expected[0]["sentences"]
    # No documents, no records (`seqkit predict` then asks for some).
    assert task.predict(classifier, tmp_path, []) == []


def test_explain_writes_the_report(tmp_path):
    classifier = tiny_classifier()
    task = task_for(classifier)
    document = tmp_path / "review.txt"
    document.write_text(TEXTS[0], encoding="utf-8")
    out = tmp_path / "report.html"
    summary = task.explain(classifier, tmp_path, document, out)
    assert summary == {
        "out": str(out),
        "explained": [
            {"label": explain_documents(classifier, TEXTS[:1])[0]["label"],
             "sentences": 2}
        ],
    }  # fmt: skip
    assert "Document attention: review.txt" in out.read_text(encoding="utf-8")
    with pytest.raises(SeqkitError, match="an .html file"):
        task.explain(classifier, tmp_path, document, tmp_path / "r.png")
    with pytest.raises(SeqkitError, match="no such file"):
        task.explain(classifier, tmp_path, tmp_path / "missing.txt", out)
    document.write_bytes(b"Good.\n\xff")
    with pytest.raises(SeqkitError, match="line 2: undecodable bytes"):
        task.explain(classifier, tmp_path, document, out)
