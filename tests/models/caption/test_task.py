"""The captioning task: found for a caption model, predicts as decoding does."""

import json

import keras
import numpy as np
import pytest

from seqkit.errors import SeqkitError
from seqkit.models.caption import CaptionModel, caption_vocabulary
from seqkit.models.caption.decoding import caption_inputs
from seqkit.models.caption.task import CaptionTask
from seqkit.models.task import task_for


@pytest.fixture(scope="module")
def model():
    keras.utils.set_random_seed(0)
    found = CaptionModel(
        caption_vocabulary(["one two", "two three"]),
        filters=[4],
        feature_dim=5,
        units=6,
        embedding_dim=3,
        attention_units=4,
        seed=3,
    )
    found([np.zeros((1, 8, 12), "float32"), np.zeros((1, 3), "int32")])
    return found


@pytest.fixture
def run(tmp_path):
    settings = {
        "config": {"decode": "beam", "beam_width": 2, "length_penalty": 1.0},
        "data": {"max_words": 3},
    }
    for name, values in settings.items():
        (tmp_path / f"{name}.json").write_text(json.dumps(values))
    return tmp_path


def test_a_caption_model_names_the_captioning_task(model):
    task = task_for(model)
    assert isinstance(task, CaptionTask)
    assert task.name == "captioning" and task.serving == "caption"


def test_predict_gives_a_record_per_input_as_decoding_does(model, run):
    inputs = np.random.default_rng(1).random((3, 8, 12), "float32")
    np.save(run / "inputs.npy", inputs)
    records = task_for(model).predict(model, run, [run / "inputs.npy"])
    expected = caption_inputs(
        model, inputs, method="beam", width=2, max_tokens=4
    )
    assert [r["input"] for r in records] == [
        f"inputs.npy[{i}]" for i in range(3)
    ]
    assert [{k: v for k, v in r.items() if k != "input"} for r in records] == [
        found.to_dict() for found in expected
    ]
    assert set(records[0]) == {"input", "caption", "score", "finished", "beams"}
    greedy = task_for(model).predict(
        model, run, [], run / "inputs.npy", decode="greedy"
    )
    assert [r["caption"] for r in greedy] == [
        found.caption for found in caption_inputs(model, inputs, max_tokens=4)
    ]


def test_predict_without_inputs_is_refused(model, run):
    with pytest.raises(SeqkitError, match="give image files"):
        task_for(model).predict(model, run, [])
