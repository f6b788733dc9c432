"""Version management with a fake loader: newest first, keep on failure."""

import pytest

from seqkit.serving.versions import ModelLoadError, ModelManager


class FakeLoader:
    def __init__(self, broken=()):
        self.broken = set(broken)
        self.loaded = []

    def __call__(self, path, version):
        self.loaded.append(version)
        if version in self.broken:
            raise ModelLoadError(f"{path}: cannot load the SavedModel: bad")
        return _Loaded(version)


class _Loaded:
    def __init__(self, version):
        self.version = version


def _versions(base, *numbers):
    for number in numbers:
        (base / str(number)).mkdir(parents=True)


def test_start_serves_the_newest_version(tmp_path):
    _versions(tmp_path, 1, 2, 10)
    (tmp_path / "11-draft").mkdir()
    (tmp_path / ".12-staging").mkdir()
    manager = ModelManager(tmp_path, "m", FakeLoader())
    assert manager.start().version == 10
    status = manager.status()["model_version_status"]
    assert status == [
        {
            "version": "10",
            "state": "AVAILABLE",
            "status": {"error_code": "OK", "error_message": ""},
        }
    ]


def test_start_falls_back_to_an_older_version(tmp_path):
    _versions(tmp_path, 1, 2)
    manager = ModelManager(tmp_path, "m", FakeLoader(broken={2}))
    assert manager.start().version == 1
    by_version = {
        s["version"]: s for s in manager.status()["model_version_status"]
    }
    assert by_version["2"]["state"] == "END"
    assert "cannot load" in by_version["2"]["status"]["error_message"]
    assert by_version["1"]["state"] == "AVAILABLE"


def test_start_without_a_loadable_version(tmp_path):
    with pytest.raises(ModelLoadError, match="no version folder"):
        ModelManager(tmp_path, "m", FakeLoader()).start()
    _versions(tmp_path, 1)
    with pytest.raises(ModelLoadError, match="no version of the model loads"):
        ModelManager(tmp_path, "m", FakeLoader(broken={1})).start()


def test_refresh_switches_to_a_new_version(tmp_path):
    _versions(tmp_path, 1)
    manager = ModelManager(tmp_path, "m", FakeLoader())
    manager.start()
    assert manager.refresh() is False
    _versions(tmp_path, 3)
    assert manager.refresh() is True
    assert manager.servable().version == 3
    assert manager.servable(3).version == 3
    assert manager.servable(1) is None
    states = {
        s["version"]: s["state"]
        for s in manager.status()["model_version_status"]
    }
    assert states == {"3": "AVAILABLE", "1": "END"}
    assert manager.status(3)["model_version_status"][0]["version"] == "3"


def test_a_broken_new_version_keeps_the_old_and_is_not_retried(tmp_path):
    _versions(tmp_path, 1)
    loader = FakeLoader(broken={2})
    manager = ModelManager(tmp_path, "m", loader)
    manager.start()
    _versions(tmp_path, 2)
    assert manager.refresh() is False
    assert manager.refresh() is False
    assert loader.loaded == [1, 2]  # tried once while unchanged
    assert manager.servable().version == 1
    assert (
        manager.status(2)["model_version_status"][0]["status"]["error_code"]
        == "UNKNOWN"
    )


def test_serve_without_a_version_is_a_clear_error(tmp_path):
    from click.testing import CliRunner

    from seqkit.cli import cli

    result = CliRunner().invoke(cli, ["serve", str(tmp_path), "--port", "0"])
    assert result.exit_code == 1
    assert "no version folder" in result.output
    (tmp_path / "1").mkdir()
    result = CliRunner().invoke(cli, ["serve", str(tmp_path), "--port", "0"])
    assert result.exit_code == 1
    assert "1: cannot load the SavedModel" in result.output
