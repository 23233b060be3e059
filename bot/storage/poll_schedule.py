"""Turns of a background poll, shared by every instance on the database: one instance polls per
interval, and each turn continues the round robin where the previous one stopped."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.storage.tables import poll_schedule


class PollSchedule:
    def __init__(self, *, engine: AsyncEngine) -> None:
        self._engine = engine

    async def take_turn(self, name: str, *, now: float, interval_seconds: float) -> int | None:
        """The cursor to continue from when this caller has the turn (due at ``now``), else
        ``None``; the next turn is then due ``interval_seconds`` later, whoever takes it."""
        query = select(poll_schedule.c.next_at, poll_schedule.c.cursor).where(poll_schedule.c.name == name)
        async with self._engine.begin() as connection:
            row = (await connection.execute(query)).first()
            if row is not None:
                if row.next_at > now:
                    return None
                taken = await connection.execute(
                    update(poll_schedule)
                    .where(poll_schedule.c.name == name, poll_schedule.c.next_at == row.next_at)
                    .values(next_at=now + interval_seconds)
                )
                return int(row.cursor) if taken.rowcount == 1 else None
        try:
            async with self._engine.begin() as connection:
                await connection.execute(
                    poll_schedule.insert().values(name=name, next_at=now + interval_seconds, cursor=0)
                )
        except IntegrityError:  # another instance took the first turn
            return None
        return 0

    async def advance(self, name: str, cursor: int) -> None:
        """Where the turn stopped; the next turn continues after it."""
        async with self._engine.begin() as connection:
            await connection.execute(update(poll_schedule).where(poll_schedule.c.name == name).values(cursor=cursor))
