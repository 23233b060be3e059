"""Tickets held before filing (a help channel's grace and ``coalesce_seconds``) and the messages
that change them while they wait: a later message of the same person joins one, an edit revises
its part, a deletion or the no-ticket reaction takes its part out. Each change commits with the
claims of the threads it touches; once a worker has taken the item, nothing changes here.

How a payload changes is the caller's (``bot.delivery.joined``); this module only knows that a
payload's ``origin.thread_ts`` names the message the ticket lives under."""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.domain.thread import ThreadKey
from bot.storage.outbox import DONE, FILED, PENDING
from bot.storage.tables import drafts, inbox, message_tickets, outbox

Revise = Callable[[dict[str, Any]], "dict[str, Any] | None"]
"""The held payload as it is to be now; ``None``: nothing is left to file."""


class Joined(enum.Enum):
    HELD = "joined the held ticket"
    DETAILS = "sent as details of a ticket being filed or filed"
    CLAIMED = "claimed already (Slack's retry, or acted on already)"


class _Claimed(Exception):
    """The message was claimed, or its recorded request acted on, by an earlier attempt."""


class HeldRequests:
    def __init__(self, *, engine: AsyncEngine) -> None:
        self._engine = engine

    async def join(
        self,
        key: ThreadKey,
        *,
        author_id: str,
        within_seconds: float,
        add: Revise,
        details: Callable[[str], dict[str, Any]],
        backend: str,
        now: float,
        settles: str | None = None,
    ) -> Joined | None:
        """Join the message ``key`` to its author's ticket in the channel whose message is at
        most ``within_seconds`` from it: into the held payload (``add``), or, once a worker took
        it, as a reply recorded in the outbox (``details(thread_ts)`` is its payload). ``None``:
        no such ticket (one that was parked does not count), the message is filed on its own."""
        try:
            ts = float(key.thread_ts)
        except ValueError:
            return None
        # Slack's ts are seconds with six decimals and ten digits before them: compared as text.
        earliest, latest = f"{ts - within_seconds:.6f}", f"{ts + within_seconds:.6f}"
        try:
            async with self._engine.begin() as connection:
                candidates = (
                    await connection.execute(
                        select(message_tickets.c.thread_ts, message_tickets.c.outbox_id)
                        .where(
                            message_tickets.c.channel_id == key.channel_id,
                            message_tickets.c.author_id == author_id,
                            message_tickets.c.outbox_id.is_not(None),
                            message_tickets.c.thread_ts != key.thread_ts,
                            message_tickets.c.thread_ts.between(earliest, latest),
                        )
                        .order_by(message_tickets.c.thread_ts)
                    )
                ).all()
                roots = [row for row in candidates if _within(row.thread_ts, ts, within_seconds)]
                if not roots:
                    return None
                query = select(*_HELD_COLUMNS).where(outbox.c.id == roots[0].outbox_id)
                item = (await connection.execute(query)).first()
                if item is None or item.status not in (PENDING, FILED, DONE):
                    return None
                settled = (
                    None if settles is None else await connection.execute(delete(inbox).where(inbox.c.id == settles))
                )
                if settled is not None and not settled.rowcount:
                    raise _Claimed()
                if _held(item):
                    await connection.execute(
                        update(outbox).where(outbox.c.id == item.id).values(payload=add(dict(item.payload)))
                    )
                    outbox_id, joined = item.id, Joined.HELD
                else:
                    result = await connection.execute(
                        outbox.insert().values(
                            backend=backend,
                            status=PENDING,
                            payload=details(roots[0].thread_ts),
                            attempts=0,
                            due_at=now,
                            uncertain=False,
                        )
                    )
                    (outbox_id,) = result.inserted_primary_key or (0,)
                    joined = Joined.DETAILS
                await connection.execute(
                    message_tickets.insert().values(
                        team_id=key.team_id, channel_id=key.channel_id, thread_ts=key.thread_ts, outbox_id=outbox_id
                    )
                )
        except (_Claimed, IntegrityError):
            return Joined.CLAIMED
        return joined

    async def revise(self, thread: ThreadKey, change: Revise, *, taken_out: bool) -> bool:
        """Change the held payload this thread's message is part of; ``taken_out``: the change
        took the message out, and its claim goes too. Nothing left to file: the item goes, with
        every claim on it and the draft it was made from. A message not claimed yet (still on
        its way in) is claimed with no delivery, so that it is not filed when it arrives. False
        when a worker has taken the item already."""
        async with self._engine.begin() as connection:
            claim = (
                await connection.execute(
                    select(message_tickets.c.id, message_tickets.c.outbox_id, message_tickets.c.author_id).where(
                        message_tickets.c.channel_id == thread.channel_id,
                        message_tickets.c.thread_ts == thread.thread_ts,
                    )
                )
            ).first()
            if claim is None:
                return await _claim_empty(connection, thread)
            if claim.outbox_id is None:
                return False
            item = (await connection.execute(select(*_HELD_COLUMNS).where(outbox.c.id == claim.outbox_id))).first()
            if item is None or not _held(item):
                return False
            revised = change(dict(item.payload))
            if revised is None:
                await _drop(connection, item)
                return True
            await connection.execute(update(outbox).where(outbox.c.id == item.id).values(payload=revised))
            if taken_out:
                await connection.execute(delete(message_tickets).where(message_tickets.c.id == claim.id))
                now_under = _thread_of(revised)
                if claim.author_id is not None and now_under != thread.thread_ts:
                    # The ticket's own message was taken out: the next one carries it, and its
                    # author's next messages join it there.
                    await connection.execute(
                        update(message_tickets)
                        .where(
                            message_tickets.c.channel_id == thread.channel_id, message_tickets.c.thread_ts == now_under
                        )
                        .values(author_id=claim.author_id)
                    )
        return True

    async def filing(self, thread: ThreadKey) -> bool:
        """Whether the ticket claimed for this thread is still to be filed (or announced)."""
        query = (
            select(outbox.c.status)
            .join(message_tickets, message_tickets.c.outbox_id == outbox.c.id)
            .where(message_tickets.c.channel_id == thread.channel_id, message_tickets.c.thread_ts == thread.thread_ts)
        )
        async with self._engine.connect() as connection:
            status = (await connection.execute(query)).scalar()
        return status in (PENDING, FILED)


_HELD_COLUMNS = (
    outbox.c.id,
    outbox.c.status,
    outbox.c.payload,
    outbox.c.lease_token,
    outbox.c.attempts,
    outbox.c.first_attempt_at,
)


def _held(item: Any) -> bool:
    """Recorded with a hold and not taken by a worker yet."""
    return bool(
        item.status == PENDING and item.lease_token is None and item.attempts == 0 and item.first_attempt_at is None
    )


def _within(thread_ts: str, ts: float, seconds: float) -> bool:
    try:
        return abs(float(thread_ts) - ts) <= seconds
    except ValueError:
        return False


def _thread_of(payload: dict[str, Any]) -> str | None:
    origin = payload.get("origin")
    thread_ts = origin.get("thread_ts") if isinstance(origin, dict) else None
    return thread_ts if isinstance(thread_ts, str) else None


async def _claim_empty(connection: AsyncConnection, thread: ThreadKey) -> bool:
    try:
        async with connection.begin_nested():
            await connection.execute(
                message_tickets.insert().values(
                    team_id=thread.team_id, channel_id=thread.channel_id, thread_ts=thread.thread_ts
                )
            )
    except IntegrityError:
        return False  # claimed meanwhile: its delivery is under way
    return True


async def _drop(connection: AsyncConnection, item: Any) -> None:
    await connection.execute(delete(outbox).where(outbox.c.id == item.id))
    await connection.execute(delete(message_tickets).where(message_tickets.c.outbox_id == item.id))
    origin = item.payload.get("origin") if isinstance(item.payload, dict) else None
    draft_id = origin.get("draft_id") if isinstance(origin, dict) else None
    if draft_id:  # what it was filed from goes with it
        await connection.execute(delete(drafts).where(drafts.c.id == draft_id))
