"""The pretrained models that ship in the package answer as the runs they
were packed from."""

import json

import numpy as np
import pytest

import seqkit.pretrained as pretrained


@pytest.mark.parametrize("name", sorted(pretrained.MODELS))
def test_the_shipped_model_answers_as_its_run(name):
    from seqkit.models.predict import predict_outputs
    from seqkit.runs import load_run

    assert pretrained.is_shipped(name), f"{name} is not in the package"
    folder = pretrained.folder(name)
    card = pretrained.card(name)
    assert card["bytes"] == pretrained.folder_bytes(folder)
    assert card["bytes"] <= pretrained.MAX_BYTES
    metrics = json.loads((folder / "metrics.json").read_text("utf-8"))
    assert card["scores"]["test"]["macro_f1"] == metrics["test"]["macro_f1"]

    model = load_run(name)
    check = card["check"]
    assert check["classes"] == list(model.class_names)
    found = predict_outputs(model, check["texts"])["probabilities"]
    expected = np.asarray(check["probabilities"])
    # float16 weights: each probability within 0.02 of the float32 run's,
    # and the same emoji first.
    np.testing.assert_allclose(found, expected, atol=2e-2)
    assert list(found.argmax(-1)) == list(expected.argmax(-1))
