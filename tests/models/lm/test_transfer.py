"""What a classifier takes from a language-model run (`--init-from`).

The transfer of the weights themselves is tested on a trained run in
tests/cli/test_lm_cli.py.
"""

import pytest

from seqkit.errors import SeqkitError
from seqkit.models.lm.transfer import merge_settings


def test_merge_settings_refuses_a_non_lm_run(tmp_path):
    (tmp_path / "model.keras").write_text("x")
    (tmp_path / "config.json").write_text('{"cell": "lstm"}')
    with pytest.raises(SeqkitError, match="not a language-model run"):
        merge_settings({}, {}, tmp_path)


def _lm_run(folder, **settings):
    import json

    from seqkit.models.lm.settings import LMConfig

    config = LMConfig(corpus=["c.txt"], **settings).to_dict()
    (folder / "model.keras").write_text("x")
    (folder / "config.json").write_text(json.dumps(config))
    return folder


def test_the_default_ensemble_becomes_members_the_lm_can_start(tmp_path):
    from seqkit.models.sentiment import SentimentConfig

    run = _lm_run(tmp_path, units=16, embedding_dim=12)
    values = merge_settings({}, {}, run)
    config = SentimentConfig.from_dict(values)
    assert (config.cell, config.units, config.embedding_dim) == ("lstm", 16, 12)
    assert config.ensemble == 6 and config.member_overrides == []
    assert config.bidirectional  # the default LM has both directions
    # A preset's variations that fit the LM stay.
    values = merge_settings(
        {"member_overrides": [{"cell": "gru", "dropout": 0.2}, {}]}, {}, run
    )
    assert values["member_overrides"] == [{"dropout": 0.2}]


def test_explicit_settings_the_lm_contradicts_are_refused(tmp_path):
    from seqkit.models.sentiment import SentimentConfig

    run = _lm_run(tmp_path, cell="lstm")
    with pytest.raises(SeqkitError, match="--cell gru conflicts with"):
        merge_settings({"cell": "gru"}, {"cell": "gru"}, run)
    overrides = [{}, {"cell": "gru"}]
    given = {"member_overrides": overrides}
    values = merge_settings(dict(given), given, run)
    with pytest.raises(ValueError, match="ensemble member 1 sets cell"):
        SentimentConfig.from_dict(values)
    with pytest.raises(ValueError, match="static_channel widens"):
        SentimentConfig.from_dict({**values, "static_channel": True})
