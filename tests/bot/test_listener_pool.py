from __future__ import annotations

import asyncio
import logging

import pytest

from bot.listener_pool import ListenerPool


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

        pool: ListenerPool[int] = ListenerPool(job, workers=2, quiet_seconds=0)
        for n in range(6):
            pool.submit(n)
        await pool.close(grace_seconds=5)
        return peak, done

    peak, done = asyncio.run(scenario())
    assert peak == 2
    assert sorted(done) == list(range(6))


def test_a_listener_waits_while_requests_keep_arriving() -> None:
    async def scenario() -> tuple[float, float]:
        loop = asyncio.get_running_loop()
        started: list[float] = []

        async def job(_: None) -> None:
            started.append(loop.time())

        pool: ListenerPool[None] = ListenerPool(job, workers=1, quiet_seconds=0.05, max_defer_seconds=30)
        pool.submit(None)
        last_arrival = loop.time()
        for _ in range(20):  # arrivals 10 ms apart: never 50 ms of quiet
            pool.request_arrived()
            last_arrival = loop.time()
            assert not started
            await asyncio.sleep(0.01)
        await pool.close(grace_seconds=5)
        return started[0], last_arrival

    started, last_arrival = asyncio.run(scenario())
    assert started >= last_arrival + 0.05


def test_a_listener_never_waits_longer_than_its_bound() -> None:
    async def scenario() -> tuple[float, float, bool]:
        loop = asyncio.get_running_loop()
        started: list[float] = []

        async def job(_: None) -> None:
            started.append(loop.time())

        pool: ListenerPool[None] = ListenerPool(job, workers=1, quiet_seconds=0.05, max_defer_seconds=0.2)
        pool.request_arrived()
        submitted = loop.time()
        pool.submit(None)
        deadline = submitted + 10
        while not started and loop.time() < deadline:  # arrivals never stop while we wait
            pool.request_arrived()
            await asyncio.sleep(0.005)
        await pool.close(grace_seconds=5)
        return submitted, started[0] if started else float("inf"), bool(started)

    submitted, started, ran = asyncio.run(scenario())
    assert ran, "the listener never ran while requests kept arriving"
    assert started - submitted >= 0.2


def test_a_failing_listener_is_logged_and_the_next_one_runs(caplog: pytest.LogCaptureFixture) -> None:
    async def scenario() -> list[str]:
        ran: list[str] = []

        async def job(name: str) -> None:
            if name == "bad":
                raise RuntimeError("listener broke")
            ran.append(name)

        pool: ListenerPool[str] = ListenerPool(job, workers=1, quiet_seconds=0)
        pool.submit("bad")
        pool.submit("good")
        await pool.close(grace_seconds=5)
        return ran

    with caplog.at_level(logging.ERROR, logger="bot.listener_pool"):
        assert asyncio.run(scenario()) == ["good"]
    assert "listener failed after the request was acknowledged" in caplog.text
    assert "listener broke" in caplog.text
