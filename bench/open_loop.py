"""Open-loop load, as real people arrive: request ``i`` leaves at ``start + i / rate`` whatever
the answers to the others, so a stall shows as a tail instead of slowing the driver down (a
closed loop, N in flight, hides it). The capacity is the highest rate whose modals open at p99
under 300 ms with no trigger expired."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import aiohttp

OPEN_P99_LIMIT_MS = 300.0
TRIGGER_SECONDS = 3.0


@dataclass(frozen=True)
class RateResult:
    rate: float
    sent: int
    answered: int
    acknowledged: int
    ack_ms: tuple[float, float]
    """p50, p99."""
    open_ms: tuple[float, float]
    expired: int
    """Acknowledged commands whose modal never opened within the trigger's 3 s."""

    @property
    def within_limits(self) -> bool:
        """Every command acknowledged (no error, no connection lost), modals in time."""
        return self.acknowledged == self.sent and self.open_ms[1] < OPEN_P99_LIMIT_MS and self.expired == 0


async def drive(
    url: str | Sequence[str],
    *,
    rate: float,
    count: int,
    make: Callable[[int], tuple[bytes, str, dict[str, str]]],
) -> tuple[list[float], list[str]]:
    """Send ``count`` requests at ``rate`` per second; ack latencies (s) of every answer, and the
    trigger ids of the acknowledged ones. ``make(i)`` gives the body, its trigger and headers.
    Several URLs take the requests in turn, as instances behind a load balancer do."""
    urls = [url] if isinstance(url, str) else list(url)
    latencies: list[float] = []
    triggers: list[str] = []
    loop = asyncio.get_running_loop()
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=30)) as session:

        async def one(n: int) -> None:
            await send_command(session, urls[n % len(urls)], *make(n), latencies=latencies, triggers=triggers)

        start = loop.time()
        tasks = []
        for n in range(count):
            delay = start + n / rate - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(n)))
        await asyncio.gather(*tasks)
    return latencies, triggers


async def send_command(
    session: aiohttp.ClientSession,
    url: str,
    body: bytes,
    trigger: str,
    headers: dict[str, str],
    *,
    latencies: list[float],
    triggers: list[str],
) -> None:
    """One signed command: its ack latency kept, and its trigger when it was acknowledged; a
    connection refused or lost past an app's capacity is a command not answered."""
    started = time.perf_counter()
    try:
        async with session.post(url + "/slack/events", data=body, headers=headers) as response:
            await response.read()
    except (aiohttp.ClientError, OSError, TimeoutError):
        return
    latencies.append(time.perf_counter() - started)
    if response.status == 200:
        triggers.append(trigger)


def result(
    rate: float, sent: int, latencies: list[float], triggers: list[str], opens: list[float], pct: Any
) -> RateResult:
    """``opens``: trigger issued -> views.open reached Slack, for the acknowledged commands."""
    in_time = [o for o in opens if o <= TRIGGER_SECONDS]
    return RateResult(
        rate=rate,
        sent=sent,
        answered=len(latencies),
        acknowledged=len(triggers),
        ack_ms=(pct(latencies, 50) * 1000, pct(latencies, 99) * 1000),
        open_ms=(pct(opens, 50) * 1000, pct(opens, 99) * 1000),
        expired=len(triggers) - len(in_time),
    )


def capacity(results: list[RateResult]) -> float:
    """The highest rate within limits below which every rate was within limits too."""
    best = 0.0
    for measured in sorted(results, key=lambda r: r.rate):
        if not measured.within_limits:
            break
        best = measured.rate
    return best


def ratio(capacity: float, baseline: float) -> float:
    """One capacity against another; any capacity beats a baseline that kept no rate."""
    return capacity / baseline if baseline else float("inf")


def first_failure(results: list[RateResult]) -> float | None:
    """The lowest rate out of limits, above the capacity; None if every rate tried kept them."""
    failed = [r.rate for r in results if not r.within_limits]
    return min(failed) if failed else None


def next_rate(
    results: list[RateResult],
    *,
    start: float,
    coarse: float = 1.5,
    fine: float = 1.1,
    ceiling: float | None = None,
) -> float | None:
    """The next rate of a capacity search, or None when the capacity is known to ``fine``:
    rates grow by ``coarse`` until one fails, then by ``fine`` from the best passing rate up to
    the failing one; whole rates. Fewer rates than a fixed grid, and a finer answer. Nothing
    above ``ceiling`` is tried (the driver's own limit): the capacity is then a lower bound."""
    if not results:
        return start
    failed = [r.rate for r in results if not r.within_limits]
    if not failed:
        grown = float(round(results[-1].rate * coarse))
        return grown if ceiling is None or grown <= ceiling else None
    passed = [r.rate for r in results if r.within_limits and r.rate < min(failed)]
    if not passed:
        return None
    candidate = float(max(round(max(passed) * fine), max(passed) + 1))
    return candidate if candidate < min(failed) else None
