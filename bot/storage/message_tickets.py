"""One ticket per Slack thread: a claim on the thread, taken by a unique key in the database
together with the delivery that files it (``OutboxStore.add``), so retries, duplicates, races and
other processes all lose to the first claim, and no claim is left without its delivery.

A thread is named by channel ID + thread ts alone: a channel ID is the same in every workspace
that shares the channel (Slack Connect, Enterprise Grid), so the team never splits a thread."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, delete, exists, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.domain.thread import ThreadKey, ThreadTicket
from bot.storage.tables import message_tickets, outbox


class MessageTicketStore:
    def __init__(self, *, engine: AsyncEngine) -> None:
        self._engine = engine

    async def release(self, key: ThreadKey) -> None:
        """Give the thread back when its ticket was refused, so it can be filed again."""
        async with self._engine.begin() as connection:
            await connection.execute(message_tickets.delete().where(*_matches(key)))

    async def filed(self, key: ThreadKey, *, friendly_id: str, url: str | None) -> None:
        async with self._engine.begin() as connection:
            await connection.execute(
                update(message_tickets).where(*_matches(key)).values(friendly_id=friendly_id, url=url)
            )

    async def release_stranded(self) -> list[ThreadKey]:
        """Claims with no ticket and no delivery that could still file one (made before claims
        and deliveries committed together, or whose delivery was parked): released, so that the
        thread can be filed again. Returns what was released."""
        live = exists().where(
            and_(outbox.c.id == message_tickets.c.outbox_id, outbox.c.status.in_(("pending", "filed", "done")))
        )
        stranded = and_(message_tickets.c.friendly_id.is_(None), ~live)
        columns = (
            message_tickets.c.id,
            message_tickets.c.team_id,
            message_tickets.c.channel_id,
            message_tickets.c.thread_ts,
        )
        async with self._engine.begin() as connection:
            rows = (await connection.execute(select(*columns).where(stranded))).all()
            if rows:
                await connection.execute(delete(message_tickets).where(message_tickets.c.id.in_([r.id for r in rows])))
        return [ThreadKey(r.team_id, r.channel_id, r.thread_ts) for r in rows]

    async def get(self, key: ThreadKey) -> ThreadTicket | None:
        query = select(message_tickets.c.friendly_id, message_tickets.c.url).where(*_matches(key))
        async with self._engine.connect() as connection:
            row = (await connection.execute(query)).first()
        return ThreadTicket(row.friendly_id, row.url) if row else None


def _matches(key: ThreadKey) -> tuple[ColumnElement[bool], ...]:
    return (message_tickets.c.channel_id == key.channel_id, message_tickets.c.thread_ts == key.thread_ts)
