"""Slack's requests recorded before they are acknowledged (``bot.slack.recording.inbox``), until acted on.

Recording is a group commit: every request that arrives while a commit is under way waits for the
next one, which records them all, so a burst of acks costs a few commits, not one each."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.storage.database import OneWriterEngine
from bot.storage.tables import inbox


class InboxStore:
    def __init__(
        self,
        *,
        engine: AsyncEngine,
        lease_seconds: float = 60.0,
        clock: Callable[[], float] = time.time,
        on_commit: Callable[[int], None] = lambda _recorded: None,
    ) -> None:
        """``on_commit``: told after each group commit how many requests it recorded."""
        self._on_commit = on_commit
        self._engine = engine
        self._lease = lease_seconds
        self._clock = clock
        self._waiting: list[tuple[dict[str, Any], asyncio.Future[None]]] = []
        self._committing: asyncio.Task[None] | None = None

    async def record(self, body: dict[str, Any]) -> str:
        """The request's id once it is committed (raises when the database cannot take it)."""
        entry_id = uuid.uuid4().hex
        done = asyncio.get_running_loop().create_future()
        self._waiting.append(({"id": entry_id, "body": body}, done))
        if self._committing is None or self._committing.done():
            self._committing = asyncio.create_task(self._commit_waiting())
        await asyncio.shield(done)  # a caller that gives up does not cancel the others' commit
        return entry_id

    async def _commit_waiting(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting, []
            now = self._clock()
            rows = [{**row, "received_at": now, "due_at": now + self._lease, "attempts": 0} for row, _ in batch]
            try:
                await self._insert(rows)
                self._on_commit(len(batch))
            except Exception as exc:
                for _, done in batch:
                    if not done.done():
                        done.set_exception(exc)
            else:
                for _, done in batch:
                    if not done.done():
                        done.set_result(None)

    async def _insert(self, rows: list[dict[str, Any]]) -> None:
        if isinstance(self._engine, OneWriterEngine):  # SQLite: before the writes waiting their turn
            async with self._engine.begin_first() as connection:
                await connection.execute(inbox.insert().values(rows))
            return
        # One statement, so one round trip: atomic on its own, with no BEGIN or COMMIT.
        async with self._engine.connect() as connection:
            autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
            await autocommit.execute(inbox.insert().values(rows))

    async def settle(self, entry_id: str) -> bool:
        """The request was acted on (or there was nothing to do): forgotten. False if it was already."""
        async with self._engine.begin() as connection:
            result = await connection.execute(delete(inbox).where(inbox.c.id == entry_id))
        return bool(result.rowcount)

    async def take_due(
        self, *, limit: int = 20, leased_before: float | None = None
    ) -> list[tuple[str, dict[str, Any], int]]:
        """Requests whose listener's lease ran out (or, with ``leased_before``, every request
        leased before then: at start, those of a process that is gone), each leased anew to the
        caller: ``(id, body, attempts before this one)``. Another process taking the same one at the
        same moment loses it."""
        now = self._clock()
        due = inbox.c.due_at <= now
        if leased_before is not None:
            due = due | (inbox.c.due_at < leased_before + self._lease)
        async with self._engine.begin() as connection:
            rows = (
                await connection.execute(
                    select(inbox.c.id, inbox.c.body, inbox.c.attempts, inbox.c.due_at)
                    .where(due)
                    .order_by(inbox.c.received_at)
                    .limit(limit)
                )
            ).all()
            taken = []
            for row in rows:
                claimed = await connection.execute(
                    update(inbox)
                    .where(inbox.c.id == row.id, inbox.c.due_at == row.due_at)
                    .values(due_at=now + self._lease, attempts=row.attempts + 1)
                )
                if claimed.rowcount:
                    taken.append((str(row.id), dict(row.body), int(row.attempts)))
        return taken

    async def waiting(self) -> int:
        """Requests recorded and not yet acted on."""
        async with self._engine.connect() as connection:
            return int((await connection.execute(select(func.count()).select_from(inbox))).scalar_one())
