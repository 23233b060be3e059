"""Backend writes recorded before their first attempt, until the helpdesk has them and the person
has been told.

An item moves ``pending`` (the helpdesk write is to be made) -> ``filed`` (a create was made and
recorded; its announcement in Slack is to be made) -> ``done``, or to ``failed`` (parked, listed
by ``python -m bot outbox``). Each attempt holds a lease named by a token: every write of the
attempt names the token, so an attempt whose lease was lost (it outlived it and another worker took
the item) writes nothing. ``uncertain`` marks a step that may have taken effect without our
knowing (the process died, or the answer was lost): the next attempt looks before doing it again.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, func, select, tuple_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.domain.forms import DraftToKeep
from bot.domain.thread import MessageKey, ThreadKey
from bot.domain.ticket import Ticket
from bot.storage.drafts import draft_values
from bot.storage.tables import drafts, inbox, message_tickets, outbox, synced_messages, tickets
from bot.storage.tickets import new_ticket_row

PENDING, FILED, DONE, FAILED = "pending", "filed", "done", "failed"
WAITING = (PENDING, FILED)


class _AlreadyActedOn(Exception):
    """The recorded Slack request a write settles is gone: another attempt recorded it first."""


@dataclass(frozen=True)
class OutboxStats:
    counts: dict[str, int]
    oldest_waiting_at: float | None


@dataclass(frozen=True)
class OutboxItem:
    id: int
    backend: str
    payload: dict[str, Any]
    attempts: int
    lease_token: str
    status: str = PENDING
    uncertain: bool = False
    """The previous attempt at this step may have taken effect: look before doing it again."""
    first_attempt_at: float | None = None
    result: dict[str, Any] | None = None
    """A create's answer, kept as soon as it came."""
    lease_lapsed_at: float | None = None
    """When the previous holder's lease ran out, if it neither finished nor handed the item back:
    that holder may still have a create in flight."""


@dataclass(frozen=True)
class OutboxRow:
    """An item as an admin sees it."""

    id: int
    backend: str
    status: str
    attempts: int
    last_error: str | None
    payload: dict[str, Any]


class OutboxStore:
    def __init__(self, *, engine: AsyncEngine) -> None:
        self._engine = engine

    async def add(
        self,
        backend: str,
        payload: dict[str, Any],
        *,
        now: float,
        lease_seconds: float,
        claim: ThreadKey | None = None,
        draft: DraftToKeep | None = None,
        hold_seconds: float = 0.0,
        once: MessageKey | None = None,
        settles: str | None = None,
        author_id: str | None = None,
    ) -> OutboxItem | None:
        """Record a write, leased to the caller, who attempts it at once; or, with
        ``hold_seconds``, left for a worker to take then (and withdrawable until it does). With
        ``claim``, the thread's claim commits with it or neither does: ``None`` when the thread
        is taken. With ``once``, the Slack message it carries is marked sent in the same
        transaction: ``None`` when it was already. With ``settles``, the recorded Slack request it
        answers (``bot.storage.inbox``) is forgotten in the same transaction: ``None`` when it was
        acted on already. With ``draft``, what the person typed is kept in the same transaction.
        ``author_id``: the claimed message's author, whose next messages may join it
        (``bot.storage.held_requests``)."""
        token = _token() if hold_seconds <= 0 else None
        try:
            async with self._engine.begin() as connection:
                if settles is not None:
                    settled = await connection.execute(delete(inbox).where(inbox.c.id == settles))
                    if not settled.rowcount:
                        raise _AlreadyActedOn()
                if once is not None:
                    await connection.execute(
                        synced_messages.insert().values(
                            team_id=once.team_id, channel_id=once.channel_id, message_ts=once.message_ts
                        )
                    )
                result = await connection.execute(
                    outbox.insert().values(
                        backend=backend,
                        status=PENDING,
                        payload=payload,
                        attempts=0,
                        due_at=now + (lease_seconds if token else hold_seconds),
                        lease_token=token,
                        uncertain=token is not None,
                        first_attempt_at=now if token else None,
                        reference=payload.get("reference"),
                    )
                )
                (item_id,) = result.inserted_primary_key or (0,)
                if draft is not None:
                    await connection.execute(drafts.insert().values(**draft_values(draft)))
                if claim is not None:
                    await connection.execute(
                        message_tickets.insert().values(
                            team_id=claim.team_id,
                            channel_id=claim.channel_id,
                            thread_ts=claim.thread_ts,
                            outbox_id=int(item_id),
                            author_id=author_id,
                        )
                    )
        except _AlreadyActedOn:
            return None
        except IntegrityError:
            if claim is None and once is None:
                raise
            return None
        return OutboxItem(int(item_id), backend, payload, 0, token or "", first_attempt_at=now if token else None)

    async def claim_due(self, backend: str, *, now: float, lease_seconds: float, limit: int) -> list[OutboxItem]:
        """Waiting items that are due, each leased so that no other worker (or process) takes it.
        The step each is leased for is marked uncertain from here until its outcome is known."""
        query = (
            select(outbox)
            .where(outbox.c.backend == backend, outbox.c.status.in_(WAITING), outbox.c.due_at <= now)
            .order_by(outbox.c.due_at)
            .limit(limit)
        )
        claimed: list[OutboxItem] = []
        async with self._engine.begin() as connection:
            for row in (await connection.execute(query)).all():
                token = _token()
                taken = await connection.execute(
                    update(outbox)
                    .where(outbox.c.id == row.id, outbox.c.status == row.status, outbox.c.due_at <= now)
                    .values(
                        due_at=now + lease_seconds,
                        lease_token=token,
                        uncertain=True,
                        first_attempt_at=func.coalesce(outbox.c.first_attempt_at, now),
                    )
                )
                if taken.rowcount == 1:
                    claimed.append(
                        OutboxItem(
                            id=row.id,
                            backend=backend,
                            payload=row.payload,
                            attempts=row.attempts,
                            lease_token=token,
                            status=row.status,
                            uncertain=bool(row.uncertain),
                            first_attempt_at=row.first_attempt_at if row.first_attempt_at is not None else now,
                            result=row.result,
                            lease_lapsed_at=row.due_at if row.lease_token is not None else None,
                        )
                    )
        return claimed

    async def renew(self, items: Iterable[OutboxItem], *, now: float, lease_seconds: float) -> int:
        """Extend, in one statement, the leases still held of these items; how many were."""
        return await self._set_held(items, due_at=now + lease_seconds)

    async def release(self, items: Iterable[OutboxItem], *, now: float) -> int:
        """Give up the leases still held of these items (a stopping process), due at once for
        another worker; each stays uncertain, so its step is checked before it is done again."""
        return await self._set_held(items, due_at=now, lease_token=None)

    async def keep_result(self, item: OutboxItem, result: dict[str, Any]) -> bool:
        """The helpdesk's answer, kept when it could not be recorded with the ticket, so that no
        retry files it again."""
        return await self._fenced_set(item, result=result, uncertain=False)

    async def record_filed(
        self,
        item: OutboxItem,
        record: Ticket,
        *,
        result: dict[str, Any],
        lease_until: float,
        thread: ThreadKey | None,
    ) -> bool:
        """One transaction: the ticket recorded, its thread's claim named, the item on to its
        announcement, under the same lease. False when the lease was lost."""
        async with self._engine.begin() as connection:
            moved = await connection.execute(
                _fenced(item).values(
                    status=FILED,
                    ticket_id=record.ticket_id,
                    result=result,
                    uncertain=True,  # the announcement starts now: a retry looks for its post first
                    attempts=0,
                    due_at=lease_until,
                    last_error=None,
                )
            )
            if moved.rowcount != 1:
                return False  # nothing was written
            await _record_ticket(connection, record)
            if thread is not None:
                await connection.execute(
                    update(message_tickets)
                    .where(message_tickets.c.channel_id == thread.channel_id)
                    .where(message_tickets.c.thread_ts == thread.thread_ts)
                    .values(friendly_id=record.friendly_id, url=record.url)
                )
        return True

    async def adopt(self, reference: str, result: dict[str, Any], *, now: float) -> bool:
        """The helpdesk told of a ticket it made for a create that is still waiting (its answer
        was lost): kept as that create's answer, so the next attempt records it instead of filing
        again. False when no waiting create has this reference."""
        async with self._engine.begin() as connection:
            adopted = await connection.execute(
                update(outbox)
                .where(outbox.c.reference == reference, outbox.c.status == PENDING, outbox.c.result.is_(None))
                .values(result=result, due_at=now)
            )
        return bool(adopted.rowcount == 1)

    async def made(self, item: OutboxItem, *, ticket_id: str) -> bool:
        """A write (reply, close, assignment) the helpdesk has made: only telling the person is
        left (``filed``). False when the lease was lost."""
        return await self._fenced_set(item, status=FILED, uncertain=False, ticket_id=ticket_id)

    async def done(self, item: OutboxItem, *, ticket_id: str | None = None, discard_drafts: Sequence[str] = ()) -> bool:
        """The item is done; the drafts it was filed from go in the same transaction."""
        values: dict[str, Any] = {"status": DONE, "uncertain": False, "attempts": outbox.c.attempts + 1}
        if ticket_id is not None:
            values["ticket_id"] = ticket_id
        async with self._engine.begin() as connection:
            result = await connection.execute(_fenced(item).values(**values))
            if result.rowcount == 1 and discard_drafts:
                await connection.execute(delete(drafts).where(drafts.c.id.in_(list(discard_drafts))))
        return bool(result.rowcount == 1)

    async def retry_at(self, item: OutboxItem, due_at: float, error: str, *, uncertain: bool) -> bool:
        """Handed back by its holder (the lease given up), due again at ``due_at``."""
        return await self._fenced_set(
            item,
            due_at=due_at,
            last_error=error,
            attempts=outbox.c.attempts + 1,
            uncertain=uncertain,
            lease_token=None,
        )

    async def postpone(self, item: OutboxItem, due_at: float, *, certain: bool = False) -> bool:
        """Handed back untouched, due again at ``due_at`` (no attempt counted); ``certain``: the
        step surely did nothing, so the next attempt need not look before doing it."""
        extra = {"uncertain": False} if certain else {}
        return await self._fenced_set(item, due_at=due_at, lease_token=None, **extra)

    async def park(self, item: OutboxItem, error: str) -> bool:
        """Give up: the person is told, an admin can re-queue it."""
        return await self._fenced_set(item, status=FAILED, last_error=error, attempts=outbox.c.attempts + 1)

    async def list(self, statuses: Sequence[str], *, limit: int = 100) -> list[OutboxRow]:
        query = (
            select(
                outbox.c.id, outbox.c.backend, outbox.c.status, outbox.c.attempts, outbox.c.last_error, outbox.c.payload
            )
            .where(outbox.c.status.in_(list(statuses)))
            .order_by(outbox.c.id)
            .limit(limit)
        )
        async with self._engine.connect() as connection:
            rows = (await connection.execute(query)).all()
        return [OutboxRow(r.id, r.backend, r.status, r.attempts, r.last_error, r.payload) for r in rows]

    async def requeue(self, item_ids: Sequence[int], *, now: float) -> int:
        """Parked items back in the queue, due now, with a fresh count of attempts: a ticket
        already created goes on to its announcement, never to a second create."""
        async with self._engine.begin() as connection:
            result = await connection.execute(
                update(outbox)
                .where(outbox.c.id.in_(list(item_ids)), outbox.c.status == FAILED)
                .values(status=PENDING, due_at=now, attempts=0)
            )
            await connection.execute(
                update(outbox)
                .where(outbox.c.id.in_(list(item_ids)), outbox.c.status == PENDING, outbox.c.ticket_id.is_not(None))
                .values(status=FILED)
            )
        return int(result.rowcount)

    async def stats(self) -> OutboxStats:
        """Per status, how many items, and when the oldest was first recorded (for metrics)."""
        query = select(outbox.c.status, func.count(), func.min(outbox.c.created_at)).group_by(outbox.c.status)
        async with self._engine.connect() as connection:
            rows = (await connection.execute(query)).all()
        counts = {str(r[0]): int(r[1]) for r in rows}
        oldest = [_epoch(r[2]) for r in rows if r[0] in WAITING and r[2] is not None]
        return OutboxStats(counts=counts, oldest_waiting_at=min(oldest) if oldest else None)

    async def count(self, status: str) -> int:
        async with self._engine.connect() as connection:
            query = select(func.count()).select_from(outbox).where(outbox.c.status == status)
            return int((await connection.execute(query)).scalar_one())

    async def _set_held(self, items: Iterable[OutboxItem], **values: Any) -> int:
        """One statement over the items whose leases are still held (by their tokens)."""
        held = [(item.id, item.lease_token) for item in items]
        if not held:
            return 0
        async with self._engine.begin() as connection:
            result = await connection.execute(
                update(outbox)
                .where(tuple_(outbox.c.id, outbox.c.lease_token).in_(held), outbox.c.status.in_(WAITING))
                .values(**values)
            )
        return int(result.rowcount)

    async def _fenced_set(self, item: OutboxItem, **values: Any) -> bool:
        async with self._engine.begin() as connection:
            result = await connection.execute(_fenced(item).values(**values))
        return bool(result.rowcount == 1)


def _fenced(item: OutboxItem) -> Any:
    return update(outbox).where(outbox.c.id == item.id, outbox.c.lease_token == item.lease_token)


async def _record_ticket(connection: AsyncConnection, record: Ticket) -> None:
    """Insert the ticket unless it is known (adopted after a lost answer, or a requeue)."""
    known = await connection.execute(
        select(tickets.c.id).where(tickets.c.backend == record.backend, tickets.c.ticket_id == record.ticket_id)
    )
    if known.first() is None:
        await connection.execute(tickets.insert().values(**new_ticket_row(record, now=time.time())))


def _epoch(moment: datetime) -> float:
    """SQLite gives the server's UTC time without a zone; PostgreSQL gives it with one."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


def _token() -> str:
    return str(uuid.uuid4())
