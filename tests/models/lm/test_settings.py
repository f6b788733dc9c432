"""The settings of a language-model run: each error names its setting."""

import pytest

from seqkit.models.lm.settings import LMConfig


@pytest.mark.parametrize(
    "values, message",
    [
        ({"corpus": []}, "corpus: give at least one file"),
        ({"bptt": 0}, "bptt must be a positive integer"),
        ({"dropout": 1.0}, r"dropout must be in \[0, 1\)"),
        ({"directions": "up"}, "directions must be one of forward, backward"),
        ({"cell": "rnn"}, "cell must be one of elman, lstm, gru"),
        ({"valid_fraction": 0}, r"valid_fraction must be in \(0, 1\)"),
        ({"colour": 1}, r"unknown setting\(s\) \['colour'\]"),
    ],
)
def test_lm_settings_errors_name_the_setting(values, message):
    with pytest.raises(ValueError, match=f"options: {message}"):
        LMConfig.from_dict({"corpus": ["c.txt"], **values}, source="options")
