"""``GET /readyz``: ready when the database takes writes and the outbox is moving; 503 with the
reason otherwise (``/healthz`` only says the process is alive)."""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from bot.storage.tables import outbox, webhook_deliveries

STUCK_SECONDS = 900.0
"""A waiting item overdue by this much means no worker is delivering."""


class Readiness:
    def __init__(self, *, engine: AsyncEngine, clock: Callable[[], float] = time.time) -> None:
        self._engine = engine
        self._clock = clock

    async def problem(self) -> str | None:
        try:
            async with self._engine.connect() as connection:
                transaction = await connection.begin()
                # A write that is never kept: a read-only or vanished database fails here.
                await connection.execute(webhook_deliveries.insert().values(key="readyz-probe", received_at=0))
                await transaction.rollback()
                overdue = await connection.execute(
                    select(func.min(outbox.c.due_at)).where(outbox.c.status.in_(("pending", "filed")))
                )
                oldest = overdue.scalar()
        except Exception as exc:
            return f"database does not take writes ({type(exc).__name__})"
        if oldest is not None and self._clock() - oldest > STUCK_SECONDS:
            return f"outbox stuck: an item is overdue by {int(self._clock() - oldest)} s"
        return None

    async def handle(self, _request: Request) -> Response:
        problem = await self.problem()
        if problem:
            return JSONResponse({"status": "unavailable", "reason": problem}, status_code=503)
        return JSONResponse({"status": "ready"})
