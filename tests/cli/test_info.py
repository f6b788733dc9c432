"""`seqkit info` and the root group's handling of errors."""

import importlib.metadata
import json
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

import seqkit
from seqkit.cli import cli
from seqkit.errors import SeqkitError

VERSION_KEYS = {
    "seqkit",
    "python",
    "tensorflow",
    "keras",
    "tensorflow-text",
    "numpy",
    "scikit-learn",
}
REPORT_KEYS = {
    "versions",
    "platform",
    "keras_backend",
    "devices",
    "built_with_cuda",
    "cuda_version",
    "cudnn_version",
    "gpu_visible",
    "gpu_reason",
    "cudnn_available",
    "cudnn_reasons",
}
# A machine with an NVIDIA driver loaded has this device node.
NVIDIA_DRIVER = Path("/dev/nvidiactl")


def invoke(*args):
    return CliRunner().invoke(cli, list(args), prog_name="seqkit")


@pytest.fixture(scope="module")
def report():
    result = invoke("info", "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_info_json_has_the_expected_keys(report):
    assert set(report) == REPORT_KEYS
    assert set(report["versions"]) == VERSION_KEYS


@pytest.mark.parametrize("name", sorted(VERSION_KEYS - {"seqkit", "python"}))
def test_info_versions_match_installed_packages(report, name):
    assert report["versions"][name] == importlib.metadata.version(name)


def test_info_versions_of_seqkit_and_python(report):
    assert report["versions"]["seqkit"] == seqkit.__version__
    python = ".".join(str(part) for part in sys.version_info[:3])
    assert report["versions"]["python"] == python


def test_info_devices_and_cudnn_agree(report):
    assert {"name": "/physical_device:CPU:0", "type": "CPU"} in report[
        "devices"
    ]
    has_gpu = any(device["type"] == "GPU" for device in report["devices"])
    assert report["gpu_visible"] == has_gpu
    assert report["cudnn_available"] == (not report["cudnn_reasons"])
    assert report["cudnn_available"] == (
        report["built_with_cuda"]
        and report["gpu_visible"]
        and report["keras_backend"] == "tensorflow"
    )


@pytest.mark.skipif(NVIDIA_DRIVER.exists(), reason="an NVIDIA GPU may exist")
def test_info_reports_no_gpu_on_a_cpu_machine(report):
    assert report["gpu_visible"] is False
    assert report["cudnn_available"] is False
    assert "no GPU is visible" in report["cudnn_reasons"]


@pytest.mark.skipif(NVIDIA_DRIVER.exists(), reason="an NVIDIA GPU may exist")
def test_info_says_why_no_gpu_is_visible(report):
    # This project's CPU machine: TensorFlow built with CUDA, no driver.
    assert report["built_with_cuda"] is True
    assert report["gpu_reason"] == (
        "no NVIDIA driver found: libcuda.so.1 does not load"
    )
    result = invoke("info")
    assert result.exit_code == 0, result.output
    assert (
        "GPU visible      no: seqkit runs on the CPU (no NVIDIA driver "
        "found: libcuda.so.1 does not load)\n"
    ) in result.stdout


@pytest.mark.parametrize(
    "built, hidden, driver, reason",
    [
        (False, "0", True, "this TensorFlow is built without CUDA"),
        (True, "-1", True, "CUDA_VISIBLE_DEVICES='-1' hides every GPU"),
        (True, "", True, "CUDA_VISIBLE_DEVICES='' hides every GPU"),
        (
            True,
            None,
            False,
            "no NVIDIA driver found: libcuda.so.1 does not load",
        ),
        (
            True,
            "0",
            True,
            "the NVIDIA driver finds no usable GPU (see nvidia-smi)",
        ),
    ],
)
def test_gpu_reason(monkeypatch, built, hidden, driver, reason):
    from seqkit import environment

    if hidden is None:
        monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)
    else:
        monkeypatch.setenv("CUDA_VISIBLE_DEVICES", hidden)
    monkeypatch.setattr(environment, "_nvidia_driver_loads", lambda: driver)
    assert environment.gpu_reason(built) == reason


def test_info_text_output_names_every_package(report):
    result = invoke("info")
    assert result.exit_code == 0, result.output
    for name, version in report["versions"].items():
        assert f"{name} " in result.stdout and version in result.stdout
    assert "cuDNN kernel" in result.stdout


def failing_command(error):
    def callback():
        raise error

    return click.Command("boom", callback=callback)


@pytest.mark.parametrize(
    "error, message",
    [
        (ValueError("units must be positive; received units=0"), None),
        (SeqkitError("--text-column 'body' is not a column"), None),
        (
            FileNotFoundError(2, "No such file or directory", "train.csv"),
            "Error: No such file or directory: train.csv",
        ),
    ],
)
def test_user_errors_exit_1_with_one_message(monkeypatch, error, message):
    monkeypatch.setitem(cli.commands, "boom", failing_command(error))
    result = invoke("boom")
    assert result.exit_code == 1
    assert result.output == f"{message or f'Error: {error}'}\n"


def test_other_errors_are_not_hidden(monkeypatch):
    monkeypatch.setitem(
        cli.commands, "boom", failing_command(RuntimeError("a bug"))
    )
    result = invoke("boom")
    assert isinstance(result.exception, RuntimeError)


def test_user_error_from_the_console_has_no_traceback():
    script = (
        "import click, seqkit.cli\n"
        "def boom():\n"
        "    raise ValueError('bad value 42')\n"
        "seqkit.cli.cli.add_command(click.Command('boom', callback=boom))\n"
        "seqkit.cli.main()\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", script, "boom"],
        capture_output=True,
        text=True,
    )
    assert completed.returncode == 1
    assert completed.stderr == "Error: bad value 42\n"
    assert "Traceback" not in completed.stdout + completed.stderr


def test_seqkit_debug_shows_the_original_error(monkeypatch):
    monkeypatch.setenv("SEQKIT_DEBUG", "1")
    monkeypatch.setitem(
        cli.commands, "boom", failing_command(ValueError("bad value"))
    )
    result = invoke("boom")
    assert isinstance(result.exception, ValueError)
