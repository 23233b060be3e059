"""The inbox (Slack's requests recorded before their ack) against SQLite and PostgreSQL: a burst
recorded in few commits, each request forgotten once, with the outbox item that acts on it or on
its own, and what a crash left taken over once, by one caller."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.domain.thread import MessageKey
from bot.storage.inbox import InboxStore
from bot.storage.outbox import OutboxStore
from tests.bot.storage.test_stores import with_engine


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_is_recorded_in_fewer_commits_than_requests_and_each_is_kept(database_url: str) -> None:
    async def use(engine: AsyncEngine) -> tuple[int, int, set[str]]:
        batches: list[int] = []
        inbox = InboxStore(engine=engine, on_commit=batches.append)
        ids = await asyncio.gather(*(inbox.record({"n": i}) for i in range(50)))
        assert sum(batches) == 50
        return len(batches), await inbox.waiting(), set(ids)

    commits, waiting, ids = with_engine(database_url, use)
    assert waiting == 50 and len(ids) == 50
    assert commits < 50


def test_a_request_is_settled_once_whether_by_its_outbox_item_or_by_its_listener(database_url: str) -> None:
    async def use(engine: AsyncEngine) -> list[Any]:
        inbox, outbox = InboxStore(engine=engine), OutboxStore(engine=engine)
        first, second = await inbox.record({"n": 1}), await inbox.record({"n": 2})
        acted = await outbox.add("siit", {"kind": "close"}, now=0.0, lease_seconds=1.0, settles=first)
        again = await outbox.add("siit", {"kind": "close"}, now=0.0, lease_seconds=1.0, settles=first)
        return [acted is not None, again, await inbox.settle(second), await inbox.settle(second), await inbox.waiting()]

    assert with_engine(database_url, use) == [True, None, True, False, 0]


def test_a_slack_message_is_sent_once_whatever_retries_it(database_url: str) -> None:
    async def use(engine: AsyncEngine) -> list[bool]:
        outbox, once = OutboxStore(engine=engine), MessageKey("T1", "C1", "9.0")
        added = [await outbox.add("siit", {"kind": "reply"}, now=0.0, lease_seconds=1.0, once=once) for _ in range(3)]
        return [item is not None for item in added]

    assert with_engine(database_url, use) == [True, False, False]


def test_what_a_crash_left_is_taken_over_once_at_start_and_again_only_after_its_lease(database_url: str) -> None:
    async def use(engine: AsyncEngine) -> list[list[int]]:
        clock = Clock()
        gone = InboxStore(engine=engine, lease_seconds=60.0, clock=clock)
        await gone.record({"n": 1})
        clock.now += 5  # a new process starts 5 s later: the old lease has 55 s to run
        started = clock.now
        taken = [await InboxStore(engine=engine, lease_seconds=60.0, clock=clock).take_due(leased_before=started)]
        other = InboxStore(engine=engine, lease_seconds=60.0, clock=clock)
        taken.append(await other.take_due(leased_before=started))  # leased anew since: not taken
        taken.append(await other.take_due())
        clock.now += 61
        taken.append(await other.take_due())
        return [[attempts for _, _, attempts in batch] for batch in taken]

    assert with_engine(database_url, use) == [[0], [], [], [1]]


def test_two_callers_taking_due_requests_at_once_never_both_take_one(database_url: str) -> None:
    async def use(engine: AsyncEngine) -> list[str]:
        clock = Clock()
        inbox = InboxStore(engine=engine, lease_seconds=1.0, clock=clock)
        for i in range(30):
            await inbox.record({"n": i})
        clock.now += 2
        batches = await asyncio.gather(*(inbox.take_due(limit=30) for _ in range(4)))
        return [entry_id for batch in batches for entry_id, _, _ in batch]

    taken = with_engine(database_url, use)
    assert len(taken) == len(set(taken)) == 30
