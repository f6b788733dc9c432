"""The pretrained models that ship inside the package, by name.

A shipped model is a run folder kept in the package
(`seqkit/pretrained/models/NAME/`): `model.keras` with its weights stored
as float16 (the model loads them into its float32 variables),
`config.json`, `data.json` and `metrics.json` of the run it was made from,
and `card.json` (what it is, the data, the scores, its size, the command
that makes it, and the run, commit and date it was packed from). Wherever
a command takes a run folder it also takes a shipped model's name:
`resolve` turns the name into the folder.

`pack` makes a shipped folder from a finished run; `listing` describes
every model this package knows, shipped or not.
"""

import dataclasses
import datetime
import io
import json
import shutil
import subprocess
import zipfile
from pathlib import Path

from seqkit.errors import SeqkitError

FOLDER = Path(__file__).resolve().parent / "models"
# What the repository may hold for one shipped model.
MAX_BYTES = 12 * 1024 * 1024
RUN_FILES = ("config.json", "data.json", "metrics.json")
WEIGHTS = "model.weights.h5"


@dataclasses.dataclass(frozen=True)
class Pretrained:
    """A model the package knows by name.

    Attributes:
        name: what commands take in place of a run folder.
        description: one line on what it is.
        data: the data set it was trained on (a `seqkit data list` name)
            and how it was used.
        command: the command that makes it, from a source checkout.
    """

    name: str
    description: str
    data: str
    command: str


MODELS = {
    m.name: m
    for m in [
        Pretrained(
            name="deepmoji-tweets",
            description=(
                "the DeepMoji encoder pretrained on real tweets labelled "
                "by their emoji (20 emoji); predicts emoji, encodes texts "
                "and fine-tunes (seqkit finetune --base deepmoji-tweets)"
            ),
            data=(
                "tweeteval-emoji: fitted on its train tweets, stopped "
                "early on val, scored once on test"
            ),
            command=(
                "seqkit pretrain deepmoji --seed 0 --out runs/deepmoji-tweets "
                "&& seqkit pretrained pack runs/deepmoji-tweets "
                "--name deepmoji-tweets"
            ),
        ),
    ]
}


def folder(name):
    """The package folder of model `name` (which may not exist)."""
    return FOLDER / name


def is_shipped(name):
    """Whether this installation holds model `name`'s files."""
    return name in MODELS and (folder(name) / "model.keras").is_file()


def resolve(run):
    """A run folder for `run`: itself, or a shipped model's folder.

    A path that exists is returned as it is (a folder of one's own wins
    over a model of the same name). A known model's name gives its
    package folder.

    Args:
        run: a run folder or a model's name.

    Returns:
        A string path.

    Raises:
        SeqkitError: `run` names a known model this installation does not
            hold (the message says how to make it).
    """
    text = str(run)
    if Path(text).exists() or text not in MODELS:
        return text
    if not is_shipped(text):
        raise SeqkitError(
            f"{text} is a pretrained model this installation does not hold "
            f"(no {folder(text) / 'model.keras'}); make it with: "
            f"{MODELS[text].command}"
        )
    return str(folder(text))


def card(name):
    """The `card.json` of a shipped model, as a dict (None if absent)."""
    path = folder(name) / "card.json"
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def listing():
    """Every model the package knows: one dict each, for `seqkit
    pretrained list` (name, shipped, megabytes, data, scores, command)."""
    rows = []
    for name, model in MODELS.items():
        info = card(name) if is_shipped(name) else None
        rows.append(
            {
                "name": name,
                "shipped": info is not None,
                "megabytes": info and round(info["bytes"] / 2**20, 2),
                "data": model.data,
                "scores": info and info["scores"],
                "description": model.description,
                "command": model.command,
            }
        )
    return rows


def folder_bytes(path):
    """The bytes of every file under `path`."""
    return sum(p.stat().st_size for p in Path(path).rglob("*") if p.is_file())


def half_precision_archive(source, target):
    """Copies the `.keras` archive `source` to `target`, its float32 and
    float64 weights stored as float16 and every member compressed.

    Other arrays (integer tables, strings) are copied as they are.
    """
    import h5py
    import numpy as np

    with zipfile.ZipFile(source) as archive:
        members = {
            info.filename: archive.read(info) for info in archive.infolist()
        }
    if WEIGHTS not in members:
        raise SeqkitError(f"{source}: no {WEIGHTS} inside; not a .keras file")
    reader = h5py.File(io.BytesIO(members[WEIGHTS]), "r")
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as writer:

        def copy(group, into):
            for key, value in group.attrs.items():
                into.attrs[key] = value
            for key, item in group.items():
                if isinstance(item, h5py.Group):
                    copy(item, into.create_group(key))
                    continue
                data = item[()]
                if isinstance(data, np.ndarray) and data.dtype in (
                    np.float32,
                    np.float64,
                ):
                    data = data.astype(np.float16)
                into.create_dataset(key, data=data)
                for name, value in item.attrs.items():
                    into[key].attrs[name] = value

        copy(reader, writer)
    reader.close()
    members[WEIGHTS] = buffer.getvalue()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def _commit():
    """The source checkout's commit, or None outside one."""
    try:
        return subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=FOLDER.parent,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


# Texts whose probabilities `seqkit pretrained pack` records in the card
# (`check`): what the run (float32) answered, for a test that the shipped
# (float16) model answers the same.
CHECK_TEXTS = (
    "so proud of you all, congrats!!",
    "i can't stop laughing at this",
    "miss you so much",
    "merry christmas everyone",
    "happy 4th of july",
    "beautiful sunset at the beach tonight",
    "this song is fire",
    "love you babe",
    "good morning sunshine",
    "100 percent agree with this",
)


def pack(run, name, into=None, max_bytes=MAX_BYTES, check=None):
    """Makes the shipped folder of model `name` from a finished run.

    Args:
        run: the finished run folder (`model.keras`, `config.json`,
            `data.json`, `metrics.json`).
        name: a name of `MODELS`.
        into: the folder to write (default: the package's, `folder(name)`);
            replaced when it exists.
        max_bytes: the most the folder may take.
        check: what the run answers to `CHECK_TEXTS` (`{"texts": [...],
            "classes": [...], "probabilities": [[...], ...]}`), kept in the
            card so that a test can hold the shipped model to it.

    Returns:
        The card (a dict), also written to `card.json`.

    Raises:
        SeqkitError: an unknown name, an unfinished run (the missing file
            named), or a folder over `max_bytes`.
    """
    if name not in MODELS:
        raise SeqkitError(
            f"--name {name}: not a pretrained model of seqkit; known: "
            f"{', '.join(MODELS)}"
        )
    run = Path(run)
    for file in ("model.keras", *RUN_FILES):
        if not (run / file).is_file():
            raise SeqkitError(
                f"{run}: no {file}; pack a finished run (seqkit pretrain "
                "... --out RUN)"
            )
    target = Path(into) if into is not None else folder(name)
    staging = target.with_name(target.name + ".packing")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    half_precision_archive(run / "model.keras", staging / "model.keras")
    for file in RUN_FILES:
        shutil.copyfile(run / file, staging / file)
    metrics = json.loads((run / "metrics.json").read_text(encoding="utf-8"))
    config = json.loads((run / "config.json").read_text(encoding="utf-8"))
    info = {
        "name": name,
        "description": MODELS[name].description,
        "data": MODELS[name].data,
        "scores": {
            split: {
                k: v
                for k, v in metrics[split].items()
                if k in ("n", "accuracy", "macro_f1")
            }
            for split in ("valid", "test")
            if isinstance(metrics.get(split), dict)
        },
        "preset": config.get("preset"),
        "command": MODELS[name].command,
        "packed_from": str(run.resolve()),
        "commit": _commit(),
        "date": datetime.datetime.now(datetime.UTC).isoformat(
            timespec="seconds"
        ),
        "weights": "float16",
    }
    if check is not None:
        info["check"] = check
    # `bytes` is the whole folder's, its card with this very entry included.
    info["bytes"] = 0
    while True:
        (staging / "card.json").write_text(
            json.dumps(info, indent=2, ensure_ascii=False) + "\n",
            encoding="utf-8",
        )
        size = folder_bytes(staging)
        if size == info["bytes"]:
            break
        info["bytes"] = size
    if size > max_bytes:
        shutil.rmtree(staging)
        raise SeqkitError(
            f"{name} from {run} takes {size / 2**20:.1f} MB, over the "
            f"{max_bytes / 2**20:.0f} MB a shipped model may take: train a "
            "smaller model (fewer --units, a smaller --max-vocab)"
        )
    shutil.rmtree(target, ignore_errors=True)
    staging.rename(target)
    return info
