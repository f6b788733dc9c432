"""The language model's task: it generates text; it does not predict."""

from seqkit.errors import SeqkitError
from seqkit.models.task import Task, register_task


class LanguageModelTask(Task):
    """What the command line does with a `LanguageModel` run.

    A language model has no labels to predict and no serving signature:
    `seqkit generate RUN --prompt TEXT` continues text with it, and
    `--init-from RUN` starts a classifier's encoder from it.
    """

    name = "language-model"
    serving = None
    presets = {}

    def predict(self, model, run, inputs, input_file=None, **options):
        """Refuses: a language model generates (`seqkit generate`).

        Raises:
            SeqkitError: always, naming the command to use.
        """
        raise SeqkitError(
            f"{run} is a language-model run, which has no labels to "
            f"predict; continue text with `seqkit generate {run} --prompt "
            "TEXT`"
        )


register_task(LanguageModelTask())
