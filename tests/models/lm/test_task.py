"""The language model's task: found from a model; refuses to predict."""

import pytest

from seqkit.errors import SeqkitError
from seqkit.models.lm.task import LanguageModelTask
from seqkit.models.task import task_for
from tests.models.lm.tiny import tiny_lm


def test_task_for_a_language_model():
    task = task_for(tiny_lm(num_layers=1))
    assert isinstance(task, LanguageModelTask)
    assert task.name == "language-model"
    assert task.serving is None and task.presets == {}


def test_predict_points_to_generate():
    model = tiny_lm(num_layers=1)
    with pytest.raises(SeqkitError, match="seqkit generate runs/lm --prompt"):
        task_for(model).predict(model, "runs/lm", ["a fine film"])
