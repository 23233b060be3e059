from __future__ import annotations

import asyncio

import pytest

from bot.cache import StaleWhileRevalidateCache


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class Loader:
    def __init__(self) -> None:
        self.calls = 0
        self.fail = False
        self.release = asyncio.Event()
        self.release.set()

    async def __call__(self, key: str) -> str:
        self.calls += 1
        await self.release.wait()
        if self.fail:
            raise RuntimeError("down")
        return f"{key}-{self.calls}"


def test_cold_callers_share_one_load() -> None:
    async def scenario() -> None:
        load = Loader()
        load.release.clear()
        cache = StaleWhileRevalidateCache(load, ttl_seconds=10)
        waiting = [asyncio.ensure_future(cache.get("k")) for _ in range(5)]
        await asyncio.sleep(0)
        load.release.set()
        assert await asyncio.gather(*waiting) == ["k-1"] * 5
        assert load.calls == 1

    asyncio.run(scenario())


def test_stale_entries_are_served_at_once_while_one_refresh_runs() -> None:
    async def scenario() -> None:
        load, clock = Loader(), Clock()
        cache = StaleWhileRevalidateCache(load, ttl_seconds=10, clock=clock)
        assert await cache.get("k") == "k-1"
        clock.now = 11
        load.release.clear()
        assert await cache.get("k") == "k-1"
        assert await cache.get("k") == "k-1"
        load.release.set()
        await asyncio.sleep(0.01)
        assert load.calls == 2
        assert await cache.get("k") == "k-2"

    asyncio.run(scenario())


def test_a_failed_refresh_keeps_the_stale_entry_and_a_failed_cold_load_raises() -> None:
    async def scenario() -> None:
        load, clock = Loader(), Clock()
        cache = StaleWhileRevalidateCache(load, ttl_seconds=10, clock=clock)
        await cache.get("k")
        clock.now = 11
        load.fail = True
        assert cache.peek("k") == "k-1"
        await asyncio.sleep(0.01)
        assert await cache.get("k") == "k-1"
        with pytest.raises(RuntimeError):
            await cache.get("other")

    asyncio.run(scenario())
