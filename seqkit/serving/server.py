"""`seqkit serve`: TensorFlow Serving's REST API on aiohttp.

Routes (NAME is the model name, N a version number):

- `GET /v1/models/NAME[/versions/N]`: the model status;
- `GET /v1/models/NAME[/versions/N]/metadata`: the signatures (and, under
  `metadata.seqkit`, the export's class names and settings);
- `POST /v1/models/NAME[/versions/N]:predict`: row or columnar predict;
- `GET /health`: 200 while a version is served;
- `GET /`: a page for trying the model in a browser (`seqkit.serving.ui`;
  not routed with `ui=False`, so it answers 404 like any unknown route).

Every error is answered `{"error": "..."}`: 400 for a bad request, 404 for
an unknown model, version or route, 405 for a wrong method, 413 for a body
over the limit. One JSON line per request goes to the access log.
"""

import asyncio
import json
import logging
import signal
import time
from dataclasses import dataclass

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger

from seqkit.serving.rest import (
    RequestError,
    format_predict,
    parse_predict,
    signature_json,
)
from seqkit.serving.ui import render_page

log = logging.getLogger("seqkit.serve")
access_log = logging.getLogger("seqkit.serve.access")

MANAGER = web.AppKey("manager", object)
RUNNER = web.AppKey("runner", object)
SETTINGS = web.AppKey("settings", object)


@dataclass
class ServeSettings:
    """How `seqkit serve` runs.

    Attributes:
        host: the address to bind (loopback unless told otherwise).
        port: the port (0: any free one; the chosen one is logged).
        max_body_bytes: the largest request body accepted (413 above).
        batching: group concurrent requests into one call.
        max_batch_size: the most rows in one batched call.
        batch_wait_ms: how long a batch may wait for more requests.
        threads: model threads without batching.
        poll_seconds: how often to look for a new version folder.
        shutdown_timeout: seconds in-flight requests get on SIGTERM.
        ui: answer `GET /` with the page for trying the model.
    """

    host: str = "127.0.0.1"
    port: int = 8501
    max_body_bytes: int = 4 * 1024 * 1024
    batching: bool = True
    max_batch_size: int = 64
    batch_wait_ms: float = 2.0
    threads: int = 2
    poll_seconds: float = 2.0
    shutdown_timeout: float = 30.0
    ui: bool = True


class JSONAccessLogger(AbstractAccessLogger):
    """One JSON object per request on the `seqkit.serve.access` logger."""

    def log(self, request, response, time):
        record = {
            "time": _now(),
            "remote": request.remote,
            "method": request.method,
            "path": request.path,
            "status": response.status,
            "bytes": response.body_length,
            "ms": round(time * 1000, 3),
        }
        if "rows" in request:
            record["rows"] = request["rows"]
        self.logger.info(json.dumps(record))


def _now():
    return time.strftime("%Y-%m-%dT%H:%M:%S%z")


@web.middleware
async def json_errors(request, handler):
    """Answers every error as `{"error": ...}` with its status."""
    try:
        return await handler(request)
    except RequestError as error:
        return web.json_response({"error": error.message}, status=error.status)
    except web.HTTPException as error:
        if error.status < 400:
            raise
        message = error.text if error.text else error.reason
        if error.status == 404:
            message = f"no such route: {request.method} {request.path}"
        elif error.status == 405:
            allowed = ", ".join(sorted(getattr(error, "allowed_methods", ())))
            message = (
                f"method {request.method} is not allowed on {request.path}"
                f" (allowed: {allowed})"
            )
        elif error.status == 413:
            limit = request.app[SETTINGS].max_body_bytes
            message = f"the request body is over the limit of {limit} bytes"
        return web.json_response({"error": message}, status=error.status)
    except Exception as error:  # noqa: BLE001 - the server must keep going
        log.exception("internal error on %s %s", request.method, request.path)
        return web.json_response(
            {"error": f"internal error: {type(error).__name__}: {error}"},
            status=500,
        )


def _version(request):
    """The `N` of `/versions/N` as an int, or None."""
    version = request.match_info.get("version")
    if version is None:
        return None
    if not version.isdigit():
        raise RequestError(
            400, f"version must be a number; received {version!r}"
        )
    return int(version)


def _servable(request):
    manager = request.app[MANAGER]
    name = request.match_info["name"]
    if name != manager.name:
        raise RequestError(
            404, f"Servable not found for request: Latest({name})"
        )
    version = _version(request)
    servable = manager.servable(version)
    if servable is None:
        wanted = (
            f"Latest({name})"
            if version is None
            else f"Specific({name}, {version})"
        )
        raise RequestError(404, f"Servable not found for request: {wanted}")
    return servable


async def model_status(request):
    """`GET /v1/models/NAME[/versions/N]`."""
    manager = request.app[MANAGER]
    name = request.match_info["name"]
    if name != manager.name:
        raise RequestError(404, f"Could not find any versions of model {name}")
    version = _version(request)
    if version is not None:
        if version not in manager.statuses:
            raise RequestError(
                404, f"Could not find version {version} of model {name}"
            )
    return web.json_response(manager.status(version))


async def model_metadata(request):
    """`GET /v1/models/NAME[/versions/N]/metadata`."""
    servable = _servable(request)
    signatures = {
        name: signature_json(inputs, outputs)
        for name, (inputs, outputs) in servable.signatures.items()
    }
    metadata = {"signature_def": {"signature_def": signatures}}
    if servable.metadata:
        metadata["seqkit"] = {
            key: servable.metadata[key]
            for key in ("task", "class_names", "outputs", "preprocessing")
            if key in servable.metadata
        }
    return web.json_response(
        {
            "model_spec": {
                "name": request.app[MANAGER].name,
                "signature_name": "",
                "version": str(servable.version),
            },
            "metadata": metadata,
        }
    )


async def predict(request):
    """`POST /v1/models/NAME[/versions/N]:predict`."""
    servable = _servable(request)
    limit = request.app[SETTINGS].max_body_bytes
    if request.content_length is not None and request.content_length > limit:
        raise web.HTTPRequestEntityTooLarge(limit, request.content_length)
    body = await request.read()
    parsed = parse_predict(body, servable.signatures)
    request["rows"] = parsed.rows
    outputs = await request.app[RUNNER].submit(
        servable, parsed.signature_name, parsed.inputs
    )
    return web.json_response(
        format_predict(outputs, parsed.columnar), dumps=_dumps
    )


def _dumps(value):
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


async def other_method(request):
    """`:classify` and `:regress` exist in TF Serving, not here."""
    raise RequestError(
        400,
        f"{request.match_info['method']!r} is not served: seqkit serves "
        "':predict' only",
    )


async def health(request):
    """200 while a version is served, 503 otherwise."""
    servable = request.app[MANAGER].servable()
    if servable is None:
        return web.json_response({"status": "unavailable"}, status=503)
    runner = request.app[RUNNER]
    return web.json_response(
        {
            "status": "ok",
            "model": request.app[MANAGER].name,
            "version": servable.version,
            "model_calls": runner.calls,
            "rows": runner.rows,
        }
    )


def create_app(manager, runner, settings):
    """The aiohttp application for a started `ModelManager`."""
    app = web.Application(
        middlewares=[json_errors], client_max_size=settings.max_body_bytes
    )
    app[MANAGER] = manager
    app[RUNNER] = runner
    app[SETTINGS] = settings
    model = "/v1/models/{name:[^/:]+}"
    version = model + "/versions/{version:[^/:]+}"
    for prefix in (model, version):
        app.router.add_get(prefix, model_status)
        app.router.add_get(prefix + "/metadata", model_metadata)
        app.router.add_post(prefix + ":predict", predict)
        app.router.add_post(prefix + ":{method:classify|regress}", other_method)
    app.router.add_get("/health", health)
    if settings.ui:
        page = render_page([manager.name])

        async def ui_page(request):
            """`GET /`: the page for trying the served model."""
            return web.Response(
                text=page.html,
                content_type="text/html",
                charset="utf-8",
                headers=page.headers,
            )

        app.router.add_get("/", ui_page)
    return app


async def serve_forever(manager, settings, ready=None):
    """Runs the server until SIGTERM or SIGINT, then shuts down cleanly.

    On a signal the server stops accepting connections, lets in-flight
    requests finish (up to `settings.shutdown_timeout` seconds), then
    answers what is queued and stops the model threads.

    Args:
        manager: a started `ModelManager`.
        settings: `ServeSettings`.
        ready: called with the bound URL once the server listens.
    """
    from seqkit.serving.batching import Batcher, DirectRunner

    if settings.batching:
        runner = Batcher(settings.max_batch_size, settings.batch_wait_ms / 1000)
    else:
        runner = DirectRunner(settings.threads)
    await runner.start()
    app = create_app(manager, runner, settings)
    web_runner = web.AppRunner(
        app,
        access_log_class=JSONAccessLogger,
        access_log=access_log,
        shutdown_timeout=settings.shutdown_timeout,
    )
    await web_runner.setup()
    site = web.TCPSite(web_runner, settings.host, settings.port)
    await site.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for number in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(number, stop.set)
    host, port = web_runner.addresses[0][:2]
    url = f"http://{host}:{port}"
    log.info(
        "serving model %r version %d at %s/v1/models/%s",
        manager.name,
        manager.current.version,
        url,
        manager.name,
    )
    if settings.ui:
        log.info("try the model in a browser at %s/", url)
    if ready is not None:
        ready(url)
    poller = loop.create_task(_poll(manager, settings.poll_seconds, stop))
    await stop.wait()
    log.info("shutting down: finishing in-flight requests")
    await web_runner.cleanup()
    await poller
    await runner.stop()
    log.info("stopped")


async def _poll(manager, seconds, stop):
    loop = asyncio.get_running_loop()
    while not stop.is_set():
        try:
            await asyncio.wait_for(stop.wait(), seconds)
        except TimeoutError:
            await loop.run_in_executor(None, manager.refresh)
