"""Backend writes recorded before their first attempt, until the helpdesk has them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.storage.tables import outbox

PENDING, DONE, FAILED = "pending", "done", "failed"


@dataclass(frozen=True)
class OutboxItem:
    id: int
    backend: str
    payload: dict[str, Any]
    attempts: int


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

    async def add(self, backend: str, payload: dict[str, Any], *, now: float, lease_seconds: float) -> OutboxItem:
        """Record a write, leased to the caller, who attempts it at once."""
        async with self._engine.begin() as connection:
            result = await connection.execute(
                outbox.insert().values(
                    backend=backend, status=PENDING, payload=payload, attempts=0, due_at=now + lease_seconds
                )
            )
        (item_id,) = result.inserted_primary_key or (0,)
        return OutboxItem(id=int(item_id), backend=backend, payload=payload, attempts=0)

    async def claim_due(self, backend: str, *, now: float, lease_seconds: float, limit: int) -> list[OutboxItem]:
        """Pending items that are due, each leased so that no other worker (or process) takes it."""
        query = (
            select(outbox.c.id, outbox.c.payload, outbox.c.attempts)
            .where(outbox.c.backend == backend, outbox.c.status == PENDING, outbox.c.due_at <= now)
            .order_by(outbox.c.due_at)
            .limit(limit)
        )
        claimed: list[OutboxItem] = []
        async with self._engine.begin() as connection:
            for row in (await connection.execute(query)).all():
                taken = await connection.execute(
                    update(outbox)
                    .where(outbox.c.id == row.id, outbox.c.status == PENDING, outbox.c.due_at <= now)
                    .values(due_at=now + lease_seconds)
                )
                if taken.rowcount == 1:
                    claimed.append(OutboxItem(row.id, backend, row.payload, row.attempts))
        return claimed

    async def done(self, item_id: int, *, ticket_id: str) -> None:
        await self._set(item_id, status=DONE, ticket_id=ticket_id, attempts=outbox.c.attempts + 1)

    async def retry_at(self, item_id: int, due_at: float, error: str) -> None:
        await self._set(item_id, due_at=due_at, last_error=error, attempts=outbox.c.attempts + 1)

    async def park(self, item_id: int, error: str) -> None:
        """Give up: the person is told, an admin can re-queue it."""
        await self._set(item_id, status=FAILED, last_error=error, attempts=outbox.c.attempts + 1)

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
        """Parked items back in the queue, due now, with a fresh count of attempts."""
        async with self._engine.begin() as connection:
            result = await connection.execute(
                update(outbox)
                .where(outbox.c.id.in_(list(item_ids)), outbox.c.status == FAILED)
                .values(status=PENDING, due_at=now, attempts=0)
            )
        return int(result.rowcount)

    async def count(self, status: str) -> int:
        async with self._engine.connect() as connection:
            query = select(func.count()).select_from(outbox).where(outbox.c.status == status)
            return int((await connection.execute(query)).scalar_one())

    async def _set(self, item_id: int, **values: Any) -> None:
        async with self._engine.begin() as connection:
            await connection.execute(update(outbox).where(outbox.c.id == item_id).values(**values))
