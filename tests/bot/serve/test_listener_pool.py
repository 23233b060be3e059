from __future__ import annotations

import asyncio
import contextlib
import logging

import pytest

from bot.serve.listener_pool import ListenerPool


def test_jobs_run_at_most_workers_at_a_time_and_all_finish() -> None:
    async def scenario() -> tuple[int, list[int]]:
        running, peak, done = 0, 0, []

        async def job(n: int) -> None:
            nonlocal running, peak
            running += 1
            peak = max(peak, running)
            await asyncio.sleep(0.01)
            running -= 1
            done.append(n)

        pool: ListenerPool[int] = ListenerPool(job, workers=2)
        for n in range(6):
            pool.submit(n)
        await pool.close(grace_seconds=5)
        return peak, done

    peak, done = asyncio.run(scenario())
    assert peak == 2
    assert sorted(done) == list(range(6))


def test_a_listener_waits_while_requests_are_being_acknowledged() -> None:
    async def scenario() -> tuple[list[str], float, float]:
        loop = asyncio.get_running_loop()
        order: list[str] = []
        started: list[float] = []

        async def job(_: None) -> None:
            started.append(loop.time())
            order.append("listener")

        pool: ListenerPool[None] = ListenerPool(job, workers=1, max_defer_seconds=30)
        pool.submit(None)
        with pool.acknowledging():
            await asyncio.sleep(0.1)  # an ack still being worked on
            order.append("acknowledged")
            done_at = loop.time()
        await pool.close(grace_seconds=5)
        return order, started[0], done_at

    order, started, done_at = asyncio.run(scenario())
    assert order == ["acknowledged", "listener"]
    assert started >= done_at


def test_without_a_backlog_a_listener_runs_at_once_however_close_requests_come() -> None:
    async def scenario() -> tuple[int, int]:
        ran: list[int] = []

        async def job(n: int) -> None:
            ran.append(n)

        pool: ListenerPool[int] = ListenerPool(job, workers=1, max_defer_seconds=30)
        for n in range(20):  # each request acknowledged before the next: no backlog
            with pool.acknowledging():
                pass
            pool.submit(n)
            await asyncio.sleep(0.001)
        ran_before_close = len(ran)
        await pool.close(grace_seconds=5)
        return ran_before_close, len(ran)

    ran_before_close, ran = asyncio.run(scenario())
    assert ran == 20
    assert ran_before_close >= 19


def test_a_listener_never_waits_longer_than_its_bound() -> None:
    async def scenario() -> tuple[float, float, bool]:
        loop = asyncio.get_running_loop()
        started: list[float] = []
        ran = asyncio.Event()

        async def job(_: None) -> None:
            started.append(loop.time())
            ran.set()

        pool: ListenerPool[None] = ListenerPool(job, workers=1, max_defer_seconds=0.2)
        submitted = loop.time()
        pool.submit(None)
        with pool.acknowledging(), contextlib.suppress(TimeoutError):  # a backlog that never clears
            await asyncio.wait_for(ran.wait(), 10)
        await pool.close(grace_seconds=5)
        return submitted, started[0] if started else float("inf"), bool(started)

    submitted, started, ran = asyncio.run(scenario())
    assert ran, "the listener never ran while the backlog lasted"
    assert started - submitted >= 0.2


def test_a_failing_listener_is_logged_and_the_next_one_runs(caplog: pytest.LogCaptureFixture) -> None:
    async def scenario() -> list[str]:
        ran: list[str] = []

        async def job(name: str) -> None:
            if name == "bad":
                raise RuntimeError("listener broke")
            ran.append(name)

        pool: ListenerPool[str] = ListenerPool(job, workers=1)
        pool.submit("bad")
        pool.submit("good")
        await pool.close(grace_seconds=5)
        return ran

    with caplog.at_level(logging.ERROR, logger="bot.serve.listener_pool"):
        assert asyncio.run(scenario()) == ["good"]
    assert "listener failed after the request was acknowledged" in caplog.text
    assert "listener broke" in caplog.text
