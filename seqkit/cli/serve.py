"""`seqkit serve BASE`: the TensorFlow Serving REST API for an export."""

import click


@click.command()
@click.argument("base", type=click.Path())
@click.option(
    "--model-name",
    default=None,
    help="The NAME in /v1/models/NAME (default: BASE's folder name).",
)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8501,
    show_default=True,
    help="0 picks a free port (logged at start).",
)
@click.option(
    "--max-body-mb",
    type=click.FloatRange(min=0, min_open=True),
    default=4.0,
    show_default=True,
    help="Largest request body; bigger ones get 413.",
)
@click.option(
    "--batching/--no-batching",
    default=True,
    show_default=True,
    help="Group concurrent requests into one model call.",
)
@click.option(
    "--max-batch-size",
    type=click.IntRange(min=1),
    default=64,
    show_default=True,
    help="Most rows in one batched call.",
)
@click.option(
    "--batch-wait-ms",
    type=click.FloatRange(min=0),
    default=2.0,
    show_default=True,
    help="How long a batch may wait for more requests (only under load: "
    "when the previous batch held several).",
)
@click.option(
    "--threads",
    type=click.IntRange(min=1),
    default=2,
    show_default=True,
    help="Model threads with --no-batching.",
)
@click.option(
    "--intra-op-threads",
    type=click.IntRange(min=0),
    default=1,
    show_default=True,
    help="TensorFlow threads inside one op (0: one per core). One leaves "
    "a core to the web loop; see docs/benchmarks.md.",
)
@click.option(
    "--inter-op-threads",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="TensorFlow ops run side by side (0: TensorFlow's default).",
)
@click.option(
    "--poll-seconds",
    type=click.FloatRange(min=0.1),
    default=2.0,
    show_default=True,
    help="How often to look for a new version folder.",
)
@click.option(
    "--ui/--no-ui",
    default=True,
    show_default=True,
    help="Answer GET / with a page for trying the model in a browser "
    "(--no-ui: GET / answers 404).",
)
@click.option(
    "--access-log",
    type=click.Path(dir_okay=False),
    default=None,
    help="Write the JSON access log to this file (default: stderr).",
)
def serve(
    base,
    model_name,
    host,
    port,
    max_body_mb,
    batching,
    max_batch_size,
    batch_wait_ms,
    threads,
    intra_op_threads,
    inter_op_threads,
    poll_seconds,
    ui,
    access_log,
):
    """Serve the newest version under BASE (TensorFlow Serving REST API).

    BASE holds version folders (`BASE/1`, `BASE/2`, ... as `seqkit export`
    writes). A newer version folder is picked up while running; one that
    fails to load is reported and the served version stays. SIGTERM or
    Ctrl-C stops the server after in-flight requests finish. Open
    http://HOST:PORT/ in a browser to try the model (unless --no-ui).
    """
    import asyncio
    import logging
    from pathlib import Path

    from seqkit.environment import configure_threads
    from seqkit.serving.server import ServeSettings, serve_forever
    from seqkit.serving.versions import ModelManager

    _log_to(
        logging.getLogger("seqkit.serve"), None, "seqkit serve: %(message)s"
    )
    _log_to(logging.getLogger("seqkit.serve.access"), access_log, "%(message)s")
    name = model_name or Path(base).resolve().name
    configure_threads(intra_op_threads, inter_op_threads)
    manager = ModelManager(base, name)
    manager.start()
    settings = ServeSettings(
        host=host,
        port=port,
        max_body_bytes=int(max_body_mb * 1024 * 1024),
        batching=batching,
        max_batch_size=max_batch_size,
        batch_wait_ms=batch_wait_ms,
        threads=threads,
        poll_seconds=poll_seconds,
        ui=ui,
    )
    asyncio.run(serve_forever(manager, settings))


def _log_to(logger, path, pattern):
    import logging
    import sys

    handler = (
        logging.FileHandler(path, encoding="utf-8")
        if path
        else logging.StreamHandler(sys.stderr)
    )
    handler.setFormatter(logging.Formatter(pattern))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
