"""Trained tiny runs and their exports, shared by the serving tests."""

import json

import pytest
from click.testing import CliRunner

from seqkit.cli import cli
from tests.conftest import train_args, write_tiny_split


def _train(folder, *extra):
    paths = write_tiny_split(folder)
    out = folder / "run"
    result = CliRunner().invoke(
        cli, [*train_args(paths), *extra, "--quiet", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="session")
def attention_run(tmp_path_factory):
    """A 2-member ensemble of tiny BiGRUs with attention pooling."""
    folder = tmp_path_factory.mktemp("attention")
    return _train(
        folder,
        "--pooling",
        "attention",
        "--cell",
        "gru",
        "--epochs",
        "2",
        "--ensemble",
        "2",
    )


@pytest.fixture(scope="session")
def pooled_run(tmp_path_factory):
    """A 2-member ensemble of tiny BiLSTMs with max and mean pooling."""
    folder = tmp_path_factory.mktemp("pooled")
    return _train(folder, "--ensemble", "2", "--epochs", "1")


@pytest.fixture(scope="session")
def exported(attention_run, tmp_path_factory):
    """`attention_run` exported as version 1 of a base folder."""
    base = tmp_path_factory.mktemp("export") / "sentiment"
    result = CliRunner().invoke(
        cli, ["export", str(attention_run), "--out", str(base)]
    )
    assert result.exit_code == 0, result.output
    return base, json.loads(result.output)
