"""The panel: seqkit's default recipe against linear baselines on real data.

Usage:
    python bench/panel.py [--only NAME ...] [--resume] [--out PATH]
        [--runs DIR] [--shared DIR]
    python bench/panel.py --baselines-only      # the linear models alone
    python bench/panel.py --quick [--out PATH]  # CI-sized check
    python bench/panel.py --table-only [--out PATH]

For each data set of the panel it trains seqkit's default, exactly as a
user would (`seqkit train sentiment --train T --valid V --test S
--text-column text --label-column label --out RUNS/NAME --quiet`, no other
setting but, for TweetEval, its official metric as `--selection` (which
the baselines' C is chosen by too: `macro_f1`, `f1:irony`,
`f1:against,favor`); `pang-lee-documents`: `seqkit train documents`, the
same options), and two linear baselines beside it on the same files, and scores
every test split once:

- seqkit: the wall seconds of the training process and its peak resident
  memory (`os.wait4`), the test predictions of `seqkit predict RUN --input
  TEST` scored below, the run's own `metrics.json` figures beside them,
  and the adapted settings the recipe wrote (`config.json`'s `adapted`,
  copied as it is, when there is one);
- `tfidf_lr`, `tfidf_svm`: TF-IDF (sublinear tf) of word 1-2 grams plus
  character 2-5 grams (`char_wb`), fit on train, with LogisticRegression
  or LinearSVC; C chosen on valid by the main metric over `C_GRID`,
  test scored once with it; the chosen C, valid and test scores, and
  seconds.

The data sets: `rt-snippets` and `vader-tweets` (committed in `data/`);
the TweetEval tasks emotion, hate, irony, offensive and stance (the five
topics pooled; fetched from `SHARED/data/tweeteval` and prepared into the
seqkit cache); the Pang & Lee reviews (fetched from PyPI, prepared into
the cache) twice, as whole texts (`pang-lee-reviews`) and with the
hierarchical document classifier (`pang-lee-documents`). Rows with a blank
text are left out of every split, as seqkit's readers do.

Scores: `accuracy` and `macro_f1` everywhere, and for TweetEval its
`official` metric (`seqkit.models.metrics.official_score`). The main
figure is `official` for TweetEval and `accuracy` for the others;
`margin_points` is seqkit's main test figure minus the better baseline's,
x100.

Writes `--out` (default `docs/results/panel.json`; with --baselines-only
`docs/results/panel-baselines.json`) after every data set, and the
markdown table beside it (`.md`); `--table-only` rewrites the table from
the JSON. `--resume` skips the data sets already complete in that file;
`--only NAME ...` runs those; `--redo` keeps that file's other rows and
runs the `--only` sets again (a change that touches some rows).
`--runs DIR` (default `runs/panel`, git-ignored) takes the run folders;
a folder of a data set being run again is removed first. `--remix --only
NAME ...` keeps those sets' finished run folders and their training
figures, and redoes only the n-gram side and the mix (the run's model and
metrics removed, the same command with `--resume`), for a change that
touches only the mix; the row records the remix's command, seconds and
commit beside the commit its members were trained at.

How long: the whole panel about an hour (an estimate: it has not been run
end to end yet; the ten seqkit trainings are most of it); the baselines
alone (--baselines-only) 15 to 20 minutes on 2 busy cores, most of it the
C searches of emotion, hate and the reviews. `--quick` (the tiny preset;
the first 400 / 100 / 100 rows of rt-snippets, vader-tweets and
tweeteval-irony, or of the `--only` sets) takes one to two minutes on 2
cores and writes to a temporary folder unless --out is given.

The seqkit processes run with PYTHONPATH starting at this checkout, so the
commit recorded is the code measured (the JSON's `dirty` says whether the
checkout differs from it); their logs are `RUNS/NAME.log`. The TweetEval
scores are computed in this process: run it with this checkout's seqkit
importable (`PYTHONPATH=.`, or an editable install of it). The data cache
is $SEQKIT_DATA_DIR (default ~/.cache/seqkit).
"""

import argparse
import csv
import dataclasses
import datetime
import importlib.metadata
import json
import logging
import os
import platform
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
C_GRID = (0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0)
QUICK_ROWS = {"train": 400, "valid": 100, "test": 100}
SPLITS = ("train", "valid", "test")
BASELINES = ("tfidf_lr", "tfidf_svm")

log = logging.getLogger("panel")


@dataclasses.dataclass(frozen=True)
class DataSet:
    """One data set of the panel.

    Attributes:
        name: the panel's name (and run folder) of the data set.
        source: the registry name of the data (`seqkit data ...`).
        recipe: `sentiment` or `documents` (`seqkit train RECIPE`).
        task: the TweetEval task, or None.
    """

    name: str
    source: str
    recipe: str = "sentiment"
    task: str | None = None

    @property
    def main(self):
        """The key of the main figure among the scores."""
        return "official" if self.task else "accuracy"


TWEETEVAL = ("emotion", "hate", "irony", "offensive", "stance")
PANEL = {
    d.name: d
    for d in [
        DataSet("rt-snippets", "rt-snippets"),
        DataSet("vader-tweets", "vader-tweets"),
        *(
            DataSet(f"tweeteval-{t}", f"tweeteval-{t}", task=t)
            for t in TWEETEVAL
        ),
        DataSet("pang-lee-reviews", "pang-lee-reviews"),
        DataSet("pang-lee-documents", "pang-lee-reviews", recipe="documents"),
    ]
}
QUICK = ("rt-snippets", "vader-tweets", "tweeteval-irony")
COMMITTED = ("rt-snippets", "vader-tweets")
# The folders whose untracked files make a checkout dirty.
CODE = ("seqkit", "bench", "apps")


# -- data ---------------------------------------------------------------


def child_env():
    """The environment of the seqkit processes: this checkout first."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(ROOT), env.get("PYTHONPATH")) if p
    )
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    return env


def seqkit_argv(*args):
    return [sys.executable, "-m", "seqkit", *map(str, args)]


def run_cli(*args):
    """Runs `seqkit ARGS` and returns its stdout; raises with its stderr."""
    done = subprocess.run(
        seqkit_argv(*args), capture_output=True, text=True, env=child_env()
    )
    if done.returncode:
        raise RuntimeError(
            f"`seqkit {shlex.join(map(str, args))}` failed "
            f"({done.returncode}): {done.stderr.strip()[-2000:]}"
        )
    return done.stdout


def data_files(dataset, shared):
    """`{split: Path}`: the committed files, or those `prepare` writes."""
    if dataset.source in COMMITTED:
        return {s: ROOT / "data" / dataset.source / f"{s}.csv" for s in SPLITS}
    fetch = ["data", "fetch", dataset.source]
    if dataset.task:
        mirror = Path(shared) / "data" / "tweeteval"
        # The copy's layout (`stance/abortion/` for stance-abortion) is
        # for `seqkit data fetch --from` to read; here only the copy.
        if not mirror.is_dir():
            raise FileNotFoundError(
                f"{dataset.name}: no TweetEval copy at {mirror} (give the "
                "shared folder with --shared DIR)"
            )
        fetch += ["--from", str(mirror)]
    run_cli(*fetch)
    prepared = json.loads(run_cli("data", "prepare", dataset.source))
    return {s: Path(prepared["files"][s]) for s in SPLITS}


def read_rows(path):
    """The header and rows of a CSV file."""
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        return next(reader), list(reader)


def head_files(files, folder):
    """The first `QUICK_ROWS` rows of each split, written into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    heads = {}
    for split, path in files.items():
        header, rows = read_rows(path)
        heads[split] = folder / f"{split}.csv"
        with open(heads[split], "w", encoding="utf-8", newline="") as handle:
            csv.writer(handle).writerows([header, *rows[: QUICK_ROWS[split]]])
    return heads


def read_split(path):
    """`(texts, labels, blank)`: rows with a blank text are left out (as
    seqkit's readers do) and counted in `blank`."""
    header, rows = read_rows(path)
    text, label = header.index("text"), header.index("label")
    kept = [(r[text], r[label].strip()) for r in rows if r[text].strip()]
    return [r[0] for r in kept], [r[1] for r in kept], len(rows) - len(kept)


# -- scores -------------------------------------------------------------


def scores(dataset, labels, predicted, classes):
    """Accuracy, macro-F1 over `classes` and, for TweetEval, the official
    metric, each in 0..1 rounded to 6 places."""
    from sklearn.metrics import accuracy_score, f1_score

    found = {
        "accuracy": accuracy_score(labels, predicted),
        "macro_f1": f1_score(
            labels,
            predicted,
            labels=classes,
            average="macro",
            zero_division=0,
        ),
    }
    if dataset.task:
        from seqkit.models.metrics import official_score

        found["official"] = official_score(dataset.task, labels, predicted)
    return {k: round(float(v), 6) for k, v in found.items()}


def metric_name(dataset):
    if not dataset.task:
        return "accuracy (macro-F1 beside it)"
    from seqkit.data.tweeteval import get_task

    return f"TweetEval official: {get_task(dataset.task).metric}"


# -- baselines ----------------------------------------------------------


def tfidf_features():
    """Word 1-2 grams and character 2-5 grams, sublinear tf."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import FeatureUnion

    return FeatureUnion(
        [
            ("words", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)),
            (
                "chars",
                TfidfVectorizer(
                    analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True
                ),
            ),
        ]
    )


def linear_model(kind, c):
    from sklearn.linear_model import LogisticRegression
    from sklearn.svm import LinearSVC

    if kind == "tfidf_lr":
        return LogisticRegression(C=c, max_iter=5000)
    return LinearSVC(C=c, max_iter=20000)


def run_baselines(dataset, data, classes):
    """Both baselines on `data` (`{split: (texts, labels)}`)."""
    started = time.perf_counter()
    features = tfidf_features()
    x = {"train": features.fit_transform(data["train"][0])}
    for split in ("valid", "test"):
        x[split] = features.transform(data[split][0])
    features_seconds = time.perf_counter() - started
    results = {}
    for kind in BASELINES:
        results[kind] = fit_baseline(dataset, kind, x, data, classes)
        results[kind]["features_seconds"] = round(features_seconds, 2)
        results[kind]["n_features"] = int(x["train"].shape[1])
    return results


def fit_baseline(dataset, kind, x, data, classes):
    """C chosen on valid by the main metric (the smallest C of a tie);
    the test split scored once, with that C."""
    started = time.perf_counter()
    best, by_c = None, {}
    for c in C_GRID:
        fit_started = time.perf_counter()
        model = linear_model(kind, c).fit(x["train"], data["train"][1])
        fit_seconds = time.perf_counter() - fit_started
        valid = scores(
            dataset, data["valid"][1], model.predict(x["valid"]), classes
        )
        by_c[str(c)] = valid[dataset.main]
        if best is None or valid[dataset.main] > best[1][dataset.main]:
            best = (c, valid, model, fit_seconds)
    c, valid, model, fit_seconds = best
    test = scores(dataset, data["test"][1], model.predict(x["test"]), classes)
    return {
        "C": c,
        "valid": valid,
        "test": test,
        "fit_seconds": round(fit_seconds, 2),
        "search_seconds": round(time.perf_counter() - started, 2),
        "valid_by_C": by_c,
    }


# -- seqkit -------------------------------------------------------------


def measured(argv, log_path):
    """Runs `argv` (output appended to `log_path`): `(exit status, wall
    seconds, peak RSS in MiB)` of the process."""
    started = time.perf_counter()
    with open(log_path, "a", encoding="utf-8") as handle:
        handle.write(f"$ {shlex.join(argv)}\n")
        handle.flush()
        process = subprocess.Popen(
            argv, stdout=handle, stderr=subprocess.STDOUT, env=child_env()
        )
        _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    # ru_maxrss: KiB on Linux, bytes on macOS.
    scale = 1 if sys.platform == "darwin" else 1024
    return process.returncode, seconds, usage.ru_maxrss * scale / 2**20


def run_seqkit(dataset, files, runs, quick, data, classes, remix=False):
    """Trains seqkit's default into `runs/NAME` and scores its test
    predictions.

    With `remix`, the run folder's finished members stay: its model and
    metrics are removed and the same command runs with `--resume`, which
    loads the members and fits and mixes the n-gram side again; the
    seconds and memory measured are then the remix's."""
    run = runs / dataset.name
    if remix:
        for name in ("metrics.json", "model.keras"):
            (run / name).unlink(missing_ok=True)
    elif run.exists():
        log.info("%s: removing the unfinished run %s", dataset.name, run)
        shutil.rmtree(run)
    options = ["--train", files["train"], "--valid", files["valid"]]
    options += ["--test", files["test"], "--text-column", "text"]
    options += ["--label-column", "label", "--out", run, "--quiet"]
    if dataset.task:
        # The official metric picks the n-gram share and class offsets, as
        # it picks the baselines' C.
        from seqkit.data.tweeteval import get_task

        options += ["--selection", get_task(dataset.task).selection]
    if quick:
        options += ["--preset", "tiny"]
    if remix:
        options += ["--resume"]
    argv = seqkit_argv("train", dataset.recipe, *options)
    status, seconds, rss = measured(argv, runs / f"{dataset.name}.log")
    if status:
        raise RuntimeError(
            f"{dataset.name}: seqkit exited with {status}; see "
            f"{runs / f'{dataset.name}.log'}"
        )
    result = {
        "command": shlex.join(["seqkit", *argv[3:]]),
        "run": str(run),
        "wall_seconds": round(seconds, 1),
        "peak_rss_mb": round(rss, 1),
    }
    started = time.perf_counter()
    predicted = predicted_labels(run, files["test"], data["test"][0])
    result["predict_seconds"] = round(time.perf_counter() - started, 1)
    result["test"] = scores(dataset, data["test"][1], predicted, classes)
    result.update(run_files(run))
    return result


def predicted_labels(run, path, texts):
    """`seqkit predict RUN --input PATH`'s labels, checked row by row."""
    lines = run_cli("predict", run, "--input", path, "--top-k", "1")
    results = [json.loads(line) for line in lines.splitlines() if line]
    if [r["text"] for r in results] != list(texts):
        raise RuntimeError(
            f"seqkit predict gave {len(results)} rows for the {len(texts)} "
            f"texts of {path}, or not in the same order"
        )
    return [r["label"] for r in results]


def run_files(run):
    """What the run folder says: its own valid/test figures, training
    seconds, best epoch(s) and, when written, the adapted settings."""
    metrics = json.loads((run / "metrics.json").read_text(encoding="utf-8"))
    config = json.loads((run / "config.json").read_text(encoding="utf-8"))
    found = {
        "metrics_json": {
            split: {k: metrics[split][k] for k in ("accuracy", "macro_f1")}
            for split in ("valid", "test")
            if split in metrics
        },
    }
    for key in ("train_seconds", "best_epoch"):
        if key in metrics:
            found[key] = metrics[key]
    if "adapted" in config:
        found["adapted"] = config["adapted"]
    if "ngram" in metrics:
        found["ngram"] = {
            key: metrics["ngram"][key]
            for key in ("weighting", "C", "rule", "weight", "offsets")
            if key in metrics["ngram"]
        }
    return found


# -- one data set -------------------------------------------------------


def run_dataset(dataset, args, runs):
    """The panel's entry of one data set."""
    files = data_files(dataset, args.shared)
    if args.quick:
        files = head_files(files, runs / "quick-data" / dataset.name)
    data, blank = {}, {}
    for split, path in files.items():
        texts, labels, blank[split] = read_split(path)
        data[split] = (texts, labels)
    classes = sorted(set(data["train"][1]))
    entry = {
        "n": {split: len(data[split][0]) for split in SPLITS},
        "blank_rows_left_out": blank,
        "classes": classes,
        "metric": metric_name(dataset),
        "main": dataset.main,
        "recipe": dataset.recipe,
        "data": {split: str(path) for split, path in files.items()},
    }
    if dataset.task:
        # It imports TensorFlow: before, not inside, the timed fits.
        from seqkit.models import metrics

        if not Path(metrics.__file__).resolve().is_relative_to(ROOT):
            log.warning(
                "scoring with %s, not this checkout's seqkit (set "
                "PYTHONPATH=%s)",
                metrics.__file__,
                ROOT,
            )
    log.info("%s: %s, baselines ...", dataset.name, entry["n"])
    entry.update(run_baselines(dataset, data, classes))
    if not args.baselines_only:
        log.info("%s: seqkit train %s ...", dataset.name, dataset.recipe)
        entry["seqkit"] = run_seqkit(
            dataset, files, runs, args.quick, data, classes
        )
    entry["margin_points"] = margin_points(entry)
    return entry


def remix_dataset(dataset, args, runs, entry):
    """`entry` with seqkit's mix redone in its finished run folder
    (`run_seqkit(remix=True)`); the baselines and the training's seconds
    and memory stay, the remix's are added."""
    run = runs / dataset.name
    # An ensemble's members (sentiment: checkpoints/member_N; documents:
    # members/N/checkpoints), or a single model's checkpoints.
    members = (
        sorted(run.glob("checkpoints/member_*"))
        or sorted(run.glob("members/*/checkpoints"))
        or [run / "checkpoints"]
    )
    if not all((m / "done").is_file() for m in members):
        raise RuntimeError(
            f"{dataset.name}: --remix needs the finished run folder {run} "
            "(every member's checkpoints/done)"
        )
    files = {split: Path(path) for split, path in entry["data"].items()}
    data = {}
    for split, path in files.items():
        texts, labels, _ = read_split(path)
        data[split] = (texts, labels)
    log.info("%s: mixing %s again ...", dataset.name, run)
    found = run_seqkit(
        dataset, files, runs, args.quick, data, entry["classes"], remix=True
    )
    trained = entry["seqkit"]
    found["remix"] = {
        "command": found["command"],
        "wall_seconds": found["wall_seconds"],
        "peak_rss_mb": found["peak_rss_mb"],
        "members_trained_at": entry["commit"],
        "test_before": trained["test"],
    }
    for key in ("command", "wall_seconds", "peak_rss_mb", "train_seconds"):
        if key in trained:
            found[key] = trained[key]
    entry = dict(entry, seqkit=found)
    entry["margin_points"] = margin_points(entry)
    return entry


def margin_points(entry):
    """seqkit's main test figure minus the better baseline's, x100."""
    if "seqkit" not in entry:
        return None
    main = entry["main"]
    best = max(entry[kind]["test"][main] for kind in BASELINES)
    return round(100 * (entry["seqkit"]["test"][main] - best), 2)


def complete(entry, baselines_only):
    parts = BASELINES if baselines_only else (*BASELINES, "seqkit")
    return all(part in entry for part in parts)


# -- the results file ---------------------------------------------------


def git(*args):
    return subprocess.run(
        ["git", "-C", str(ROOT), *args],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def revision(exclude=()):
    """The commit, and `dirty`: whether tracked files differ from it
    (`exclude`: the results being written; those outside this checkout
    are left out) or code that git does not
    track lies in seqkit/, bench/ or apps/."""
    spec = [
        f":(exclude){Path(p).resolve().relative_to(ROOT)}"
        for p in exclude
        if Path(p).resolve().is_relative_to(ROOT)
    ]
    changed = git(
        "status", "--porcelain", "--untracked-files=no", "--", ".", *spec
    )
    untracked = git(
        "status", "--porcelain", "--untracked-files=all", "--", *CODE
    )
    dirty = bool(changed) or "??" in untracked
    return {"commit": git("rev-parse", "HEAD"), "dirty": dirty}


def study_args(argv, description, out_name):
    """`--shared` and `--out` (default `docs/results/OUT_NAME`) of a
    study that reads the panel's data sets (`split_overlap`,
    `keep_tokens`)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--shared", type=Path, default=SHARED)
    parser.add_argument(
        "--out", type=Path, default=ROOT / "docs" / "results" / out_name
    )
    return parser.parse_args(argv)


def study_results(argv, out):
    """A study's results file, before its data sets: the command, the
    commit, the date and the machine."""
    return {
        "command": shlex.join(["python", *(argv or sys.argv)]),
        **revision([out, out.with_suffix(".md")]),
        "date": datetime.datetime.now(datetime.UTC).isoformat(
            timespec="seconds"
        ),
        "machine": machine(),
        "datasets": {},
    }


def write_study(results, out, table):
    """Writes a study's results to `out` and `table(results)` beside it
    (`.md`)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        json.dumps(results, indent=1, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    out.with_suffix(".md").write_text(table(results), encoding="utf-8")


def machine():
    def version(name):
        try:
            return importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            return None

    cpu = None
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {
        "cpu_count": os.cpu_count(),
        "cpu": cpu,
        "gpu": gpu_names(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "tensorflow": version("tensorflow"),
        "keras": version("keras"),
        "scikit-learn": version("scikit-learn"),
    }


def gpu_names():
    if shutil.which("nvidia-smi") is None:
        return []
    done = subprocess.run(
        ["nvidia-smi", "--query-gpu=name", "--format=csv,noheader"],
        capture_output=True,
        text=True,
    )
    return done.stdout.split("\n")[:-1] if done.returncode == 0 else []


def write_results(results, out):
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, out)
    out.with_suffix(".md").write_text(table(results), encoding="utf-8")


def _cell(block, main):
    if block is None:
        return "-"
    return f"{100 * block[main]:.1f} / {100 * block['macro_f1']:.1f}"


def table(results):
    """The markdown table of a results dict."""
    where = results["machine"]
    devices = ", ".join([f"{where['cpu_count']} CPUs", *where.get("gpu", [])])
    dirty = " (dirty)" if results.get("dirty") else ""
    lines = [
        "# The panel: seqkit's default and linear baselines",
        "",
        f"`{results['command']}` at {results['commit'][:12]}{dirty}, "
        f"{results['date']}; {devices}.",
        "",
        "Test scores x100: main metric / macro-F1 (main: TweetEval's "
        "official metric, else accuracy). Margin: seqkit minus the better "
        "baseline, main metric, points. C: chosen on valid. Commit: the "
        "code each row was measured with (a row of an earlier run stays "
        "until its data set is run again; `mixed at X, members Y`: the "
        "mix redone at X from members trained at Y, `--remix`). seqkit s: "
        "the training process's wall seconds.",
        "",
        "| data set | train / valid / test | classes | main metric | seqkit "
        "| TF-IDF + LR (C) | TF-IDF + SVM (C) | margin | seqkit s | "
        "seqkit peak MB | commit |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, e in results["datasets"].items():
        n = " / ".join(f"{e['n'][s]:,}" for s in SPLITS)
        seqkit = e.get("seqkit")
        lr, svm = e["tfidf_lr"], e["tfidf_svm"]
        margin = e.get("margin_points")
        commit = f"{e.get('commit', '-')[:7]}{'+' if e.get('dirty') else ''}"
        if seqkit and "remix" in seqkit:
            members = seqkit["remix"]["members_trained_at"][:7]
            commit = f"mixed at {commit}, members {members}"
        lines.append(
            f"| {name} | {n} | {len(e['classes'])} | {e['metric']} | "
            f"{_cell(seqkit and seqkit['test'], e['main'])} | "
            f"{_cell(lr['test'], e['main'])} ({lr['C']:g}) | "
            f"{_cell(svm['test'], e['main'])} ({svm['C']:g}) | "
            f"{'-' if margin is None else f'{margin:+.1f}'} | "
            f"{seqkit['wall_seconds'] if seqkit else '-'} | "
            f"{seqkit['peak_rss_mb'] if seqkit else '-'} | "
            f"{commit} |"
        )
    return "\n".join(lines) + "\n"


# -- command line -------------------------------------------------------


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--only", nargs="+", metavar="NAME", choices=PANEL)
    parser.add_argument("--out", type=Path, help="the results JSON")
    parser.add_argument("--runs", type=Path, help="where run folders go")
    parser.add_argument("--shared", type=Path, default=SHARED)
    parser.add_argument("--resume", action="store_true")
    parser.add_argument("--redo", action="store_true")
    parser.add_argument("--remix", action="store_true")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--baselines-only", action="store_true")
    parser.add_argument("--table-only", action="store_true")
    args = parser.parse_args(argv)
    if args.redo and not args.only:
        parser.error("--redo runs the --only sets again: name them")
    if args.remix and (not args.only or args.baselines_only):
        parser.error("--remix mixes the --only sets' finished runs again")
    if args.out is None:
        if args.quick:
            folder = tempfile.mkdtemp(prefix="seqkit-panel-")
            args.out = Path(folder) / "panel.json"
        elif args.baselines_only:
            args.out = ROOT / "docs" / "results" / "panel-baselines.json"
        else:
            args.out = ROOT / "docs" / "results" / "panel.json"
    if args.runs is None:
        if args.quick:
            args.runs = Path(tempfile.mkdtemp(prefix="seqkit-panel-runs-"))
        else:
            args.runs = ROOT / "runs" / "panel"
    args.out, args.runs = args.out.resolve(), args.runs.resolve()
    return args


def main(argv=None):
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S"
    )
    args = parse_args(argv)
    if args.table_only:
        results = json.loads(args.out.read_text(encoding="utf-8"))
        args.out.with_suffix(".md").write_text(table(results), encoding="utf-8")
        return
    names = args.only or (QUICK if args.quick else list(PANEL))
    results = {"datasets": {}}
    if (args.resume or args.redo or args.remix) and args.out.is_file():
        results = json.loads(args.out.read_text(encoding="utf-8"))
    outputs = [args.out, args.out.with_suffix(".md")]
    results.update(
        command=shlex.join(["python", *sys.argv]),
        **revision([p for p in outputs if p.is_relative_to(ROOT)]),
        date=datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        machine=machine(),
        mode="quick" if args.quick else "full",
        baselines_only=args.baselines_only,
        c_grid=list(C_GRID),
    )
    results["datasets"] = dict(results["datasets"])
    args.runs.mkdir(parents=True, exist_ok=True)
    for name in names:
        done = results["datasets"].get(name)
        if (
            args.resume
            and not args.redo
            and done
            and complete(done, args.baselines_only)
        ):
            log.info("%s: in %s already, skipped", name, args.out)
            continue
        if args.remix:
            if not done or "seqkit" not in done:
                raise SystemExit(f"--remix: {name} has no row in {args.out}")
            entry = remix_dataset(PANEL[name], args, args.runs, done)
        else:
            entry = run_dataset(PANEL[name], args, args.runs)
        entry.update(commit=results["commit"], dirty=results["dirty"])
        results["datasets"][name] = entry
        write_results(results, args.out)
    write_results(results, args.out)
    log.info("results: %s and %s", args.out, args.out.with_suffix(".md"))


if __name__ == "__main__":
    main()
