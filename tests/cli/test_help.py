"""`--help` of every command, `--version`, and a light `seqkit --help`."""

import subprocess
import sys

import pytest
from click.testing import CliRunner

import seqkit
from seqkit.cli import COMMANDS, cli

HEAVY_MODULES = ("tensorflow", "keras")


def invoke(*args):
    return CliRunner().invoke(cli, list(args), prog_name="seqkit")


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_command_help(name):
    result = invoke(name, "--help")
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Usage: seqkit {name} ")


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_command_entry_is_target_and_one_line(name):
    target, text = COMMANDS[name]
    module, _, attribute = target.partition(":")
    assert module.startswith("seqkit.cli.") and attribute
    assert text.strip() and "\n" not in text


def test_version():
    result = invoke("--version")
    assert result.exit_code == 0
    assert result.output.strip() == f"seqkit, version {seqkit.__version__}"


def test_root_help_lists_every_command_with_its_description():
    result = invoke("--help")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Usage: seqkit ")
    listing = result.output.split("Commands:", 1)[1]
    for name, (_, text) in COMMANDS.items():
        assert f"{name} {text}" in " ".join(listing.split())


def imported_modules_after(*args):
    """The heavy modules imported by `seqkit ARGS`, run in a fresh Python."""
    script = (
        "import sys\n"
        "import seqkit.cli\n"
        "try:\n"
        f"    seqkit.cli.main({list(args)!r})\n"
        "except SystemExit as exit:\n"
        "    assert exit.code == 0, exit.code\n"
        f"print([m for m in {HEAVY_MODULES!r} if m in sys.modules])\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
    )
    return completed.stdout.strip().splitlines()[-1]


def test_root_help_imports_neither_tensorflow_nor_keras():
    assert imported_modules_after("--help") == "[]"


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_command_help_imports_neither_tensorflow_nor_keras(name):
    assert imported_modules_after(name, "--help") == "[]"
