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
