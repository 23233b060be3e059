"""A request budget kept in the database, so that every instance on it counts against one limit
(Siit's 60 requests a minute is per token, not per process): a sliding window of slots, taken
under a lock on the budget's row."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.storage.tables import request_budgets, request_slots
from bot.tickets.budget import Background, background_limit


class SharedRequestBudget:
    def __init__(
        self,
        *,
        engine: AsyncEngine,
        name: str,
        limit: int,
        per_seconds: float,
        reserve: int,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._engine = engine
        self._name = name
        self._limit = limit
        self._window = per_seconds
        self._reserve = reserve
        self._clock = clock
        # One waiter of this process asks the database at a time, the others queue behind it in
        # order, so a burst waiting for slots costs one query per slot, not one per waiter.
        self._queue = asyncio.Lock()
        self._ready = False

    async def take(self) -> None:
        async with self._queue:
            while (wait := await self._try(self._limit)) > 0:  # noqa: ASYNC110 - time passing, not an event
                await asyncio.sleep(wait)

    async def try_take_background(self, work: Background) -> bool:
        if self._queue.locked():  # people are waiting for slots
            return False
        return await self._try(background_limit(limit=self._limit, reserve=self._reserve, work=work)) == 0

    async def _try(self, limit: int) -> float:
        """Take a slot if fewer than ``limit`` were taken in the window: 0; else the seconds
        until enough of them leave it."""
        await self._ensure_row()
        async with self._engine.begin() as connection:
            await self._lock(connection)
            now = self._clock()
            query = (
                select(request_slots.c.at)
                .where(request_slots.c.name == self._name, request_slots.c.at > now - self._window)
                .order_by(request_slots.c.at.desc())
                .limit(max(limit, 1))
            )
            recent = [row.at for row in (await connection.execute(query)).all()]
            if len(recent) >= limit:
                return max(0.01, recent[-1] + self._window - now) if recent else self._window
            await connection.execute(request_slots.insert().values(name=self._name, at=now))
            if int(now) % 10 == 0:  # now and then, forget slots long out of the window
                await connection.execute(
                    delete(request_slots).where(
                        request_slots.c.name == self._name, request_slots.c.at < now - 2 * self._window
                    )
                )
        return 0.0

    async def _lock(self, connection: AsyncConnection) -> None:
        if connection.dialect.name == "sqlite":
            # The write lock from the start, or two processes could both count the same window.
            await connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            await connection.execute(
                select(request_budgets.c.name).where(request_budgets.c.name == self._name).with_for_update()
            )

    async def _ensure_row(self) -> None:
        if self._ready:
            return
        async with self._engine.connect() as connection:
            count = select(func.count()).select_from(request_budgets).where(request_budgets.c.name == self._name)
            present = (await connection.execute(count)).scalar_one() > 0
        if not present:
            try:
                async with self._engine.begin() as connection:
                    await connection.execute(request_budgets.insert().values(name=self._name))
            except IntegrityError:
                pass  # another instance made it
        self._ready = True
