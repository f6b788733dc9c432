"""`python -m seqkit`: the same as the `seqkit` command."""

from seqkit.cli import entry_point

if __name__ == "__main__":
    entry_point()
