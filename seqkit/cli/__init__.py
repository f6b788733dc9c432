"""The `seqkit` command line: a root group that loads commands lazily.

Each command lives in its own module and is imported only when it runs (or
when its `--help` is asked for), so `seqkit --help` stays fast and never
imports TensorFlow.
"""

import importlib

import click

from seqkit import __version__

# command name -> "module:attribute". Add a command by adding a line here.
COMMANDS = {
    "info": "seqkit.cli.info:info",
}


class LazyGroup(click.Group):
    """A click group whose subcommands are imported on first use."""

    def __init__(self, *args, lazy_commands=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.lazy_commands = dict(lazy_commands or {})

    def list_commands(self, ctx):
        return sorted({*super().list_commands(ctx), *self.lazy_commands})

    def get_command(self, ctx, cmd_name):
        if cmd_name in self.lazy_commands:
            module_name, attribute = self.lazy_commands[cmd_name].split(":")
            module = importlib.import_module(module_name)
            return getattr(module, attribute)
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx, formatter):
        # Listing short help would import every command module; list the
        # names alone so `seqkit --help` stays light.
        names = self.list_commands(ctx)
        if names:
            with formatter.section("Commands"):
                formatter.write_dl([(name, "") for name in names])


@click.group(cls=LazyGroup, lazy_commands=COMMANDS)
@click.version_option(__version__, prog_name="seqkit")
def cli():
    """seqkit: recurrent networks for text (Keras 3).

    Run `seqkit COMMAND --help` for the options of a command.
    """


def main():
    """Console-script entry point."""
    cli()
