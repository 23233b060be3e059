"""Turns of a background poll, shared by every instance on the database: one instance polls per
interval. (The table's ``cursor`` column is no longer used: what to poll next is kept per
ticket, ``TicketStore.due_for_check``.)"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.storage.tables import poll_schedule


class PollSchedule:
    def __init__(self, *, engine: AsyncEngine) -> None:
        self._engine = engine

    async def take_turn(self, name: str, *, now: float, interval_seconds: float) -> bool:
        """Whether this caller has the turn (due at ``now``); the next turn is then due
        ``interval_seconds`` later, whoever takes it."""
        query = select(poll_schedule.c.next_at).where(poll_schedule.c.name == name)
        async with self._engine.begin() as connection:
            row = (await connection.execute(query)).first()
            if row is not None:
                if row.next_at > now:
                    return False
                taken = await connection.execute(
                    update(poll_schedule)
                    .where(poll_schedule.c.name == name, poll_schedule.c.next_at == row.next_at)
                    .values(next_at=now + interval_seconds)
                )
                return bool(taken.rowcount == 1)
        try:
            async with self._engine.begin() as connection:
                await connection.execute(
                    poll_schedule.insert().values(name=name, next_at=now + interval_seconds, cursor=0)
                )
        except IntegrityError:  # another instance took the first turn
            return False
        return True
