"""DeepMoji pretraining (Felbo et al. 2017): the sentiment recipe with the
`deepmoji` preset, on an emoji corpus or any labelled data.

The corpus is a folder that `seqkit data emoji-corpus` writes:
`train.csv`, `valid.csv` and `test.csv` with `text` and `label` columns.
"""

from pathlib import Path

from seqkit.errors import SeqkitError

# The preset a DeepMoji run starts from (`seqkit.models.deepmoji.PRESETS`).
PRESET = "deepmoji"


def corpus_files(corpus):
    """The split files of an emoji-corpus folder.

    Args:
        corpus: the folder.

    Returns:
        `{"train": path, "valid": path, "test": path}` (strings).

    Raises:
        SeqkitError: a split file is missing (named).
    """
    folder = Path(corpus)
    files = {}
    for split in ("train", "valid", "test"):
        path = folder / f"{split}.csv"
        if not path.is_file():
            raise SeqkitError(
                f"--corpus {corpus}: {path.name} is missing; build the "
                "folder with `seqkit data emoji-corpus`"
            )
        files[split] = str(path)
    return files
