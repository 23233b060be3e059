"""Held tickets that later messages join and change (``bot.storage.held_requests``), against
SQLite and PostgreSQL: a message joins its author's held ticket in the window and nobody else's,
once whatever retries it; once a worker took the ticket it is recorded as a reply instead; a
parked ticket is joined by nothing; taking parts out hands the ticket on or drops it whole."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.domain.thread import ThreadKey
from bot.storage.held_requests import HeldRequests, Joined
from bot.storage.inbox import InboxStore
from bot.storage.outbox import OutboxStore
from bot.storage.tables import message_tickets, outbox
from tests.bot.storage.test_stores import with_engine

ROOT = ThreadKey("T1", "C1", "1700000000.000000")


def key(seconds_after: float) -> ThreadKey:
    return ThreadKey("T1", "C1", f"{1700000000 + seconds_after:.6f}")


def root_payload(thread_ts: str = ROOT.thread_ts) -> dict[str, Any]:
    return {"origin": {"thread_ts": thread_ts, "draft_id": None}, "parts": [thread_ts]}


def add(ts: str) -> Any:
    return lambda payload: {**payload, "parts": [*payload["parts"], ts]}


def reply(ts: str) -> Any:
    return lambda thread_ts: {"kind": "reply", "ticket_id": "", "thread_ts": thread_ts, "ts": ts}


async def hold_root(engine: AsyncEngine, *, hold: float = 60.0, author: str = "U1") -> OutboxStore:
    store = OutboxStore(engine=engine)
    item = await store.add(
        "siit", root_payload(), now=0.0, lease_seconds=30.0, claim=ROOT, hold_seconds=hold, author_id=author
    )
    assert item is not None
    return store


async def join(held: HeldRequests, at: float, *, author: str = "U1", settles: str | None = None) -> Joined | None:
    ts = key(at).thread_ts
    return await held.join(
        key(at),
        author_id=author,
        within_seconds=10.0,
        add=add(ts),
        details=reply(ts),
        backend="siit",
        now=0.0,
        settles=settles,
    )


async def payloads(engine: AsyncEngine) -> list[dict[str, Any]]:
    async with engine.connect() as connection:
        return [row.payload for row in (await connection.execute(select(outbox.c.payload).order_by(outbox.c.id))).all()]


async def claims(engine: AsyncEngine) -> dict[str, tuple[int | None, str | None]]:
    query = select(message_tickets.c.thread_ts, message_tickets.c.outbox_id, message_tickets.c.author_id)
    async with engine.connect() as connection:
        return {r.thread_ts: (r.outbox_id, r.author_id) for r in (await connection.execute(query)).all()}


def test_a_message_joins_its_authors_held_ticket_in_the_window_once_and_no_one_elses(database_url: str) -> None:
    async def use(engine: AsyncEngine) -> list[Any]:
        await hold_root(engine)
        held, inbox = HeldRequests(engine=engine), InboxStore(engine=engine)
        recorded = await inbox.record({"n": 1})
        outcomes = [
            await join(held, 2, settles=recorded),
            await join(held, 2, settles=recorded),  # Slack's retry of it
            await join(held, 3, author="U2"),  # someone else
            await join(held, 30),  # past the window
            await join(held, 9),
        ]
        return [outcomes, await payloads(engine), await inbox.waiting()]

    outcomes, stored, waiting = with_engine(database_url, use)
    assert outcomes == [Joined.HELD, Joined.CLAIMED, None, None, Joined.HELD]
    assert stored == [{**root_payload(), "parts": [ROOT.thread_ts, key(2).thread_ts, key(9).thread_ts]}]
    assert waiting == 0  # the joined message's recorded request is forgotten with the join


def test_once_a_worker_took_the_ticket_a_message_is_recorded_as_a_reply_and_a_parked_one_is_joined_by_nothing(
    database_url: str,
) -> None:
    async def use(engine: AsyncEngine) -> list[Any]:
        store = await hold_root(engine, hold=0.5)  # due before the worker looks
        held = HeldRequests(engine=engine)
        [taken] = await store.claim_due("siit", now=1.0, lease_seconds=30.0, limit=10)
        joined = await join(held, 2)
        await store.park(taken, "refused")
        return [joined, await payloads(engine), await claims(engine), await join(held, 3)]

    joined, stored, claimed, after_parking = with_engine(database_url, use)
    assert joined is Joined.DETAILS
    assert stored[1] == {"kind": "reply", "ticket_id": "", "thread_ts": ROOT.thread_ts, "ts": key(2).thread_ts}
    assert claimed[key(2).thread_ts][0] is not None and claimed[key(2).thread_ts][1] is None  # never a root
    assert after_parking is None


def test_taking_out_the_first_message_hands_the_ticket_on_and_taking_out_the_last_drops_it(database_url: str) -> None:
    async def use(engine: AsyncEngine) -> list[Any]:
        await hold_root(engine)
        held = HeldRequests(engine=engine)
        await join(held, 2)

        def promote(payload: dict[str, Any]) -> dict[str, Any]:
            return {**payload, "origin": {"thread_ts": key(2).thread_ts}, "parts": [key(2).thread_ts]}

        handed_on = await held.revise(ROOT, promote, taken_out=True)
        after_hand_on = await claims(engine)
        dropped = await held.revise(key(2), lambda payload: None, taken_out=True)
        return [handed_on, after_hand_on, dropped, await claims(engine), await payloads(engine), await join(held, 3)]

    handed_on, after_hand_on, dropped, left, stored, rejoined = with_engine(database_url, use)
    assert handed_on is True and list(after_hand_on) == [key(2).thread_ts]
    assert after_hand_on[key(2).thread_ts][1] == "U1"  # the next message now carries the ticket
    assert dropped is True and left == {} and stored == []
    assert rejoined is None


def test_nothing_changes_once_a_worker_took_the_ticket_and_an_unclaimed_message_is_claimed_empty(
    database_url: str,
) -> None:
    async def use(engine: AsyncEngine) -> list[Any]:
        store = await hold_root(engine, hold=0.5)
        held = HeldRequests(engine=engine)
        await store.claim_due("siit", now=1.0, lease_seconds=30.0, limit=10)
        taken = await held.revise(ROOT, lambda payload: None, taken_out=True)
        early = await held.revise(key(50), lambda payload: None, taken_out=True)
        return [taken, early, await claims(engine), len(await payloads(engine))]

    taken, early, claimed, items = with_engine(database_url, use)
    assert taken is False and items == 1
    assert early is True and claimed[key(50).thread_ts] == (None, None)
