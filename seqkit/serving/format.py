"""What `seqkit export` writes and `seqkit serve` reads.

A model's base folder holds numbered version folders (`BASE/1`,
`BASE/2`, ...), each a SavedModel whose signature is `SIGNATURE`. Beside
the graph, `assets.extra/seqkit.json` (`METADATA_FILE`) holds the class
names, the preprocessing settings and the run's configuration under the
format `FORMAT`, and `assets.extra/labels.txt` (`LABELS_FILE`) the class
names one per line.
"""

import json
from pathlib import Path

SIGNATURE = "serving_default"
METADATA_FILE = "seqkit.json"
LABELS_FILE = "labels.txt"
# The "format" of the metadata document.
FORMAT = "seqkit-export/1"


def version_folders(base):
    """The numbered version folders under `base`, as `{number: path}`."""
    base = Path(base)
    if not base.is_dir():
        return {}
    return {
        int(entry.name): entry
        for entry in base.iterdir()
        if entry.is_dir() and entry.name.isdigit()
    }


def next_version(base):
    """One more than the highest version under `base` (1 when none)."""
    return max(version_folders(base), default=0) + 1


def write_assets_extra(export_dir, metadata):
    """Writes an export's metadata document and its labels file."""
    extra = Path(export_dir) / "assets.extra"
    extra.mkdir(exist_ok=True)
    with open(extra / METADATA_FILE, "w", encoding="utf-8") as handle:
        json.dump(metadata, handle, indent=2, ensure_ascii=False)
        handle.write("\n")
    with open(extra / LABELS_FILE, "w", encoding="utf-8") as handle:
        handle.writelines(f"{name}\n" for name in metadata["class_names"])


def read_metadata(export_dir):
    """An export's `assets.extra/seqkit.json`, or `{}` if it has none."""
    path = Path(export_dir) / "assets.extra" / METADATA_FILE
    if not path.is_file():
        return {}
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)
