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
