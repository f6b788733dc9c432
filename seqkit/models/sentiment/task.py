"""The text-classification task: sentiment and DeepMoji classifiers."""

from pathlib import Path

from seqkit.errors import SeqkitError
from seqkit.models.predict import (
    ClassifierTask,
    pooling_of,
    predict_outputs,
    predict_texts,
    read_texts,
)
from seqkit.models.sentiment.report import render_text_report
from seqkit.models.sentiment.settings import PRESETS
from seqkit.models.task import register_task


class TextClassificationTask(ClassifierTask):
    """Raw text -> a label (`TextClassifier`, `EnsembleClassifier`).

    Predictions give each text's label, class probabilities, the top k
    classes and, for models that pool with attention, each token's weight.
    Its presets are the sentiment ones and DeepMoji's (the same settings).

    Example:

    ```python
    # Not run: needs a trained run folder.
    from seqkit.models.task import task_for

    records = task_for(model).predict(model, run, ["a fine film"], top_k=1)
    ```
    """

    name = "text-classification"
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
        """One dict per text: the texts given, then `input_file`'s.

        Args:
            model: the loaded classifier.
            run: its run folder.
            inputs: texts.
            input_file: a file of further texts (`read_texts`), or None.
            text_column: the text column of a table `input_file`.
            top_k: how many `[label, p]` pairs to list (default: all).
            attention: add each token's attention weight.
            **options: other commands' options (ignored).

        Returns:
            The `predict_texts` dicts; an empty list when there is no text.

        Raises:
            ValueError: `attention` for a model without attention pooling,
                or a bad `input_file`.
        """
        texts = read_texts(inputs, input_file, text_column)
        if not texts:
            return []
        return predict_texts(model, texts, top_k, attention)

    def explain(
        self,
        model,
        run,
        input_file,
        out,
        text_column="text",
        limit=8,
        top_k=5,
        **options,
    ):
        """Writes an HTML page of the texts with their words shaded by
        attention weight and their top labels (`render_text_report`).

        Works for every model whose recurrent side pools with attention:
        one classifier, an ensemble (the members' average weights), a
        `MixedClassifier` (the recurrent side's weights; the probabilities
        are the mix's), and DeepMoji runs (emoji labels).

        Args:
            model: the loaded classifier.
            run: its run folder.
            input_file: a `.txt` file of texts, one per line, or a
                CSV/TSV/JSONL with `text_column`.
            out: the `.html` (or `.htm`) file to write.
            text_column: the text column of a table.
            limit: explain at most this many texts (the first ones).
            top_k: how many labels to list per text (all when fewer).
            **options: other commands' options, ignored.

        Returns:
            `{"out": path written, "texts": count in the file,
            "explained": [{"label", "words": tokens read}, ...]}`.

        Raises:
            SeqkitError: the model does not pool with attention, `out` is
                not an `.html` file, or the file holds no text.
        """
        if not str(out).lower().endswith((".html", ".htm")):
            raise SeqkitError("an attention report is an .html file")
        texts = read_texts([], input_file, text_column)
        if not texts:
            raise SeqkitError(f"{input_file}: no texts to explain")
        shown = texts[:limit]
        outputs = predict_outputs(model, shown)
        if "attention" not in outputs:
            raise SeqkitError(
                "explain shows attention weights, and this model does not "
                f"pool with attention (its pooling is {pooling_of(model)!r}): "
                "train it with --pooling attention"
            )
        results = predict_texts(
            model, shown, top_k, attention=True, outputs=outputs
        )
        tokens = model.vectorizer.tokenizer.tokenize(shown)
        for result, words in zip(results, tokens):
            result["words"] = len(words)
        written = render_text_report(
            results,
            out,
            title=f"Attention: {Path(input_file).name}",
            notes=_notes(model, len(shown), len(texts)),
        )
        return {
            "out": str(written),
            "texts": len(texts),
            "explained": [
                {"label": r["label"], "words": len(r["attention"])}
                for r in results
            ],
        }


def _notes(model, shown, total):
    """What the page says about the model and the texts left out."""
    notes = []
    members = getattr(getattr(model, "recurrent", model), "members", None)
    if members:
        notes.append(
            f"The weights are the average of the {len(members)} ensemble "
            "members'."
        )
    if getattr(model, "ngram", None) is not None:
        notes.append(
            "The probabilities mix the recurrent model with an n-gram "
            f"model (its share {model.weight:.2f}); the weights are the "
            "recurrent model's."
        )
    if shown < total:
        notes.append(f"The first {shown} of {total} texts (--limit).")
    return notes


register_task(TextClassificationTask())
