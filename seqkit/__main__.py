"""`python -m seqkit`: the same as the `seqkit` command."""

from seqkit.cli import main

if __name__ == "__main__":
    main()
