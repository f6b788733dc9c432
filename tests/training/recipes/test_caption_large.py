"""The caption decoder's default task: the target docs/benchmarks.md gives.

Marked `large` (about 5 minutes on 2 cores): `python -m pytest -m large`.
"""

import pytest

from tests.training.defaults import train_default


@pytest.mark.large
def test_default_caption_run_reads_the_digit_canvases(tmp_path):
    metrics = train_default("caption", tmp_path / "caption")
    test = metrics["test"]
    # 1,000 test canvases, composed only of digit images never trained on.
    assert test["n"] == 1000
    assert test["decode"].startswith("beam search, width 4")
    assert test["exact_match"] >= 0.90
    assert test["bleu"] >= 90.0
    assert test["greedy"]["exact_match"] >= 0.88
