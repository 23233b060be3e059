"""Two benchmark phases that need no load: App Home published for a person with 1000 tickets
in the database (``app_home_opened`` sent -> ``views.publish`` reaching Slack), and Siit polling
over a simulated hour (``bot.testing.polling``): calls per minute with 500 open tickets, and how
long an agent's reply takes to reach the Slack thread with 100 open tickets of which 10 are
being answered."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

import httpx

from bot.testing.polling import PollingFigures, PollingScenario, simulate
from bot.testing.slack_api import TEAM_ID

HOME_USER = "U0001"
"""Asks for 1000 tickets, and is an agent (``AGENT_SLACK_IDS``): both lists are built."""
BACKGROUND_CALLS_PER_MINUTE = 40
"""Siit's 60 a minute, less the 20 polling keeps free for people."""


class Faked(Protocol):
    def stats(self) -> dict[str, Any]: ...

    def reset(self) -> None: ...


def add_tickets(database: Path, *, mine: int, others: int) -> None:
    """Tickets as the app stores them: ``mine`` asked for by ``HOME_USER`` (one in three
    resolved lately), ``others`` by other people, open."""
    now = time.time()
    rows = []
    for n in range(mine + others):
        requester = HOME_USER if n < mine else f"U{2000 + n % 500:04d}"
        resolved = n < mine and n % 3 == 0
        ts = f"{1_700_000_000 + n}.000100"
        rows.append(
            (
                "siit", f"home_{n}", f"REQ-{n}", f"https://app.siit.io/requests/home_{n}", f"Bench ticket {n}",
                "wa_printers", "Printer problem", "resolved" if resolved else "open", TEAM_ID, "C100", ts, ts,
                requester, requester, now - n if resolved else None,
            )
        )  # fmt: skip
    with sqlite3.connect(database) as connection:
        connection.executemany(
            "INSERT INTO tickets (backend, ticket_id, friendly_id, url, title, form_id, form_name, status, team_id,"
            " channel_id, message_ts, thread_ts, requester_id, reporter_id, status_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )


async def home_publish_seconds(
    url: str, fake: Faked, count: int, headers_for: Callable[[bytes], dict[str, str]]
) -> list[float]:
    """``count`` Home openings, one at a time: seconds from the event sent to ``views.publish``
    received by the fake Slack."""
    delays: list[float] = []
    fake.reset()
    async with httpx.AsyncClient(timeout=30) as client:
        for n in range(count):
            envelope = {
                "token": "t",
                "team_id": TEAM_ID,
                "api_app_id": "A1",
                "type": "event_callback",
                "event_id": f"EvHome{n}",
                "event_time": int(time.time()),
                "event": {"type": "app_home_opened", "user": HOME_USER, "channel": "D0001", "tab": "home"},
            }
            body = json.dumps(envelope).encode()
            sent = time.time()
            response = await client.post(url + "/slack/events", content=body, headers=headers_for(body))
            response.raise_for_status()
            published = None
            deadline = time.monotonic() + 10
            while published is None and time.monotonic() < deadline:
                calls = [c for c in fake.stats()["slack"] if c["method"] == "views.publish"]
                published = calls[n]["at"] if len(calls) > n else None
                if published is None:
                    await asyncio.sleep(0.005)
            if published is not None:
                delays.append(published - sent)
    return delays


async def polling_figures(quick: bool) -> tuple[PollingFigures, PollingFigures]:
    """(500 open tickets, 10 answered), (100 open, 10 answered): a simulated hour each after a
    30 minute warm-up (``quick``: a few tickets, a few minutes)."""

    with tempfile.TemporaryDirectory() as workdir:
        if quick:
            big = PollingScenario(open_tickets=20, active_tickets=2, minutes=3, warmup_minutes=2)
            small = PollingScenario(open_tickets=10, active_tickets=2, minutes=3, warmup_minutes=2)
        else:
            big = PollingScenario(open_tickets=500, active_tickets=10, minutes=60)
            small = PollingScenario(open_tickets=100, active_tickets=10, minutes=60)
        return (
            await simulate(big, database_url=f"sqlite:///{workdir}/big.db"),
            await simulate(small, database_url=f"sqlite:///{workdir}/small.db"),
        )


def mean(values: list[int]) -> float:
    return statistics.fmean(values) if values else 0.0
