"""Tickets filed through the bot, and where each one lives in Slack."""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import asdict
from typing import Any

from sqlalchemy import ColumnElement, Select, case, func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.domain.queue_scope import QueueScope
from bot.domain.ticket import Ticket
from bot.storage.tables import tickets
from bot.tickets.ports import PolledTicket

ACTIVE_SECONDS = 1800.0
"""A ticket filed, answered or changed this recently is checked often."""
RECENTLY_CLOSED_SECONDS = 30 * 86400.0
"""A person's closed tickets stay in their App Home this long after closing."""


def new_ticket_row(record: Ticket, *, now: float) -> dict[str, Any]:
    """A ticket as first stored: active, and every agent message from now on shown in Slack."""
    return {**asdict(record), "replies_from": now, "active_until": now + ACTIVE_SECONDS}


class TicketStore:
    def __init__(self, *, engine: AsyncEngine, clock: Callable[[], float] = time.time) -> None:
        self._engine = engine
        self._clock = clock

    async def add(self, record: Ticket) -> None:
        now = self._clock()
        async with self._engine.begin() as connection:
            await connection.execute(tickets.insert().values(**new_ticket_row(record, now=now)))

    async def due_for_check(
        self,
        backend: str,
        *,
        closed: Sequence[str],
        now: float,
        active_every: float,
        idle_every: float,
        limit: int,
    ) -> list[PolledTicket]:
        """Up to ``limit`` open tickets due: active ones (see ``ACTIVE_SECONDS``) not checked for
        ``active_every`` seconds first, then idle ones not checked for ``idle_every``; the
        longest unchecked first within each. One place of a batch is kept for an idle ticket, so
        that busy tickets never starve the others of checks."""
        is_open = tickets.c.status.is_(None) | tickets.c.status.notin_(list(closed))
        active = tickets.c.active_until.is_not(None) & (tickets.c.active_until > now)
        never = tickets.c.checked_at.is_(None)
        columns = [tickets.c[name] for name in Ticket.__dataclass_fields__]

        def due(*conditions: ColumnElement[bool], count: int) -> Select[Any]:
            return (
                select(*columns, tickets.c.conversation_mark, tickets.c.replies_from)
                .where(tickets.c.backend == backend, is_open, *conditions)
                .order_by(tickets.c.checked_at.is_not(None), tickets.c.checked_at, tickets.c.id)
                .limit(count)
            )

        async with self._engine.connect() as connection:
            busy_query = due(active, never | (tickets.c.checked_at <= now - active_every), count=limit)
            busy = (await connection.execute(busy_query)).mappings().all()
            idle_query = due(~active, never | (tickets.c.checked_at <= now - idle_every), count=limit)
            idle = (await connection.execute(idle_query)).mappings().all()
        idle_places = min(len(idle), max(limit - len(busy), 1 if limit > 1 else 0))
        rows = [*busy[: limit - idle_places], *idle[:idle_places]]
        return [
            PolledTicket(
                ticket=Ticket(**{name: row[name] for name in Ticket.__dataclass_fields__}),
                conversation_mark=row["conversation_mark"],
                replies_from=row["replies_from"],
            )
            for row in rows
        ]

    async def checked(
        self, backend: str, ticket_id: str, *, now: float, mark: str | None, active: bool, replies_from: float | None
    ) -> None:
        """A check done: when, the helpdesk's mark then, and whether it showed activity."""
        values: dict[str, Any] = {"checked_at": now, "conversation_mark": mark, "replies_from": replies_from}
        if active:
            values["active_until"] = now + ACTIVE_SECONDS
        async with self._engine.begin() as connection:
            await connection.execute(
                update(tickets).where(tickets.c.backend == backend, tickets.c.ticket_id == ticket_id).values(**values)
            )

    async def set_slack_message(
        self, backend: str, ticket_id: str, *, channel_id: str, message_ts: str, thread_ts: str
    ) -> Ticket | None:
        """Where the ticket message was posted, and the thread the ticket lives in; the ticket as
        stored then, read in the same transaction (a rename may have come meanwhile)."""
        where = (tickets.c.backend == backend, tickets.c.ticket_id == ticket_id)
        async with self._engine.begin() as connection:
            await connection.execute(
                update(tickets).where(*where).values(channel_id=channel_id, message_ts=message_ts, thread_ts=thread_ts)
            )
            rows = (await connection.execute(_columns().where(*where))).mappings().all()
        return Ticket(**rows[0]) if rows else None

    async def get(self, backend: str, ticket_id: str) -> Ticket | None:
        rows = await self._select(tickets.c.backend == backend, tickets.c.ticket_id == ticket_id)
        return rows[0] if rows else None

    async def in_thread(self, channel_id: str, thread_ts: str) -> Ticket | None:
        """The ticket whose thread this is."""
        rows = await self._select(tickets.c.channel_id == channel_id, tickets.c.thread_ts == thread_ts)
        return rows[0] if rows else None

    async def set_identity(self, backend: str, ticket_id: str, *, friendly_id: str, url: str | None) -> None:
        """The name and link the helpdesk gave the ticket after creating it."""
        async with self._engine.begin() as connection:
            await connection.execute(
                update(tickets)
                .where(tickets.c.backend == backend, tickets.c.ticket_id == ticket_id)
                .values(friendly_id=friendly_id, url=url)
            )

    async def of_person(
        self, backend: str, user_id: str, *, closed: Collection[str], limit: int, offset: int = 0
    ) -> list[Ticket]:
        """The tickets a person asked for or filed: open ones newest first, then those closed in
        the last ``RECENTLY_CLOSED_SECONDS``, most recently closed first."""
        is_closed = tickets.c.status.is_not(None) & tickets.c.status.in_(list(closed))
        recent = tickets.c.status_at.is_(None) | (tickets.c.status_at >= self._clock() - RECENTLY_CLOSED_SECONDS)
        mine = (tickets.c.requester_id == user_id) | (tickets.c.reporter_id == user_id)
        query = (
            _columns()
            .where(tickets.c.backend == backend, mine, ~is_closed | recent)
            .order_by(
                case((is_closed, 1), else_=0),
                case((is_closed, tickets.c.status_at), else_=None).desc().nulls_last(),
                tickets.c.id.desc(),
            )
            .limit(limit)
            .offset(offset)
        )
        return await self._rows(query)

    async def open_tickets(
        self,
        backend: str,
        *,
        closed: Collection[str],
        status: str | None,
        default_status: str,
        limit: int,
        offset: int = 0,
        scope: QueueScope | None = None,
    ) -> list[Ticket]:
        """Open tickets, newest first; only those in ``status`` when given (a ticket whose status
        never changed counts as ``default_status``), and only in the channels ``scope`` covers."""
        current = func.coalesce(tickets.c.status, default_status)
        conditions = [tickets.c.backend == backend, current.notin_(list(closed)), *_in_scope(scope)]
        if status is not None:
            conditions.append(current == status)
        query = _columns().where(*conditions).order_by(tickets.c.id.desc()).limit(limit).offset(offset)
        return await self._rows(query)

    async def open_statuses(
        self, backend: str, *, closed: Collection[str], default_status: str, scope: QueueScope | None = None
    ) -> list[str]:
        """The statuses open tickets (in the channels ``scope`` covers) are in, for the agents' filter."""
        current = func.coalesce(tickets.c.status, default_status)
        query = (
            select(current.label("status"))
            .where(tickets.c.backend == backend, current.notin_(list(closed)), *_in_scope(scope))
            .distinct()
            .order_by(current)
        )
        async with self._engine.connect() as connection:
            return [str(row) for row in (await connection.execute(query)).scalars()]

    async def set_status(self, backend: str, ticket_id: str, status: str) -> bool:
        """False when the ticket already had this status: of several instances (or webhook
        deliveries) seeing the same change, exactly one is told it changed it."""
        async with self._engine.begin() as connection:
            result = await connection.execute(
                update(tickets)
                .where(
                    tickets.c.backend == backend,
                    tickets.c.ticket_id == ticket_id,
                    tickets.c.status.is_(None) | (tickets.c.status != status),
                )
                .values(status=status, status_at=self._clock())
            )
        return bool(result.rowcount == 1)

    async def set_assignee(self, backend: str, ticket_id: str, assignee_id: str) -> bool:
        """False when it was assigned to them already (of several deliveries, one is told)."""
        where = (tickets.c.backend == backend, tickets.c.ticket_id == ticket_id)
        differs = tickets.c.assignee_id.is_(None) | (tickets.c.assignee_id != assignee_id)
        async with self._engine.begin() as connection:
            result = await connection.execute(update(tickets).where(*where, differs).values(assignee_id=assignee_id))
        return bool(result.rowcount == 1)

    async def end_withdrawal(self, backend: str, ticket_id: str) -> None:
        """An agent acted on the ticket: "Not a ticket" no longer applies."""
        where = (tickets.c.backend == backend, tickets.c.ticket_id == ticket_id, tickets.c.withdrawable.is_(True))
        async with self._engine.begin() as connection:
            await connection.execute(update(tickets).where(*where).values(withdrawable=False))

    async def claim_triage(self, backend: str, ticket_id: str, channel_id: str) -> bool:
        """Whether this caller posts the ticket's triage message (once, whoever asks)."""
        where = (tickets.c.backend == backend, tickets.c.ticket_id == ticket_id, tickets.c.triage_channel.is_(None))
        async with self._engine.begin() as connection:
            result = await connection.execute(
                update(tickets).where(*where).values(triage_channel=channel_id, triage_claimed_at=self._clock())
            )
        return bool(result.rowcount == 1)

    async def stranded_triage(self, *, claimed_before: float, limit: int = 20) -> list[Ticket]:
        """Tickets whose triage post was claimed before then and never recorded as posted."""
        return await self._rows(
            _columns()
            .where(
                tickets.c.triage_channel.is_not(None),
                tickets.c.triage_ts.is_(None),
                tickets.c.triage_claimed_at < claimed_before,
            )
            .limit(limit)
        )

    async def take_over_triage(self, backend: str, ticket_id: str, *, claimed_before: float) -> bool:
        """A stranded triage claim (``stranded_triage``) is this caller's now; False if another took it."""
        where = (
            tickets.c.backend == backend,
            tickets.c.ticket_id == ticket_id,
            tickets.c.triage_ts.is_(None),
            tickets.c.triage_claimed_at < claimed_before,
        )
        async with self._engine.begin() as connection:
            result = await connection.execute(update(tickets).where(*where).values(triage_claimed_at=self._clock()))
        return bool(result.rowcount == 1)

    async def set_triage_message(self, backend: str, ticket_id: str, *, ts: str | None) -> None:
        """Where the triage message was posted; ``None``: it was not (the claim is released)."""
        values = {"triage_ts": ts} if ts else {"triage_channel": None, "triage_ts": None, "triage_claimed_at": None}
        async with self._engine.begin() as connection:
            await connection.execute(
                update(tickets).where(tickets.c.backend == backend, tickets.c.ticket_id == ticket_id).values(**values)
            )

    async def in_triage_thread(self, channel_id: str, thread_ts: str) -> Ticket | None:
        """The ticket whose triage message starts this thread."""
        rows = await self._select(tickets.c.triage_channel == channel_id, tickets.c.triage_ts == thread_ts)
        return rows[0] if rows else None

    async def is_ticket_thread(self, channel_id: str, thread_ts: str) -> bool:
        own = (tickets.c.channel_id == channel_id) & (tickets.c.thread_ts == thread_ts)
        triage = (tickets.c.triage_channel == channel_id) & (tickets.c.triage_ts == thread_ts)
        query = select(tickets.c.id).where(own | triage).limit(1)
        async with self._engine.connect() as connection:
            return (await connection.execute(query)).first() is not None

    async def _select(self, *conditions: ColumnElement[bool]) -> list[Ticket]:
        return await self._rows(_columns().where(*conditions))

    async def _rows(self, query: Select[Any]) -> list[Ticket]:
        async with self._engine.connect() as connection:
            rows = (await connection.execute(query)).mappings().all()
        return [Ticket(**row) for row in rows]


def _in_scope(scope: QueueScope | None) -> list[ColumnElement[bool]]:
    if scope is None:
        return []
    if scope.only is not None:
        return [tickets.c.channel_id.in_(sorted(scope.only))]
    if scope.hidden:
        return [tickets.c.channel_id.is_(None) | tickets.c.channel_id.notin_(sorted(scope.hidden))]
    return []


def _columns() -> Select[Any]:
    return select(*[tickets.c[name] for name in Ticket.__dataclass_fields__])
