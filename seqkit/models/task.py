"""The Task interface: what an application says about its models.

Every application model class names its task in a class attribute
(`task_name = "captioning"`), and the application registers one `Task` under
that name. The command line and the export ask the task what to do with a
loaded model (predict, explain, evaluate, which serving signature it
exports, how it splits into layer groups) instead of probing the model's
attributes.

Example:

```python
# Not run: needs a trained run folder.
from seqkit.models.task import task_for
from seqkit.runs import load_run

model = load_run("runs/sentiment")
records = task_for(model).predict(model, "runs/sentiment", ["a fine film"])
```
"""

import importlib

from seqkit.errors import SeqkitError

# Task name -> Task. Filled by the application packages as they are
# imported (`register_task`); `task_for` imports them all first.
TASKS = {}

# The modules that register the applications' tasks.
_TASK_MODULES = (
    "seqkit.models.sentiment.task",
    "seqkit.models.documents.task",
    "seqkit.models.caption.task",
    "seqkit.models.lm.task",
)


class Task:
    """One application's answers about its models.

    Subclasses set `name` (the value of their model classes' `task_name`
    attribute), `serving` (the key of the serving signature that
    `seqkit export` writes for them, or None when they do not export) and
    `presets` (name -> settings dict), and override what they support.

    Every method takes the loaded model and its run folder, so a task keeps
    no state of its own.
    """

    name = None
    serving = None
    presets = {}

    def predict(self, model, run, inputs, input_file=None, **options):
        """One JSON-ready dict per input (`seqkit predict`).

        Args:
            model: the loaded model.
            run: its run folder.
            inputs: what was given on the command line (texts, or paths).
            input_file: a file of further inputs, or None.
            **options: the command's other options (`top_k`, `attention`,
                decoding settings); a task reads those it knows.

        Returns:
            A list of dicts, one per input, in order.
        """
        raise SeqkitError(f"a {self.name} run does not predict")

    def explain(self, model, run, input_file, out, **options):
        """Renders explanations of the inputs to `out`; returns a summary."""
        raise SeqkitError(
            "explain renders text runs with attention and document runs "
            f"(HTML), and caption runs (PNG); this run is a {self.name} run"
        )

    def evaluate(self, model, run, data, **options):
        """The metrics of the model on a labelled file, as a dict."""
        raise SeqkitError(f"a {self.name} run is not evaluated on a file")

    def layer_groups(self, model):
        """`[(name, [layers])]`, in order from the input to the output."""
        return list(model.layer_groups())


def register_task(task):
    """Registers a `Task` instance under its name; returns it."""
    if task.name in TASKS and type(TASKS[task.name]) is not type(task):
        raise ValueError(f"task {task.name!r} is registered twice")
    TASKS[task.name] = task
    return task


def task_for(model):
    """The `Task` of a loaded seqkit model.

    Raises:
        SeqkitError: the model names no registered task.
    """
    for module in _TASK_MODULES:
        importlib.import_module(module)
    # The instance's: an `EnsembleClassifier` does its members' task.
    name = getattr(model, "task_name", None)
    if name not in TASKS:
        raise SeqkitError(
            f"{type(model).__name__} is not a seqkit application model "
            f"(tasks: {sorted(TASKS)})"
        )
    return TASKS[name]
