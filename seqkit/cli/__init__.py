"""The `seqkit` command line: a root group that loads commands lazily.

Each command lives in its own module and is imported only when it runs (or
when its `--help` is asked for). The root group's listing comes from the
one-line descriptions in `COMMANDS`, so `seqkit --help` stays fast and never
imports TensorFlow or Keras.

Library code reports a user's mistake by raising `seqkit.errors.SeqkitError`
(or any `ValueError`, or a missing-file error); the root group turns it into
one line, `Error: <message>`, and exit status 1, without a traceback. Set the
environment variable `SEQKIT_DEBUG=1` to see the traceback instead.

TensorFlow's own log lines (its C++ start-up, retracing warnings) are kept
off stderr (`seqkit.cli.quiet`); `seqkit --verbose COMMAND` or
`SEQKIT_DEBUG=1` shows them.
"""

import importlib
import os
import sys
from typing import NamedTuple

import click

from seqkit import __version__


class LazyCommand(NamedTuple):
    """Where a command lives and what `seqkit --help` says about it."""

    target: str  # "module:attribute"
    help: str  # one line, shown beside the name in `seqkit --help`


# Add a command by adding a line here and a module in seqkit/cli/.
COMMANDS = {
    "data": LazyCommand(
        "seqkit.cli.data:data",
        "List, fetch and prepare the public data sets.",
    ),
    "encode": LazyCommand(
        "seqkit.cli.encode:encode",
        "Write each text's encoder features (e.g. DeepMoji's) to a .npy.",
    ),
    "evaluate": LazyCommand(
        "seqkit.cli.evaluate:evaluate",
        "Score a run's model on a labelled file (JSON on stdout).",
    ),
    "explain": LazyCommand(
        "seqkit.cli.explain:explain",
        "Render what a run attended to (texts and documents: HTML; captions: "
        "PNG).",
    ),
    "export": LazyCommand(
        "seqkit.cli.export:export",
        "Export a run as a SavedModel for TensorFlow Serving.",
    ),
    "finetune": LazyCommand(
        "seqkit.cli.finetune:finetune",
        "Fine-tune a pretrained run on new labels (chain-thaw, ...).",
    ),
    "generate": LazyCommand(
        "seqkit.cli.generate:generate",
        "Continue a prompt with a language model (greedy, sampling, beam).",
    ),
    "info": LazyCommand(
        "seqkit.cli.info:info",
        "Show versions, devices and whether the cuDNN kernel can run.",
    ),
    "predict": LazyCommand(
        "seqkit.cli.predict:predict",
        "Predict labels (and attention) for texts, or captions for images.",
    ),
    "pretrained": LazyCommand(
        "seqkit.cli.pretrained:pretrained",
        "List the pretrained models that ship with seqkit; pack one.",
    ),
    "pretrain": LazyCommand(
        "seqkit.cli.pretrain:pretrain",
        "Pretrain an encoder: DeepMoji (emoji labels) or a language model.",
    ),
    "serve": LazyCommand(
        "seqkit.cli.serve:serve",
        "Serve exported models over the TensorFlow Serving REST API.",
    ),
    "train": LazyCommand(
        "seqkit.cli.train:train",
        "Train an application's model into a run folder.",
    ),
}

# Exceptions that library code raises for a problem the user can fix: a bad
# value or setting (`ValueError`, which `SeqkitError` subclasses) or a path
# that is missing or of the wrong kind.
USER_ERRORS = (
    ValueError,
    FileNotFoundError,
    IsADirectoryError,
    NotADirectoryError,
    PermissionError,
)

DEBUG_VARIABLE = "SEQKIT_DEBUG"


def error_message(error):
    """The one-line message shown for a user error."""
    if isinstance(error, OSError) and error.filename is not None:
        return f"{error.strerror}: {error.filename}"
    return str(error) or type(error).__name__


class LazyGroup(click.Group):
    """A click group whose subcommands are imported on first use.

    Args:
        lazy_commands: a dict of command name -> `(target, help)`, where
            `target` is `"module:attribute"` and `help` the one-line
            description listed by `--help`.
    """

    def __init__(self, *args, lazy_commands=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.lazy_commands = dict(lazy_commands or {})

    def list_commands(self, ctx):
        return sorted({*super().list_commands(ctx), *self.lazy_commands})

    def get_command(self, ctx, cmd_name):
        if cmd_name not in self.lazy_commands:
            return super().get_command(ctx, cmd_name)
        target, _ = self.lazy_commands[cmd_name]
        module_name, attribute = target.split(":")
        return getattr(importlib.import_module(module_name), attribute)

    def command_help(self, ctx, name, limit):
        if name in self.lazy_commands:
            _, text = self.lazy_commands[name]
            return text
        command = super().get_command(ctx, name)
        if command is None or command.hidden:
            return None
        return command.get_short_help_str(limit)

    def format_commands(self, ctx, formatter):
        # Importing each command for its docstring would pull in TensorFlow;
        # the descriptions come from `lazy_commands` instead.
        names = self.list_commands(ctx)
        if not names:
            return
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = []
        for name in names:
            text = self.command_help(ctx, name, limit)
            if text is not None:
                rows.append((name, text))
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except USER_ERRORS as error:
            if os.environ.get(DEBUG_VARIABLE):
                raise
            raise click.ClickException(error_message(error)) from error


@click.group(name="seqkit", cls=LazyGroup, lazy_commands=COMMANDS)
@click.version_option(__version__, prog_name="seqkit")
@click.option(
    "--verbose",
    is_flag=True,
    help="Show TensorFlow's own log lines (start-up, devices, retracing), "
    "which seqkit keeps quiet otherwise.",
)
def cli(verbose):
    """seqkit: recurrent networks for text (Keras 3).

    Run `seqkit COMMAND --help` for the options of a command. Errors print
    one line and exit with status 1; set SEQKIT_DEBUG=1 for a traceback
    (and TensorFlow's log lines, as --verbose).
    """
    if not (verbose or os.environ.get(DEBUG_VARIABLE)):
        from seqkit.cli.quiet import quiet_tensorflow

        quiet_tensorflow()


def main(args=None):
    """Runs `seqkit` on `args` or `sys.argv`; ends with `SystemExit`."""
    cli(args=args, prog_name="seqkit")


def entry_point():
    """The `seqkit` command (and `python -m seqkit`): `main`, then the
    process ends at once (`exit_now`)."""
    try:
        main()
    except SystemExit as stop:
        exit_now(stop.code)


def exit_now(code):
    """Ends the process with `code` (a `SystemExit` code) once a command
    has finished, without the interpreter's teardown when TensorFlow is
    loaded.

    Unloading TensorFlow's modules and objects kept a finished `seqkit
    train` running a second or more before the shell got its prompt
    back; nothing of it is the user's. The exit
    handlers still run (logging's flush among them) and the output is
    flushed; what is skipped is only the freeing of memory the process
    gives back anyway. Without TensorFlow (`--help`, `data list`) the
    usual exit is as fast.
    """
    if code is None:
        code = 0
    elif not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    if "tensorflow" not in sys.modules:
        raise SystemExit(code)
    import atexit

    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code)
