"""`seqkit train sentiment`, `evaluate` and `predict` as users run them."""

import json

import pytest
from click.testing import CliRunner

from seqkit.cli import cli


def _invoke(*args):
    result = CliRunner().invoke(cli, [str(a) for a in args])
    return result


@pytest.fixture
def trained_run(tiny_split, tiny_train_args, tmp_path):
    out = tmp_path / "run"
    result = _invoke(
        *tiny_train_args,
        "--pooling",
        "attention",
        "--cell",
        "gru",
        "--epochs",
        "2",
        "--quiet",
        "--out",
        out,
    )
    assert result.exit_code == 0, result.output
    return out, tiny_split, json.loads(result.output.strip().splitlines()[-1])


def test_train_evaluate_predict_on_own_csv(trained_run):
    out, paths, summary = trained_run
    assert summary["test"]["n"] == 16
    config = json.loads((out / "config.json").read_text())
    assert config["cell"] == "gru" and config["pooling"] == "attention"
    assert config["epochs"] == 2 and config["units"] == 8  # preset tiny

    result = _invoke(
        "evaluate",
        out,
        "--data",
        paths["test"],
        "--text-column",
        "review",
        "--label-column",
        "verdict",
    )
    assert result.exit_code == 0, result.output
    metrics = json.loads(result.output)
    assert metrics["n"] == 16
    assert metrics["accuracy"] == pytest.approx(summary["test"]["accuracy"])
    assert {"macro_f1", "per_class", "confusion_matrix"} <= set(metrics)

    result = _invoke(
        "evaluate",
        out,
        "--data",
        paths["test"],
        "--text-column",
        "review",
        "--label-column",
        "verdict",
        "--metric",
        "macro_recall",
        "--metric",
        "f1:thumbs up",
    )
    assert result.exit_code == 0, result.output
    asked = json.loads(result.output)
    per_class = asked["per_class"]
    recalls = [per_class[name]["recall"] for name in per_class]
    assert asked["macro_recall"] == pytest.approx(sum(recalls) / 2)
    assert asked["f1:thumbs up"] == pytest.approx(
        per_class["thumbs up"]["f1-score"]
    )

    result = _invoke(
        "evaluate", out, "--data", paths["test"], "--metric", "f1:maybe"
    )
    assert result.exit_code != 0
    assert "no class maybe" in result.output

    result = _invoke(
        "predict",
        out,
        "a gem of a film",
        "dull and slow",
        "--top-k",
        "1",
        "--attention",
    )
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [line["text"] for line in lines] == [
        "a gem of a film",
        "dull and slow",
    ]
    for line in lines:
        assert line["label"] in ("thumbs up", "thumbs down")
        assert line["top_k"][0][0] == line["label"]
        assert len(line["top_k"]) == 1
        assert set(line["probabilities"]) == {"thumbs up", "thumbs down"}
    assert [t for t, _ in lines[1]["attention"]] == ["dull", "and", "slow"]
    assert sum(w for _, w in lines[1]["attention"]) == pytest.approx(1, 1e-4)


def test_predict_reads_an_input_file(trained_run, tmp_path):
    out = trained_run[0]
    texts = tmp_path / "texts.txt"
    texts.write_text("first text\nsecond text\n", encoding="utf-8")
    result = _invoke("predict", out, "--input", texts)
    assert result.exit_code == 0, result.output
    assert len(result.output.splitlines()) == 2


@pytest.mark.parametrize(
    "args, message",
    [
        (
            [
                "train",
                "sentiment",
                "--train",
                "missing.csv",
                "--valid",
                "missing.csv",
                "--out",
                "{out}",
            ],
            "missing.csv",
        ),
        (["train", "sentiment", "--units", "0", "--out", "{out}"], "units"),
        (["train", "sentiment", "--preset", "huge", "--out", "{out}"], "huge"),
        (
            ["train", "sentiment", "--resume", "--out", "{out}"],
            "no run to resume",
        ),
        (["evaluate", "{out}", "--data", "x.csv"], "no model.keras"),
        (
            ["evaluate", "{out}", "--data", "x.csv", "--metric", "recall"],
            "--metric: expected accuracy, macro_f1, macro_recall",
        ),
        (
            ["train", "sentiment", "--text-column", "body", "--out", "{out}"],
            "give --train",
        ),
        (["predict", "{out}"], "texts"),
    ],
)
def test_errors_are_one_clear_line(args, message, tmp_path):
    args = [a.replace("{out}", str(tmp_path / "run")) for a in args]
    result = _invoke(*args)
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output


def test_wrong_column_names_the_file_and_columns(tiny_split, tmp_path):
    result = _invoke(
        "train",
        "sentiment",
        "--train",
        tiny_split["train"],
        "--valid",
        tiny_split["valid"],
        "--text-column",
        "body",
        "--out",
        tmp_path / "run",
    )
    assert result.exit_code == 1
    assert "train.csv" in result.output and "body" in result.output
    assert "review" in result.output  # the columns found


def _train_with_variants(paths, folder):
    """The tiny training file plus, for 6 rows of each class, two copies
    that differ only in case, spacing and punctuation."""
    import csv

    with open(paths["train"], encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    extra = []
    for row in rows[:6] + rows[24:30]:
        loud = dict(row, review=row["review"].upper() + " !!!")
        spaced = dict(row, review="  " + row["review"].replace(" ", "  ") + ".")
        extra += [loud, spaced]
    path = folder / "train_variants.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, ["id", "review", "verdict"])
        writer.writeheader()
        writer.writerows(rows + extra)
    return path


def test_without_valid_a_stratified_share_of_train_is_held_out(
    tiny_split, tmp_path
):
    from collections import Counter

    from seqkit.data import read_examples
    from seqkit.data.splits import text_key

    train = _train_with_variants(tiny_split, tmp_path)
    out = tmp_path / "run"
    result = _invoke(
        "train", "sentiment", "--preset", "tiny", "--train", train,
        "--test", tiny_split["test"], "--text-column", "review",
        "--label-column", "verdict", "--epochs", "1", "--out", out,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "no --valid: held out" in result.stderr
    held = json.loads((out / "data.json").read_text())["valid_held_out"]
    assert (held["fraction"], held["seed"]) == (0.1, 1337)
    assert held["source"] == str(train)
    # 72 rows, 36 a class: 4 of each held out (whole groups of 1 or 3).
    counts = held["counts"]
    assert counts["train"]["thumbs up"] + counts["valid"]["thumbs up"] == 36
    assert counts["valid"] == {"thumbs down": 4, "thumbs up": 4}
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["valid"]["n"] == 8
    examples = read_examples(str(train), "review", "verdict")
    by_line = dict(zip(examples.lines, examples.texts, strict=True))
    held_keys = {text_key(by_line[line]) for line in held["rows"]}
    kept_keys = {
        text_key(text) for line, text in by_line.items()
        if line not in held["rows"]
    }  # fmt: skip
    assert len(held["rows"]) == 8
    assert not held_keys & kept_keys
    # One of the groups of three variants went to validation whole.
    shared = Counter(text_key(by_line[line]) for line in held["rows"])
    assert sorted(shared.values()) == [1, 1, 1, 1, 1, 3]
    config = json.loads((out / "config.json").read_text())
    assert config["valid"] is None and config["valid_fraction"] == 0.1


def test_the_held_out_examples_follow_the_seed_and_fraction(tiny_split):
    from seqkit.models.sentiment import SentimentConfig
    from seqkit.training.recipes.sentiment import _read_checked

    def held(**settings):
        config = SentimentConfig(
            train=tiny_split["train"],
            text_column="review",
            label_column="verdict",
            **settings,
        )
        splits, paths, record = _read_checked(config)
        assert paths["valid"] is None
        return splits.valid.texts, record

    first, record = held()
    again, repeated = held()
    assert first == again and record == repeated
    assert held(seed=7)[0] != first
    quarter, record = held(valid_fraction=0.25)
    assert len(quarter) == 12
    assert record["counts"]["valid"] == {"thumbs down": 6, "thumbs up": 6}


def test_a_valid_file_wins(trained_run):
    out, _, summary = trained_run
    assert summary["valid"]["n"] == 16
    data = json.loads((out / "data.json").read_text())
    assert "valid_held_out" not in data
    assert data["data"]["valid"].endswith("valid.csv")


def test_metrics_say_where_the_time_went(trained_run):
    out, _, _ = trained_run
    metrics = json.loads((out / "metrics.json").read_text())
    seconds = metrics["seconds"]
    config = json.loads((out / "config.json").read_text())
    # The steps in the order they ran, then what no step covered, then
    # the total; the n-gram side only when the run has one.
    ngram = ["ngram"] if config["ngram"] else []
    assert list(seconds) == [
        "data",
        "inputs",
        "training",
        *ngram,
        "save",
        "evaluate",
        "other",
        "total",
    ]
    steps = sum(v for k, v in seconds.items() if k != "total")
    assert steps == pytest.approx(seconds["total"], abs=0.05)
    assert seconds["training"] > 0
    assert seconds["total"] <= metrics["train_seconds"] + 0.1
