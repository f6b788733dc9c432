"""The text-classification task: sentiment and DeepMoji classifiers."""

from seqkit.models.predict import ClassifierTask, predict_texts, read_texts
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


register_task(TextClassificationTask())
