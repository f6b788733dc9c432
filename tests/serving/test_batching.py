"""Server-side batching with a fake model: grouping, bounds, errors."""

import asyncio
import threading
import time

import numpy as np
import pytest

from seqkit.serving.batching import Batcher, DirectRunner


class FakeServable:
    """Doubles its input; records the batch size of each call."""

    def __init__(self, seconds=0.01, fail_on=None):
        self.seconds = seconds
        self.fail_on = fail_on
        self.sizes = []
        self.threads = set()

    def run(self, signature_name, inputs):
        self.threads.add(threading.get_ident())
        x = inputs["x"]
        self.sizes.append(len(x))
        if self.fail_on is not None and self.fail_on in x:
            raise ValueError(f"cannot take {self.fail_on}")
        time.sleep(self.seconds)
        return {"y": x * 2, "sig": np.array([signature_name] * len(x))}


def _run(coroutine):
    return asyncio.run(coroutine)


async def _requests(runner, servable, count, rows=1, signature="s"):
    await runner.start()
    try:
        return await asyncio.gather(
            *[
                runner.submit(
                    servable,
                    signature,
                    {"x": np.arange(i * rows, (i + 1) * rows)},
                )
                for i in range(count)
            ],
            return_exceptions=True,
        )
    finally:
        await runner.stop()


def test_concurrent_requests_share_calls_and_get_their_rows():
    servable = FakeServable()
    results = _run(_requests(Batcher(max_batch_size=16), servable, 40, rows=2))
    for i, result in enumerate(results):
        assert result["y"].tolist() == [4 * i, 4 * i + 2]
    assert sum(servable.sizes) == 80
    assert max(servable.sizes) <= 16
    assert len(servable.sizes) < 40 / 2  # grouped, not one call each
    assert len(servable.threads) == 1


def test_a_request_larger_than_the_bound_runs_alone():
    servable = FakeServable(seconds=0)
    results = _run(_requests(Batcher(max_batch_size=4), servable, 3, rows=10))
    assert servable.sizes == [10, 10, 10]
    assert [r["y"][0] for r in results] == [0, 20, 40]


def _staggered(batcher, servable, busy_first):
    async def scenario():
        await batcher.start()
        if busy_first:  # five requests at once: the batcher sees load
            await asyncio.gather(
                *[
                    batcher.submit(servable, "s", {"x": np.array([i])})
                    for i in range(5)
                ]
            )

        async def late(i):
            await asyncio.sleep(0.01 * i)
            return await batcher.submit(servable, "s", {"x": np.array([i])})

        started = time.perf_counter()
        await asyncio.gather(*[late(i) for i in range(5)])
        elapsed = time.perf_counter() - started
        await batcher.stop()
        return elapsed

    return asyncio.run(scenario())


def test_lone_requests_do_not_wait():
    servable = FakeServable(0)
    elapsed = _staggered(Batcher(max_wait=0.5), servable, busy_first=False)
    assert servable.sizes == [1, 1, 1, 1, 1]
    assert elapsed < 0.4


def test_under_load_the_wait_gathers_later_requests():
    servable = FakeServable(0)
    # The wait ends as soon as the batch is as large as the last one, long
    # before max_wait.
    elapsed = _staggered(Batcher(max_wait=5), servable, busy_first=True)
    assert servable.sizes == [5, 5]
    assert elapsed < 2


def test_a_failing_call_fails_only_its_group():
    servable = FakeServable(seconds=0, fail_on=3)

    async def two_signatures(batcher):
        await batcher.start()
        results = await asyncio.gather(
            batcher.submit(servable, "a", {"x": np.array([3])}),
            batcher.submit(servable, "b", {"x": np.array([5])}),
            return_exceptions=True,
        )
        await batcher.stop()
        return results

    bad, good = _run(two_signatures(Batcher()))
    assert isinstance(bad, ValueError) and "cannot take 3" in str(bad)
    assert good["y"].tolist() == [10] and good["sig"].tolist() == ["b"]


def test_stop_answers_what_is_queued():
    servable = FakeServable(seconds=0.02)

    async def stop_early(batcher):
        await batcher.start()
        pending = [
            asyncio.ensure_future(
                batcher.submit(servable, "s", {"x": np.array([i])})
            )
            for i in range(6)
        ]
        await asyncio.sleep(0)
        await batcher.stop()
        return [await p for p in pending]

    results = _run(stop_early(Batcher(max_batch_size=2)))
    assert [r["y"][0] for r in results] == [0, 2, 4, 6, 8, 10]


def test_direct_runner_calls_once_per_request():
    servable = FakeServable()
    results = _run(_requests(DirectRunner(threads=2), servable, 6, rows=3))
    assert servable.sizes == [3] * 6
    assert results[5]["y"].tolist() == [30, 32, 34]


@pytest.mark.parametrize(
    "kwargs, message",
    [({"max_batch_size": 0}, "max_batch_size"), ({"max_wait": -1}, "max_wait")],
)
def test_bad_settings(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Batcher(**kwargs)
