"""Runs the listeners of requests already acknowledged, after the acks.

Slack's two clocks pull against each other under a burst: every request must be acknowledged
within 3 s, and a slash command's trigger must reach ``views.open`` within 3 s of the click. One
event loop serves both. Acknowledging costs a fraction of what a listener costs, so the pool
lets acks go first: while requests are being acknowledged (a backlog, as in a burst), a listener
waits, but never longer than ``max_defer_seconds`` after its own request arrived, so its trigger
is still used in time. Under steady load the loop keeps up, nothing is waiting for its ack when a
listener's turn comes, and listeners run at once.

A worker is held while Bolt dispatches, not while the listener works: Bolt runs a listener as a
task of its own and returns once it has called ``ack()``, which it polls for every 10 ms, so a
listener waiting on Slack or the helpdesk holds no worker, and the pool starts at most
``workers`` listeners per 10 ms.

An earlier rule (wait until requests stop arriving for a few ms) held every listener for its
whole bound as soon as requests came closer together than that: at 400 commands/s, modals
opened 0.5 s late with the loop half idle (bench/, open loop).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterator
from typing import Generic, TypeVar

Job = TypeVar("Job")

log = logging.getLogger(__name__)


class ListenerPool(Generic[Job]):
    """``max_defer_seconds=0`` runs every listener as soon as a worker is free."""

    def __init__(
        self,
        run: Callable[[Job], Awaitable[object]],
        *,
        workers: int,
        max_defer_seconds: float = 0.5,
    ) -> None:
        self._run = run
        self._worker_count = workers
        self._max_defer_seconds = max_defer_seconds
        self._queue: asyncio.Queue[tuple[float, Job]] | None = None
        self._workers: list[asyncio.Task[None]] = []
        self._acknowledging = 0
        self._no_backlog: asyncio.Event | None = None

    @contextlib.contextmanager
    def acknowledging(self) -> Iterator[None]:
        """Wrap the handling of every request up to its ack: listeners give way meanwhile."""
        self._acknowledging += 1
        if self._no_backlog is not None:
            self._no_backlog.clear()
        try:
            yield
        finally:
            self._acknowledging -= 1
            if self._acknowledging == 0 and self._no_backlog is not None:
                self._no_backlog.set()

    def queued(self) -> int:
        """Acknowledged requests whose listener has not started."""
        return self._queue.qsize() if self._queue is not None else 0

    def submit(self, job: Job) -> None:
        loop = asyncio.get_running_loop()
        if self._queue is None:
            self._queue = asyncio.Queue()
            self._no_backlog = asyncio.Event()
            if self._acknowledging == 0:
                self._no_backlog.set()
            self._workers = [loop.create_task(self._work(self._queue)) for _ in range(self._worker_count)]
        self._queue.put_nowait((loop.time(), job))

    async def _work(self, queue: asyncio.Queue[tuple[float, Job]]) -> None:
        while True:
            arrived_at, job = await queue.get()
            try:
                await self._give_way(arrived_at)
                await self._run(job)
            except Exception:
                log.exception("listener failed after the request was acknowledged")
            finally:
                queue.task_done()

    async def _give_way(self, arrived_at: float) -> None:
        if self._acknowledging == 0 or self._no_backlog is None:
            return
        until_due = arrived_at + self._max_defer_seconds - asyncio.get_running_loop().time()
        if until_due > 0:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(until_due):
                    await self._no_backlog.wait()

    async def close(self, grace_seconds: float) -> None:
        """Finish what was acknowledged (for at most ``grace_seconds``), then stop the workers."""
        if self._queue is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._queue.join(), grace_seconds)
        for worker in self._workers:
            worker.cancel()
        # Let each cancelled listener run its clean-up (an outbox lease given back) before the
        # resources it needs are closed.
        await asyncio.gather(*self._workers, return_exceptions=True)
