"""Caption training: an interrupted run resumes from its last epoch."""

import json

import keras
import pytest

from seqkit.models.caption.settings import PRESETS, CaptionConfig
from seqkit.training.callbacks import EpochCheckpoint
from seqkit.training.recipes.caption import train_caption_model


class Interrupted(Exception):
    pass


def test_an_interrupted_run_resumes_and_finishes(tmp_path, monkeypatch):
    config = CaptionConfig.from_dict({**PRESETS["tiny"], "epochs": 3})
    run = tmp_path / "run"
    original = EpochCheckpoint.on_epoch_end

    def stop_after_the_first(self, epoch, logs=None):
        original(self, epoch, logs)
        if epoch == 0:
            raise Interrupted()

    monkeypatch.setattr(EpochCheckpoint, "on_epoch_end", stop_after_the_first)
    with pytest.raises(Interrupted):
        train_caption_model(config, run, verbose=0)
    assert not (run / "metrics.json").exists()
    monkeypatch.setattr(EpochCheckpoint, "on_epoch_end", original)
    with pytest.raises(ValueError, match="not empty"):
        train_caption_model(config, run, verbose=0)
    seen = []

    fit = keras.Model.fit

    def record(self, *args, **kwargs):
        seen.append(kwargs["initial_epoch"])
        return fit(self, *args, **kwargs)

    monkeypatch.setattr(keras.Model, "fit", record)
    metrics = train_caption_model(config, run, resume=True, verbose=0)
    assert seen == [1]
    history = json.loads((run / "history.json").read_text())
    assert len(history) == 3
    assert metrics["test"]["n"] == 1000


def test_settings_errors_name_the_setting():
    with pytest.raises(ValueError, match="options: cell must be one of"):
        CaptionConfig.from_dict({"cell": "cnn"}, source="options")
    with pytest.raises(ValueError, match="min_digits .5. exceeds max_digits"):
        CaptionConfig.from_dict({"min_digits": 5})
    with pytest.raises(ValueError, match="unknown setting"):
        CaptionConfig.from_dict({"beam": 3})
    with pytest.raises(ValueError, match="image_size is \\[height, width\\]"):
        CaptionConfig.from_dict({"train": "x.csv", "image_size": [28]})
