from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.domain.forms import Draft
from bot.domain.thread import ThreadKey
from bot.domain.ticket import Ticket
from bot.storage import tables
from bot.storage.database import create_engine, migrate
from bot.storage.drafts import DraftStore
from bot.storage.message_tickets import MessageTicketStore
from bot.storage.outbox import DONE, FAILED, PENDING, OutboxStore
from bot.storage.poll_schedule import PollSchedule
from bot.storage.sync_log import SyncLog
from bot.storage.tickets import ACTIVE_SECONDS, TicketStore

T = TypeVar("T")
ROOT = Path(__file__).resolve().parents[3]


def with_engine(database_url: str, use: Callable[[AsyncEngine], Awaitable[T]]) -> T:
    async def scenario() -> T:
        engine = create_engine(database_url)
        try:
            await migrate(engine)
            return await use(engine)
        finally:
            await engine.dispose()

    return asyncio.run(scenario())


def test_the_migrations_build_exactly_the_tables_the_code_declares(database_url: str) -> None:
    async def use(engine: AsyncEngine) -> list[object]:
        async with engine.connect() as connection:
            return await connection.run_sync(
                lambda sync: compare_metadata(MigrationContext.configure(sync), tables.metadata)
            )

    assert with_engine(database_url, use) == []


def test_migrations_create_every_table_and_run_twice(database_url: str) -> None:
    async def use(engine: AsyncEngine) -> set[str]:
        await migrate(engine)
        async with engine.connect() as connection:
            return set(await connection.run_sync(lambda c: inspect(c).get_table_names()))

    tables = with_engine(database_url, use)
    assert {"tickets", "drafts", "outbox", "message_tickets", "synced_messages", "sent_replies"} <= tables
    assert "alembic_version" in tables


def test_instances_starting_together_migrate_once(database_url: str) -> None:
    """Three processes migrating the same fresh database at once (as instances starting together)."""
    code = (
        "import asyncio, sys\n"
        "from bot.storage.database import create_engine, migrate\n"
        "async def main():\n"
        "    engine = create_engine(sys.argv[1])\n"
        "    await migrate(engine)\n"
        "    await engine.dispose()\n"
        "asyncio.run(main())\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    runs = [
        subprocess.Popen([sys.executable, "-c", code, database_url], env=env, stderr=subprocess.PIPE) for _ in range(3)
    ]
    for run in runs:
        assert run.wait(timeout=60) == 0, run.stderr.read().decode() if run.stderr else ""

    async def versions(engine: AsyncEngine) -> list[str]:
        async with engine.connect() as connection:
            return [
                row[0] for row in (await connection.exec_driver_sql("SELECT version_num FROM alembic_version")).all()
            ]

    assert with_engine(database_url, versions) == ["0007"]


def test_outbox_leases_retries_parks_and_finishes(database_url: str) -> None:
    async def use(engine: AsyncEngine) -> None:
        outbox = OutboxStore(engine=engine)
        first = await outbox.add("siit", {"n": 1}, now=100.0, lease_seconds=60)
        second = await outbox.add("siit", {"n": 2}, now=100.0, lease_seconds=0)
        assert first is not None and second is not None
        (leased,) = await outbox.claim_due("siit", now=101.0, lease_seconds=60, limit=10)
        assert leased.payload == {"n": 2} and leased.uncertain  # added for an attempt under way
        assert await outbox.claim_due("siit", now=102.0, lease_seconds=60, limit=10) == []  # leased
        assert not await outbox.retry_at(second, 150.0, "503", uncertain=False)  # its lease was taken over
        assert await outbox.retry_at(leased, 150.0, "503", uncertain=False)
        assert await outbox.claim_due("siit", now=149.0, lease_seconds=60, limit=10) == []
        again = await outbox.claim_due("siit", now=161.0, lease_seconds=60, limit=10)
        assert [(i.id, i.attempts, i.uncertain) for i in again] == [(second.id, 1, False), (first.id, 0, True)]
        assert await outbox.renew([*again, second], now=200.0, lease_seconds=60) == 2  # not the stale one
        assert await outbox.claim_due("siit", now=230.0, lease_seconds=60, limit=10) == []  # renewed to 260
        assert await outbox.claim_due("suptask", now=500.0, lease_seconds=60, limit=10) == []
        assert await outbox.done(again[1], ticket_id="req_1")
        assert await outbox.park(again[0], "gave up")
        assert (await outbox.count(DONE), await outbox.count(FAILED)) == (1, 1)

    with_engine(database_url, use)


def test_a_thread_claim_commits_with_its_delivery_or_not_at_all(database_url: str) -> None:
    async def use(engine: AsyncEngine) -> None:
        outbox, claims = OutboxStore(engine=engine), MessageTicketStore(engine=engine)
        key = ThreadKey("T1", "C1", "1.0")
        item = await outbox.add("siit", {"n": 1}, now=0.0, lease_seconds=60, claim=key)
        assert item is not None
        # The same thread from another workspace (a shared channel) loses, and records nothing.
        assert await outbox.add("siit", {"n": 2}, now=0.0, lease_seconds=60, claim=ThreadKey("T2", "C1", "1.0")) is None
        assert await outbox.count(PENDING) == 1
        assert await claims.release_stranded() == []  # its delivery is under way
        await outbox.park(item, "refused")
        assert await claims.release_stranded() == [key]  # parked: the thread may be filed again
        assert await claims.get(key) is None

    with_engine(database_url, use)


def test_concurrent_claims_give_each_item_to_one_worker(database_url: str) -> None:
    async def use(engine: AsyncEngine) -> None:
        other = create_engine(database_url)  # a second process's engine
        try:
            stores = [OutboxStore(engine=engine), OutboxStore(engine=other)]
            for n in range(10):
                await stores[0].add("siit", {"n": n}, now=0.0, lease_seconds=0)
            claims = await asyncio.gather(
                *(stores[i % 2].claim_due("siit", now=1.0, lease_seconds=60, limit=10) for i in range(6))
            )
            claimed = [item.id for batch in claims for item in batch]
            assert sorted(claimed) == sorted(set(claimed)) and len(claimed) == 10
        finally:
            await other.dispose()

    with_engine(database_url, use)


def test_a_thread_is_claimed_once_across_engines(database_url: str) -> None:
    async def use(engine: AsyncEngine) -> None:
        other = create_engine(database_url)
        try:
            stores = [MessageTicketStore(engine=engine), MessageTicketStore(engine=other)]
            outboxes = [OutboxStore(engine=engine), OutboxStore(engine=other)]
            key = ThreadKey("T1", "C1", "1.000")

            async def claim(n: int) -> bool:
                # Each workspace sharing the channel may name another team: one thread still.
                team_key = ThreadKey(f"T{n % 3}", key.channel_id, key.thread_ts)
                return await outboxes[n % 2].add("siit", {"n": n}, now=0, lease_seconds=60, claim=team_key) is not None

            results = await asyncio.gather(*(claim(n) for n in range(8)))
            assert sorted(results) == [False] * 7 + [True]
            assert await outboxes[0].count(PENDING) == 1
            assert (await stores[0].get(key)).friendly_id is None  # type: ignore[union-attr]
            await stores[1].filed(key, friendly_id="REQ-1", url="https://x/1")
            assert (await stores[0].get(key)).friendly_id == "REQ-1"  # type: ignore[union-attr]
            await stores[0].release(key)
            assert await claim(9)
        finally:
            await other.dispose()

    with_engine(database_url, use)


def test_of_instances_seeing_the_same_status_change_exactly_one_is_told(database_url: str) -> None:
    async def use(engine: AsyncEngine) -> None:
        other = create_engine(database_url)
        try:
            stores = [TicketStore(engine=engine), TicketStore(engine=other)]
            await stores[0].add(
                Ticket("siit", "req_1", "R", None, "T", "wa_1", "P", None, "T1", "C1", None, None, "U1", "U1")
            )
            changed = await asyncio.gather(
                *(stores[i % 2].set_status("siit", "req_1", "in_progress") for i in range(8))
            )
            assert sorted(changed) == [False] * 7 + [True]
            assert not await stores[1].set_status("siit", "req_1", "in_progress")
            assert await stores[1].set_status("siit", "req_1", "resolved")
            await stores[0].set_identity("siit", "req_1", friendly_id="#9", url="https://x/9")
            stored = await stores[1].get("siit", "req_1")
            assert stored is not None and (stored.friendly_id, stored.url, stored.status) == (
                "#9",
                "https://x/9",
                "resolved",
            )
        finally:
            await other.dispose()

    with_engine(database_url, use)


def test_tickets_drafts_and_sync_log(database_url: str) -> None:
    async def use(engine: AsyncEngine) -> None:
        tickets = TicketStore(engine=engine)
        record = Ticket(
            "siit", "req_1", "REQ-1", None, "Title", "wa_1", "Printers", None, "T1", "C1", None, None, "U1", "U1"
        )
        await tickets.add(record)
        await tickets.set_slack_message("siit", "req_1", channel_id="C1", message_ts="5.0", thread_ts="5.0")
        assert (await tickets.in_thread("C1", "5.0")).ticket_id == "req_1"  # type: ignore[union-attr]
        assert await tickets.claim_triage("siit", "req_1", "C9")
        await tickets.set_triage_message("siit", "req_1", ts="9.0")
        threads = [("C1", "5.0"), ("C9", "9.0"), ("C1", "9.0"), ("C9", "5.0"), ("C2", "5.0")]
        assert [await tickets.is_ticket_thread(*t) for t in threads] == [True, True, False, False, False]
        due = {"closed": ("resolved",), "now": 0.0, "active_every": 30.0, "idle_every": 600.0, "limit": 5}
        batch = await tickets.due_for_check("siit", **due)  # type: ignore[arg-type]
        assert [p.ticket.ticket_id for p in batch] == ["req_1"]
        await tickets.set_status("siit", "req_1", "resolved")
        assert await tickets.due_for_check("siit", **due) == []  # type: ignore[arg-type]

        drafts = DraftStore(engine=engine)
        draft_id = await drafts.save(Draft("wa_1", "t", "d", {"f": [1.5]}), team_id="T1", user_id="U1", channel_id="C1")
        assert await drafts.load(draft_id, user_id="U2") is None
        stored = await drafts.load(draft_id, user_id="U1")
        assert stored is not None and stored.draft.values == {"f": [1.5]}

        log = SyncLog(engine=engine)
        await log.remember_sent("siit", "req_1", "Any  news?")
        assert await log.was_sent("siit", "req_1", "Any news?")
        assert not await log.was_sent("siit", "req_2", "Any news?")

    with_engine(database_url, use)


def ticket(n: int, status: str | None = None) -> Ticket:
    return Ticket("siit", f"req_{n}", f"R{n}", None, "T", "wa_1", "P", status, "T1", "C1", None, None, "U1", "U1")


def test_active_tickets_come_first_then_the_longest_unchecked_with_a_place_kept_for_idle_ones(
    database_url: str,
) -> None:
    now = [1000.0]

    async def use(engine: AsyncEngine) -> list[list[str]]:
        store = TicketStore(engine=engine, clock=lambda: now[0])
        for n in range(1, 5):  # filed at 1000: active for ACTIVE_SECONDS
            await store.add(ticket(n, "resolved" if n == 3 else None))
        now[0] = -5000.0  # filed long before: idle
        for n in (5, 6):
            await store.add(ticket(n))
        for n, checked_at in ((1, 1000.0), (2, 990.0), (4, 995.0), (5, 0.0)):
            await store.checked("siit", f"req_{n}", now=checked_at, mark=None, active=False, replies_from=0.0)

        async def due(at: float, limit: int) -> list[str]:
            batch = await store.due_for_check(
                "siit", closed=("resolved",), now=at, active_every=30.0, idle_every=600.0, limit=limit
            )
            return [polled.ticket.ticket_id for polled in batch]

        return [
            await due(1020.0, 3),
            await due(1031.0, 3),
            await due(1031.0, 1),
            await due(1000.0 + ACTIVE_SECONDS + 200, 5),
        ]

    assert with_engine(database_url, use) == [
        ["req_2", "req_6", "req_5"],  # the active one checked 30 s ago, then idle ones, never checked first
        ["req_2", "req_4", "req_6"],  # three active are due: one place is kept for an idle one
        ["req_2"],  # a batch of one: the active one
        ["req_6", "req_5", "req_2", "req_4", "req_1"],  # all idle now; the resolved one never
    ]


def test_one_instance_has_each_poll_turn(database_url: str) -> None:
    async def use(engine: AsyncEngine) -> None:
        other = create_engine(database_url)
        try:
            schedules = [PollSchedule(engine=engine), PollSchedule(engine=other)]
            first = await asyncio.gather(
                *(schedules[i % 2].take_turn("status:siit", now=100.0, interval_seconds=60) for i in range(6))
            )
            assert sorted(first) == [False] * 5 + [True]
            assert not await schedules[1].take_turn("status:siit", now=159.0, interval_seconds=60)
            second = await asyncio.gather(
                *(schedules[i % 2].take_turn("status:siit", now=160.0, interval_seconds=60) for i in range(6))
            )
            assert sorted(second) == [False] * 5 + [True]
            assert await schedules[0].take_turn("status:other", now=160.0, interval_seconds=60)
        finally:
            await other.dispose()

    with_engine(database_url, use)


def test_a_persons_tickets_open_newest_first_then_recently_closed_and_the_agents_queue(database_url: str) -> None:
    now = [1_000_000.0]

    async def use(engine: AsyncEngine) -> tuple[list[str], ...]:
        store = TicketStore(engine=engine, clock=lambda: now[0])
        for n in range(1, 7):
            mine = Ticket(**{**ticket(n).__dict__, "requester_id": "U1" if n != 5 else "U9", "reporter_id": "U9"})
            await store.add(mine if n != 6 else Ticket(**{**mine.__dict__, "requester_id": "U9", "reporter_id": "U1"}))
        await store.set_status("siit", "req_2", "resolved")  # long ago: no longer shown
        now[0] += 40 * 86400
        await store.set_status("siit", "req_1", "resolved")
        now[0] += 60
        await store.set_status("siit", "req_3", "resolved")  # closed after req_1: shown before it
        await store.set_status("siit", "req_4", "in_progress")

        async def of(user: str, limit: int = 10, offset: int = 0) -> list[str]:
            found = await store.of_person("siit", user, closed=("resolved",), limit=limit, offset=offset)
            return [t.ticket_id for t in found]

        async def queue(status: str | None) -> list[str]:
            found = await store.open_tickets(
                "siit", closed=("resolved",), status=status, default_status="open", limit=10
            )
            return [t.ticket_id for t in found]

        statuses = await store.open_statuses("siit", closed=("resolved",), default_status="open")
        return (
            await of("U1"),
            await of("U1", limit=2, offset=2),
            await queue(None),
            await queue("open"),
            statuses,
        )

    assert with_engine(database_url, use) == (
        ["req_6", "req_4", "req_3", "req_1"],  # open (as requester or the one who filed) newest first
        ["req_3", "req_1"],
        ["req_6", "req_5", "req_4"],
        ["req_6", "req_5"],  # never changed: counts as open
        ["in_progress", "open"],
    )
