"""The caption decoder's default task: the figures docs/benchmarks.md gives.

Marked `large` (about 5 minutes on 2 cores): `python -m pytest -m large`.
"""

import json

import pytest
from click.testing import CliRunner

from seqkit.cli import cli


@pytest.mark.large
def test_default_caption_run_reads_the_digit_canvases(tmp_path):
    run = tmp_path / "caption"
    result = CliRunner().invoke(
        cli, ["train", "caption", "--quiet", "--out", str(run)]
    )
    assert result.exit_code == 0, result.output
    metrics = json.loads((run / "metrics.json").read_text())
    test = metrics["test"]
    # 1,000 test canvases, composed only of digit images never trained on.
    assert test["n"] == 1000
    assert test["decode"].startswith("beam search, width 4")
    assert test["exact_match"] >= 0.90
    assert test["bleu"] >= 90.0
    assert test["greedy"]["exact_match"] >= 0.88
