"""Training a document classifier: the word encoder's sentence
pretraining leaves out the sentences found in held-out documents."""

import csv
import json

from tests.cli.test_documents_cli import write_documents


def test_sentence_pretraining_leaves_out_held_out_text(tmp_path, monkeypatch):
    import seqkit.data
    from seqkit.models.documents.settings import PRESETS, DocumentConfig
    from seqkit.training.recipes.documents import train_document_classifier
    from tests.conftest import write_tiny_split

    documents = write_documents(
        tmp_path, (("train", 12), ("valid", 6), ("test", 6))
    )
    # The sentence set: a tiny labelled split, whose first training
    # snippet is planted inside a test document.
    (tmp_path / "sentences").mkdir()
    sentences = write_tiny_split(tmp_path / "sentences")
    with open(sentences["train"], encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    with open(sentences["train"], "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, ["text", "label"])
        writer.writeheader()
        writer.writerows(
            {"text": r["review"], "label": r["verdict"]} for r in rows
        )
    for split in ("valid", "test"):
        with open(sentences[split], encoding="utf-8") as handle:
            part = list(csv.DictReader(handle))
        with open(
            sentences[split], "w", newline="", encoding="utf-8"
        ) as handle:
            writer = csv.DictWriter(handle, ["text", "label"])
            writer.writeheader()
            writer.writerows(
                {"text": r["review"], "label": r["verdict"]} for r in part
            )
    with open(documents["test"], encoding="utf-8") as handle:
        test = list(csv.DictReader(handle))
    test[0]["body"] += " " + rows[0]["review"].upper()
    with open(documents["test"], "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, ["id", "body", "tone"])
        writer.writeheader()
        writer.writerows(test)
    monkeypatch.setattr(seqkit.data, "bundled_splits", lambda name: sentences)
    config = DocumentConfig.from_dict(
        {
            **PRESETS["tiny"],
            "train": str(documents["train"]),
            "valid": str(documents["valid"]),
            "test": str(documents["test"]),
            "text_column": "body",
            "label_column": "tone",
            "pretrain_sentences": "rt-snippets",
        }
    )
    run = tmp_path / "run"
    train_document_classifier(config, run, verbose=0)
    data = json.loads((run / "data.json").read_text())
    report = data["init_from"]
    assert (
        report["left_out"] == 1 and report["train_sentences"] == len(rows) - 1
    )
    assert report["copied"] == ["embedding", "bi_gru_0", "attention"]
    assert (run / "word-encoder" / "model.keras").is_file()
    with open(
        run / "word-encoder-data" / "train.csv", encoding="utf-8"
    ) as handle:
        kept = [r["text"] for r in csv.DictReader(handle)]
    assert rows[0]["review"] not in kept and rows[1]["review"] in kept
