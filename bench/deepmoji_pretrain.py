"""The shipped DeepMoji encoder, made and recorded: pretraining on
TweetEval's emoji task, its time, its size and its test macro-F1 beside
TweetEval's published rows.

Usage:
    python bench/deepmoji_pretrain.py [--run runs/deepmoji-tweets]
        [--out docs/results/deepmoji-tweets.json] [--no-pack]
        [--time-log LOG] [--also RUN ...] [-- extra seqkit pretrain options]

Runs `seqkit pretrain deepmoji --seed 0 --out RUN` (the preset
`deepmoji`: the shipped size; TweetEval's emoji task from
`SEQKIT_DATA_MIRROR` or fetched) as a measured process, then `seqkit
pretrained pack RUN --name deepmoji-tweets` (unless --no-pack: the
shipped folder is left as it is, and its size read from its card), and
writes `--out`: the command, commit, date and machine; the wall time and
peak memory of the pretraining process; the epochs run and the best one;
the weights and the packed bytes; valid and test accuracy and macro-F1
(TweetEval's official emoji metric, on its 50,000 test tweets, scored
once); and TweetEval's published emoji rows beside them.

With `--time-log LOG` it does not train: RUN is a finished run and LOG
the GNU `time -v` output of the process that made it (wall clock and
maximum resident set size are read from it), for a run made by hand with
the same command. `--also RUN ...` adds other finished pretraining runs
(the settings that differ, the best epoch, the scores) under
`alternatives`: what was tried before the shipped settings were chosen.

How long: about 15 minutes on 2 CPU cores (an epoch of 45,000 tweets
takes about 100 s). Run it with this checkout importable
(`PYTHONPATH=.`).
"""

import argparse
import datetime
import json
import re
import shlex
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from panel import ROOT, machine, measured, revision, seqkit_argv  # noqa: E402
from tweeteval import PUBLISHED  # noqa: E402

from seqkit.pretrained import MAX_BYTES  # noqa: E402

NAME = "deepmoji-tweets"


def pretrain_argv(run, extra):
    """The `seqkit pretrain deepmoji` command line."""
    return seqkit_argv(
        "pretrain", "deepmoji", "--seed", 0, *extra, "--out", run
    )


def time_log(path):
    """`(wall seconds, peak RSS MiB)` from GNU `time -v` output."""
    text = Path(path).read_text(encoding="utf-8", errors="replace")
    clock = re.search(r"Elapsed \(wall clock\) time.*: ([\d:.]+)", text)
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
    if not clock or not rss:
        raise SystemExit(f"{path}: no GNU time -v wall clock and peak RSS")
    seconds = 0.0
    for part in clock.group(1).split(":"):
        seconds = seconds * 60 + float(part)
    return seconds, int(rss.group(1)) / 1024


def weights_count(run):
    from seqkit.runs import load_run

    model = load_run(run)
    return int(sum(int(w.numpy().size) for w in model.weights))


def _read(run, name):
    return json.loads((run / name).read_text(encoding="utf-8"))


def best_epoch(config, history):
    """The epoch the run kept: the best of its monitored quantity."""
    monitor = config["monitor"]
    if monitor.endswith(("accuracy", "f1")):
        return max(history, key=lambda row: row[monitor])["epoch"]
    return min(history, key=lambda row: row[monitor])["epoch"]


def scores_of(metrics):
    return {
        split: {
            "n": metrics[split]["n"],
            "accuracy": round(metrics[split]["accuracy"], 4),
            "macro_f1": round(metrics[split]["macro_f1"], 4),
        }
        for split in ("valid", "test")
    }


def alternative(run, shipped_config):
    """What another pretraining run tried, and what it scored."""
    config = _read(run, "config.json")
    history = _read(run, "history.json")
    return {
        "run": str(run),
        "differs": {
            key: config.get(key)
            for key in SETTINGS
            if config.get(key) != shipped_config.get(key)
        },
        "epochs_run": len(history),
        "best_epoch": best_epoch(config, history),
        "scores": scores_of(_read(run, "metrics.json")),
        "history": history,
    }


SETTINGS = (
    "units",
    "layers",
    "embedding_dim",
    "max_vocab",
    "min_count",
    "max_length",
    "batch_size",
    "learning_rate",
    "class_weight",
    "monitor",
    "epochs",
    "patience",
    "seed",
)


def record(run, command, seconds, rss, packed, also=()):
    history = _read(run, "history.json")
    config = _read(run, "config.json")
    scores = scores_of(_read(run, "metrics.json"))
    return {
        "command": command,
        **revision(),
        "date": datetime.datetime.now(datetime.UTC).isoformat(
            timespec="seconds"
        ),
        "machine": machine(),
        "model": NAME,
        "settings": {key: config[key] for key in SETTINGS},
        "weights": weights_count(run),
        "packed_bytes": packed,
        "packed_megabytes": packed and round(packed / 2**20, 2),
        "limit_megabytes": MAX_BYTES // 2**20,  # what a shipped model may take
        "pretrain_wall_seconds": round(seconds, 1),
        "pretrain_peak_rss_mb": round(rss, 1),
        "epochs_run": len(history),
        "best_epoch": best_epoch(config, history),
        "history": history,
        "scores": scores,
        "test_macro_f1_x100": round(100 * scores["test"]["macro_f1"], 1),
        "published_emoji_macro_f1": {
            system: rows["emoji"] for system, rows in PUBLISHED.items()
        },
        "alternatives": [alternative(Path(r), config) for r in also],
    }


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--run", type=Path, default=ROOT / "runs" / NAME)
    parser.add_argument(
        "--out", type=Path, default=ROOT / "docs" / "results" / f"{NAME}.json"
    )
    parser.add_argument("--no-pack", action="store_true")
    parser.add_argument("--time-log", type=Path)
    parser.add_argument("--also", nargs="+", type=Path, default=[])
    parser.add_argument("extra", nargs="*", help="more pretrain options")
    args = parser.parse_args(argv)
    argv = pretrain_argv(args.run, args.extra)
    command = shlex.join(["seqkit", *map(str, argv[3:])])
    if args.time_log is not None:
        seconds, rss = time_log(args.time_log)
    else:
        args.run.parent.mkdir(parents=True, exist_ok=True)
        status, seconds, rss = measured(argv, args.run.with_suffix(".log"))
        if status:
            raise SystemExit(f"pretraining exited with {status}")
    if not args.no_pack:
        from seqkit.cli import cli

        cli.main(
            ["pretrained", "pack", str(args.run), "--name", NAME],
            standalone_mode=False,
        )
    from seqkit.pretrained import card

    # The shipped folder's size (with --no-pack: as packed before).
    packed = (card(NAME) or {}).get("bytes")
    results = record(args.run, command, seconds, rss, packed, args.also)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps(results, indent=2, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    print(json.dumps({k: results[k] for k in ("scores", "weights")}))


if __name__ == "__main__":
    main()
