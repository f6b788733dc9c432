"""Load benchmark: `seqkit serve` with batching vs one model call per request.

Usage:
    python bench/serve_load.py --base EXPORT_BASE [--rounds 3]
        [--concurrency 1,8,32] [--requests 400] [--seconds 20]

Starts two servers on loopback from the same export: (a) the default,
batching concurrent requests into one model call, and (b) `--no-batching`,
one model call per request (two model threads). For each round, each
concurrency and each server in turn (interleaved, so both see the same
machine noise), `C` clients each send one text per request (texts of the
bundled test split) until `--requests` answers or `--seconds` pass. It
reports throughput and p50/p99 latency (medians over rounds), the
throughput ratio (a)/(b), each server's resident memory after its
warm-up (Linux), and the p99 of calling the loaded SavedModel
in-process, one text at a time, as the floor for concurrency 1.
"""

import argparse
import asyncio
import csv
import json
import statistics
import time
from pathlib import Path

import aiohttp
import numpy as np

from seqkit.testing.server_process import ServerProcess


def read_texts(path):
    with open(path, encoding="utf-8") as handle:
        return [row["text"] for row in csv.DictReader(handle)]


async def load(port, texts, concurrency, requests, seconds):
    """`concurrency` clients; returns (answers, seconds, latencies)."""
    url = f"http://127.0.0.1:{port}/v1/models/bench:predict"
    latencies, errors = [], []
    deadline = time.perf_counter() + seconds
    counter = iter(range(requests))

    async def client(session):
        for index in counter:
            if time.perf_counter() > deadline:
                return
            body = {"instances": [texts[index % len(texts)]]}
            started = time.perf_counter()
            async with session.post(url, json=body) as response:
                answer = await response.json()
            latencies.append(time.perf_counter() - started)
            if response.status != 200 or "predictions" not in answer:
                errors.append(answer)

    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:
        started = time.perf_counter()
        await asyncio.gather(*[client(session) for _ in range(concurrency)])
        elapsed = time.perf_counter() - started
    if errors:
        raise RuntimeError(f"{len(errors)} failed requests: {errors[:3]}")
    return len(latencies), elapsed, latencies


def in_process(base, texts, requests):
    """p50/p99 of the SavedModel called in this process, one text a call."""
    import tensorflow as tf
    import tensorflow_text  # noqa: F401

    from seqkit.serving.format import version_folders

    folder = version_folders(base)[max(version_folders(base))]
    serve = tf.saved_model.load(str(folder)).signatures["serving_default"]
    for text in texts[:20]:
        serve(text=tf.constant([text]))
    latencies = []
    for index in range(requests):
        started = time.perf_counter()
        serve(text=tf.constant([texts[index % len(texts)]]))
        latencies.append(time.perf_counter() - started)
    return summary(len(latencies), sum(latencies), latencies)


def summary(count, elapsed, latencies):
    ms = np.array(latencies) * 1000
    return {
        "requests": count,
        "throughput": count / elapsed,
        "p50_ms": float(np.percentile(ms, 50)),
        "p99_ms": float(np.percentile(ms, 99)),
    }


def resident_mib(pid):
    """A process's resident memory (Linux `/proc`), or None elsewhere."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return None


def median_of(rounds, key):
    return statistics.median(r[key] for r in rounds)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, help="an export's base")
    parser.add_argument("--texts", default="data/rt-snippets/test.csv")
    parser.add_argument("--concurrency", default="1,8,32")
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", help="also write the results here")
    args = parser.parse_args()
    texts = read_texts(args.texts)
    levels = [int(c) for c in args.concurrency.split(",")]
    servers = {
        "batched": ServerProcess(
            args.base, "--model-name", "bench", "--access-log", "/dev/null"
        ),
        "per-request": ServerProcess(
            args.base,
            "--model-name",
            "bench",
            "--access-log",
            "/dev/null",
            "--no-batching",
            "--threads",
            "2",
        ),
    }
    results = {name: {c: [] for c in levels} for name in servers}
    try:
        for server in servers.values():  # warm-up
            asyncio.run(load(server.port, texts, 8, 100, 30))
        memory = {
            name: resident_mib(server.process.pid)
            for name, server in servers.items()
        }
        for round_index in range(args.rounds):
            for concurrency in levels:
                order = list(servers)
                if round_index % 2:
                    order.reverse()
                for name in order:
                    count, elapsed, latencies = asyncio.run(
                        load(
                            servers[name].port,
                            texts,
                            concurrency,
                            args.requests,
                            args.seconds,
                        )
                    )
                    results[name][concurrency].append(
                        summary(count, elapsed, latencies)
                    )
    finally:
        for server in servers.values():
            server.stop()
    floor = in_process(args.base, texts, args.requests)
    report = {"in_process": floor, "levels": {}, "resident_mib": memory}
    print("| concurrency | server | req/s | p50 ms | p99 ms |")
    print("|---|---|---|---|---|")
    for concurrency in levels:
        level = {}
        for name in servers:
            rounds = results[name][concurrency]
            level[name] = {
                key: round(median_of(rounds, key), 2)
                for key in ("throughput", "p50_ms", "p99_ms")
            }
            print(
                f"| {concurrency} | {name} | {level[name]['throughput']:.1f} "
                f"| {level[name]['p50_ms']:.1f} | {level[name]['p99_ms']:.1f} |"
            )
        level["throughput_ratio"] = round(
            level["batched"]["throughput"] / level["per-request"]["throughput"],
            2,
        )
        report["levels"][concurrency] = level
    print(
        f"\nin-process SavedModel, one text per call: p50 "
        f"{floor['p50_ms']:.1f} ms, p99 {floor['p99_ms']:.1f} ms"
    )
    for name, mib in memory.items():
        print(f"{name} server's resident memory after warm-up: {mib} MiB")
    for concurrency in levels:
        print(
            f"concurrency {concurrency}: batched/per-request throughput "
            f"{report['levels'][concurrency]['throughput_ratio']:.2f}x"
        )
    if 1 in levels:
        ratio = report["levels"][1]["batched"]["p99_ms"] / floor["p99_ms"]
        report["p99_c1_over_in_process"] = round(ratio, 2)
        print(f"p99 at concurrency 1 / in-process p99: {ratio:.2f}x")
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
