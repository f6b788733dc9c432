"""The page at `GET /` without a browser: served, self-contained, escaped,
and gone with `--no-ui` (`test_ui_browser.py` drives it in Chromium)."""

import asyncio
import base64
import hashlib
import http.client
import json
import logging
import re

import pytest
from aiohttp.test_utils import TestClient, TestServer
from click.testing import CliRunner

from seqkit.cli import cli
from seqkit.serving.server import ServeSettings, create_app
from seqkit.serving.ui import render_page
from seqkit.testing.server_process import ServerProcess

LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]"}
SERVE_LOGGERS = ("seqkit.serve", "seqkit.serve.access")


class _Manager:
    """All `GET /` reads of the model manager: its name."""

    def __init__(self, name):
        self.name = name


def _get(app, path):
    async def main():
        async with TestClient(TestServer(app)) as client:
            response = await client.get(path)
            return (
                response.status,
                dict(response.headers),
                await response.text(),
            )

    return asyncio.run(main())


def _sha256(text):
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def test_page_lists_the_model_and_loads_nothing_from_elsewhere():
    app = create_app(_Manager("sentiment"), None, ServeSettings())
    status, headers, page = _get(app, "/")
    assert status == 200
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert '<section class="model" id="model-0" data-model="sentiment"' in page
    assert '<h2 id="model-0-name">sentiment</h2>' in page
    urls = re.findall(r"""https?://([^/\s"'<>)]+)""", page)
    assert [
        host for host in urls if host.split(":")[0] not in LOCAL_HOSTS
    ] == []
    # No file of any kind is fetched: no src=, stylesheet links, @import or
    # url() (the one link is the empty data: icon).
    assert re.search(r"<(script|img|iframe)[^>]*\bsrc=", page) is None
    assert re.findall(r"<link[^>]*>", page) == [
        '<link rel="icon" href="data:,">'
    ]
    assert "@import" not in page and "url(" not in page
    # The inline style and script are the only ones the policy lets run.
    (style,) = re.findall(r"<style>(.*?)</style>", page, re.S)
    (script,) = re.findall(r"<script>(.*?)</script>", page, re.S)
    policy = dict(
        part.strip().split(" ", 1)
        for part in headers["Content-Security-Policy"].split(";")
    )
    assert policy["default-src"] == "'none'"
    assert policy["style-src"] == _sha256(style)
    assert policy["script-src"] == _sha256(script)
    assert policy["connect-src"] == "'self'"
    assert "fetch(" in script and ":predict" in script
    assert "innerHTML" not in script and "insertAdjacentHTML" not in script


def test_model_names_are_escaped_and_slots_filled_once():
    hostile = '<img src=x onerror="alert(1)">'
    page = render_page([hostile, "{{script}}"]).html
    assert hostile not in page
    escaped = "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;"
    assert f'data-model="{escaped}"' in page
    assert f'<h2 id="model-0-name">{escaped}</h2>' in page
    # A name that looks like a slot is written as it is, not expanded.
    assert '<h2 id="model-1-name">{{script}}</h2>' in page
    assert page.count('"use strict";') == 1


def test_without_the_ui_get_slash_is_an_unknown_route():
    app = create_app(_Manager("sentiment"), None, ServeSettings(ui=False))
    status, headers, body = _get(app, "/")
    assert status == 404
    assert json.loads(body) == {"error": "no such route: GET /"}


def _get_raw(port, path):
    connection = http.client.HTTPConnection("127.0.0.1", port, 60)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return (
            response.status,
            response.getheader("Content-Type"),
            (response.read().decode("utf-8")),
        )
    finally:
        connection.close()


@pytest.fixture
def served_settings(monkeypatch):
    """Runs `seqkit serve` up to the server's start; returns the settings
    it would serve with (no model is loaded, nothing listens)."""
    import seqkit.environment
    import seqkit.serving.server
    import seqkit.serving.versions

    found = []

    class Manager:
        def __init__(self, base, name):
            self.name = name

        def start(self):
            pass

    async def serve_forever(manager, settings):
        found.append(settings)

    monkeypatch.setattr(seqkit.serving.versions, "ModelManager", Manager)
    monkeypatch.setattr(seqkit.serving.server, "serve_forever", serve_forever)
    monkeypatch.setattr(
        seqkit.environment, "configure_threads", lambda *args: None
    )
    loggers = [logging.getLogger(n) for n in SERVE_LOGGERS]
    handlers = [list(logger.handlers) for logger in loggers]

    def run(*args):
        result = CliRunner().invoke(cli, ["serve", "base", *args])
        assert result.exit_code == 0, result.output
        return found.pop()

    yield run
    for logger, before in zip(loggers, handlers):
        logger.handlers[:] = before


def test_the_ui_is_on_unless_no_ui(served_settings):
    assert served_settings().ui is True
    assert served_settings("--ui").ui is True
    assert served_settings("--no-ui").ui is False


def test_seqkit_serve_no_ui_answers_404_and_the_api_still_works(exported):
    base, _ = exported
    process = ServerProcess(base, "--no-ui")
    try:
        status, kind, body = _get_raw(process.port, "/")
        assert status == 404 and kind == "application/json; charset=utf-8"
        assert json.loads(body) == {"error": "no such route: GET /"}
        assert "try the model in a browser" not in process.log()
        status, answer = process.request(
            "POST", "/v1/models/sentiment:predict", {"instances": ["fine"]}
        )
        assert status == 200
        assert set(answer["predictions"][0]) == {
            "probabilities",
            "label",
            "attention",
            "tokens",
        }
    finally:
        process.stop()
