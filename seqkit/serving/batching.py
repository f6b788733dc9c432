"""Server-side batching: concurrent requests share one model call.

A recurrent model's cost per call on a CPU is mostly per-step overhead
(graph dispatch, the time loop), not arithmetic: the default sentiment
ensemble takes about 4 ms for one text and 26 ms for 32, so one call for 32
requests costs a fifth of 32 calls. `Batcher` queues requests; one worker
takes everything waiting (up to `max_batch_size` rows, after at most
`max_wait` seconds), groups it by servable and signature, runs each group
as one call in a model thread, and hands every request its own rows.

The wait adapts to the load: a batch waits for company only when the
previous batch held more than one request, and only until it holds as many
requests as that one did (or `max_wait` passes). A lone client's requests
therefore run at once, without the wait in their latency; under load, when
clients send their next request as soon as an answer comes back, a whole
round of them shares one call instead of splitting into half batches.
"""

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

log = logging.getLogger("seqkit.serve")


@dataclass
class _Item:
    key: tuple
    servable: object
    signature_name: str
    inputs: dict
    rows: int
    future: asyncio.Future


def batch_key(servable, signature_name, inputs):
    """Requests with equal keys can be concatenated into one call."""
    shapes = tuple(
        (name, array.dtype.str, array.shape[1:])
        for name, array in sorted(inputs.items())
    )
    return (id(servable), signature_name, shapes)


class Batcher:
    """Groups concurrent requests into bounded model calls.

    Args:
        max_batch_size: the most rows in one call (a single larger request
            runs alone).
        max_wait: seconds the first request of a batch may wait for more
            (only while the previous batch held several requests).

    Example:

    ```python
    import asyncio

    import numpy as np

    from seqkit.serving.batching import Batcher

    class Doubler:  # a servable: run(signature_name, inputs) -> outputs
        def run(self, signature_name, inputs):
            return {"y": inputs["x"] * 2}

    async def main(servable):
        batcher = Batcher(max_batch_size=64)
        await batcher.start()
        requests = [{"x": np.array([[1.0]])}, {"x": np.array([[2.0], [3.0]])}]
        outputs = await asyncio.gather(*(
            batcher.submit(servable, "serving_default", inputs)
            for inputs in requests
        ))
        await batcher.stop()
        return outputs

    outputs = asyncio.run(main(Doubler()))
    # [{"y": [[2.0]]}, {"y": [[4.0], [6.0]]}]
    ```
    """

    def __init__(self, max_batch_size=64, max_wait=0.002):
        if max_batch_size < 1:
            raise ValueError(
                f"max_batch_size must be >= 1; received {max_batch_size}"
            )
        if max_wait < 0:
            raise ValueError(f"max_wait must be >= 0; received {max_wait}")
        self.max_batch_size = int(max_batch_size)
        self.max_wait = float(max_wait)
        self.calls = 0  # model calls made, for logs and tests
        self.rows = 0
        self._queue = None
        self._held = None  # an item that did not fit the previous batch
        self._last = 1  # requests in the previous batch
        self._task = None
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="model")

    async def start(self):
        """Starts the worker (call from inside the event loop)."""
        self._queue = asyncio.Queue()
        self._task = asyncio.get_running_loop().create_task(self._work())

    async def stop(self):
        """Answers what is queued, then stops the worker and its thread."""
        if self._task is not None:
            await self._queue.put(None)
            await self._task
            self._task = None
        self._executor.shutdown(wait=True)

    async def submit(self, servable, signature_name, inputs):
        """Queues one request; returns its outputs (name -> array)."""
        rows = len(next(iter(inputs.values())))
        future = asyncio.get_running_loop().create_future()
        key = batch_key(servable, signature_name, inputs)
        item = _Item(key, servable, signature_name, inputs, rows, future)
        await self._queue.put(item)
        return await future

    async def _work(self):
        while True:
            batch, stopping = await self._collect()
            for group in _groups(batch):
                await self._run(group)
            if stopping:
                return

    async def _collect(self):
        first = self._held or await self._queue.get()
        self._held = None
        if first is None:
            return [], True
        batch, rows = [first], first.rows
        # Under load, wait for about as many requests as the last batch
        # had (a closed loop of clients comes back together), no longer.
        wait = self.max_wait if self._last > 1 else 0.0
        deadline = asyncio.get_running_loop().time() + wait
        while rows < self.max_batch_size:
            if len(batch) >= self._last:
                deadline = 0.0  # take what is queued, wait no more
            item = await self._next(deadline)
            if item is _EMPTY:
                break
            if item is None:
                return batch, True
            if rows + item.rows > self.max_batch_size:
                self._held = item
                break
            batch.append(item)
            rows += item.rows
        self._last = len(batch)
        return batch, False

    async def _next(self, deadline):
        if not self._queue.empty():
            return self._queue.get_nowait()
        timeout = deadline - asyncio.get_running_loop().time()
        if timeout <= 0:
            return _EMPTY
        try:
            return await asyncio.wait_for(self._queue.get(), timeout)
        except TimeoutError:
            return _EMPTY

    async def _run(self, group):
        live = [item for item in group if not item.future.done()]
        if not live:
            return
        servable, signature_name = live[0].servable, live[0].signature_name
        names = list(live[0].inputs)
        inputs = {
            name: np.concatenate([item.inputs[name] for item in live])
            for name in names
        }
        loop = asyncio.get_running_loop()
        try:
            outputs = await loop.run_in_executor(
                self._executor, servable.run, signature_name, inputs
            )
        except Exception as error:  # noqa: BLE001 - every caller gets it
            for item in live:
                if not item.future.done():
                    item.future.set_exception(error)
            return
        self.calls += 1
        self.rows += len(next(iter(inputs.values())))
        start = 0
        for item in live:
            end = start + item.rows
            if not item.future.done():
                item.future.set_result(
                    {name: value[start:end] for name, value in outputs.items()}
                )
            start = end


_EMPTY = object()


def _groups(batch):
    groups = {}
    for item in batch:
        groups.setdefault(item.key, []).append(item)
    return list(groups.values())


class DirectRunner:
    """No batching: one model call per request, in a pool of threads.

    The baseline the load benchmark compares `Batcher` with; same
    interface.

    Args:
        threads: how many model calls may run at once.
    """

    def __init__(self, threads=2):
        self.calls = 0
        self.rows = 0
        self._executor = ThreadPoolExecutor(threads, thread_name_prefix="model")

    async def start(self):
        """Nothing to start: calls run as they come."""

    async def stop(self):
        """Waits for running calls, then stops the threads."""
        self._executor.shutdown(wait=True)

    async def submit(self, servable, signature_name, inputs):
        """Runs one request as one model call."""
        loop = asyncio.get_running_loop()
        outputs = await loop.run_in_executor(
            self._executor, servable.run, signature_name, inputs
        )
        self.calls += 1
        self.rows += len(next(iter(inputs.values())))
        return outputs
