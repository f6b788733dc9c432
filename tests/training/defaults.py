"""Training an application's default task as a newcomer runs it."""

import json

from click.testing import CliRunner

from seqkit.cli import cli


def train_default(task, run):
    """`seqkit train TASK --quiet --out RUN`; returns `RUN/metrics.json`."""
    result = CliRunner().invoke(
        cli, ["train", task, "--quiet", "--out", str(run)]
    )
    assert result.exit_code == 0, result.output
    return json.loads((run / "metrics.json").read_text())
