"""``GET /readyz``: ready when the database takes writes, Slack accepts the bot token and the
outbox is moving; 503 with the reason otherwise (``/healthz`` only says the process is alive).

Slack is asked at most once a minute, and only a refused token makes the app unready: while
Slack cannot be reached the app still acknowledges, keeps tickets and takes webhooks, and taking
it out of rotation would lose those too."""

from __future__ import annotations

import time
from collections.abc import Callable

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from bot.storage.tables import outbox, webhook_deliveries

STUCK_SECONDS = 900.0
"""A waiting item overdue by this much means no worker is delivering."""
SLACK_CHECK_SECONDS = 60.0


class SlackAuth:
    def __init__(self, *, client: AsyncWebClient, clock: Callable[[], float] = time.monotonic) -> None:
        self._client = client
        self._clock = clock
        self._checked_at = float("-inf")
        self._problem: str | None = None

    async def problem(self) -> str | None:
        if self._clock() - self._checked_at >= SLACK_CHECK_SECONDS:
            self._checked_at = self._clock()
            try:
                await self._client.auth_test()
                self._problem = None
            except SlackApiError as exc:
                self._problem = f"Slack refused the bot token: {exc.response.get('error', exc.response.status_code)}"
            except Exception:  # unreachable: not a reason to leave rotation (see above)
                self._problem = None
        return self._problem


class Readiness:
    def __init__(
        self, *, engine: AsyncEngine, slack: SlackAuth | None = None, clock: Callable[[], float] = time.time
    ) -> None:
        self._engine = engine
        self._slack = slack
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
        return await self._slack.problem() if self._slack else None

    async def handle(self, _request: Request) -> Response:
        problem = await self.problem()
        if problem:
            return JSONResponse({"status": "unavailable", "reason": problem}, status_code=503)
        return JSONResponse({"status": "ready"})
