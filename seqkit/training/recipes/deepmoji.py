"""DeepMoji pretraining (Felbo et al. 2017): the sentiment recipe with the
`deepmoji` preset, on an emoji corpus or any labelled data.

Without data options it pretrains on real tweets labelled by their emoji,
TweetEval's emoji task (`DEFAULT_DATA`): fitted on its 45,000 training
tweets, stopped early on its 5,000 validation tweets, and scored once on
its 50,000 test tweets. A corpus of one's own is a folder that `seqkit
data emoji-corpus` writes: `train.csv`, `valid.csv` and `test.csv` with
`text` and `label` columns.
"""

from pathlib import Path

from seqkit.errors import SeqkitError

# The preset a DeepMoji run starts from (`seqkit.models.deepmoji.PRESETS`).
PRESET = "deepmoji"
# The data set `seqkit pretrain deepmoji` reads when given none.
DEFAULT_DATA = "tweeteval-emoji"


def default_files():
    """The prepared splits of `DEFAULT_DATA`, fetched (or read from the
    mirror, `SEQKIT_DATA_MIRROR`) and prepared into the cache once.

    Returns:
        `{"train": path, "valid": path, "test": path}` (strings).

    Raises:
        SeqkitError: fetching or preparing failed (the message says why:
            no access and no mirror, or a file with the wrong sha256).
    """
    from seqkit.data import DataError, bundled_splits

    try:
        paths = bundled_splits(DEFAULT_DATA)
    except DataError as error:
        raise SeqkitError(
            f"pretrain deepmoji without --corpus or --train reads "
            f"{DEFAULT_DATA}: {error}"
        ) from None
    return {split: str(path) for split, path in paths.items()}


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
