"""One ticket per Slack thread: a claim on the thread, taken by a unique key in the database
before anything is filed, so retries, duplicates, races and other processes all lose to the
first claim."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.storage.tables import message_tickets


@dataclass(frozen=True)
class ThreadKey:
    team_id: str
    channel_id: str
    thread_ts: str
    """The thread's root message: a message that is not in a thread is its own root."""


@dataclass(frozen=True)
class ThreadTicket:
    friendly_id: str | None
    """``None`` while the claimed ticket is still being filed."""
    url: str | None


class MessageTicketStore:
    def __init__(self, *, engine: AsyncEngine) -> None:
        self._engine = engine

    async def claim(self, key: ThreadKey) -> bool:
        """True for the one caller that gets the thread; everyone else gets False."""
        try:
            async with self._engine.begin() as connection:
                await connection.execute(
                    message_tickets.insert().values(
                        team_id=key.team_id, channel_id=key.channel_id, thread_ts=key.thread_ts
                    )
                )
        except IntegrityError:
            return False
        return True

    async def release(self, key: ThreadKey) -> None:
        """Give the thread back when its ticket was refused, so it can be filed again."""
        async with self._engine.begin() as connection:
            await connection.execute(message_tickets.delete().where(*_matches(key)))

    async def filed(self, key: ThreadKey, *, friendly_id: str, url: str | None) -> None:
        async with self._engine.begin() as connection:
            await connection.execute(
                update(message_tickets).where(*_matches(key)).values(friendly_id=friendly_id, url=url)
            )

    async def get(self, key: ThreadKey) -> ThreadTicket | None:
        query = select(message_tickets.c.friendly_id, message_tickets.c.url).where(*_matches(key))
        async with self._engine.connect() as connection:
            row = (await connection.execute(query)).first()
        return ThreadTicket(row.friendly_id, row.url) if row else None


def _matches(key: ThreadKey) -> tuple[ColumnElement[bool], ...]:
    return (
        message_tickets.c.team_id == key.team_id,
        message_tickets.c.channel_id == key.channel_id,
        message_tickets.c.thread_ts == key.thread_ts,
    )
