"""The document-classification task: what `seqkit predict` and `explain` do
with a document run (a `DocumentClassifier`, or an ensemble of them).

Example:

```python
# Not run: needs a trained run folder.
from seqkit.models.task import task_for
from seqkit.runs import load_run

model = load_run("runs/documents")
records = task_for(model).predict(
    model, "runs/documents", ["A fine film. The cast shines."]
)
```
"""

from pathlib import Path

from seqkit.errors import SeqkitError
from seqkit.models.documents.explain import explain_documents
from seqkit.models.documents.report import render_document_report
from seqkit.models.documents.settings import PRESETS
from seqkit.models.predict import ClassifierTask, read_texts
from seqkit.models.task import register_task


class DocumentTask(ClassifierTask):
    """Classifies raw documents, with sentence and word attention.

    A document run exports through the text signature (raw text in,
    `probabilities` and `label` out), like a sentiment run.
    """

    name = "document-classification"
    serving = "text"
    presets = PRESETS

    def predict(
        self,
        model,
        run,
        inputs,
        input_file=None,
        text_column="text",
        top_k=None,
        attention=False,
        **options,
    ):
        """One `{"text", "label", "probabilities", "top_k"}` per document,
        plus `"sentences"` (each sentence's weight and its words') with
        `attention`.

        Args:
            model: the run's `DocumentClassifier` (or ensemble).
            run: the run folder.
            inputs: documents given as texts.
            input_file: a file of further documents (one per line in a
                `.txt`, or a CSV/TSV/JSONL with `text_column`), or None.
            text_column: the column of the documents in `input_file`.
            top_k: how many `[label, p]` pairs to list (default: all).
            attention: keep each document's `"sentences"`.
            **options: other commands' options, ignored.

        Returns:
            A list of dicts, one per document, in order (empty when no
            document is given).

        """
        texts = read_texts(inputs, input_file, text_column)
        if not texts:
            return []
        results = explain_documents(model, texts, top_k)
        if not attention:
            for result in results:
                del result["sentences"]
        return results

    def explain(
        self,
        model,
        run,
        input_file,
        out,
        text_column="text",
        limit=8,
        **options,
    ):
        """Writes an HTML page of the documents' sentences and words shaded
        by their attention weights (`render_document_report`).

        Args:
            model: the run's `DocumentClassifier` (or ensemble).
            run: the run folder.
            input_file: a `.txt` file holding one document, or a
                CSV/TSV/JSONL with `text_column`.
            out: the `.html` (or `.htm`) file to write.
            text_column: the column of the documents in a table.
            limit: explain at most this many documents (the first ones).
            **options: other commands' options, ignored.

        Returns:
            `{"out": path written, "explained": [{"label", "sentences":
            count}, ...]}`.

        Raises:
            SeqkitError: `out` is not an `.html` file, or the `.txt` file
                is missing or not UTF-8.
        """
        if not str(out).lower().endswith((".html", ".htm")):
            raise SeqkitError("a document report is an .html file")
        texts = _read_documents(input_file, text_column)
        results = explain_documents(model, texts[:limit])
        written = render_document_report(
            results, out, title=f"Document attention: {Path(input_file).name}"
        )
        return {
            "out": str(written),
            "explained": [
                {"label": r["label"], "sentences": len(r["sentences"])}
                for r in results
            ],
        }


def _read_documents(input_file, text_column):
    """The documents to explain: a `.txt` file is one document."""
    path = Path(input_file)
    if path.suffix.lower() == ".txt":
        from seqkit.data.captions import text_line_of

        if not path.is_file():
            raise SeqkitError(f"{path}: no such file")
        data = path.read_bytes()
        try:
            return [data.decode("utf-8")]
        except UnicodeDecodeError as error:
            line = text_line_of(data, error.start)
            raise SeqkitError(
                f"{path}, line {line}: undecodable bytes, expected UTF-8"
            ) from None
    from seqkit.data import read_examples

    return read_examples(
        input_file, text_column=text_column, label_column=None
    ).texts


register_task(DocumentTask())
