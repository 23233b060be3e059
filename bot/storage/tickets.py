"""Tickets filed through the bot, and where each one lives in Slack."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.storage.tables import tickets


@dataclass(frozen=True)
class TicketRecord:
    backend: str
    ticket_id: str
    friendly_id: str
    url: str | None
    title: str
    form_name: str
    status: str | None
    team_id: str
    channel_id: str | None
    message_ts: str | None
    thread_ts: str | None
    requester_id: str
    reporter_id: str


class TicketStore:
    def __init__(self, *, engine: AsyncEngine) -> None:
        self._engine = engine

    async def add(self, record: TicketRecord) -> None:
        async with self._engine.begin() as connection:
            await connection.execute(tickets.insert().values(**asdict(record)))

    async def set_slack_message(
        self, backend: str, ticket_id: str, *, channel_id: str, message_ts: str, thread_ts: str
    ) -> None:
        """Where the ticket message was posted, and the thread the ticket lives in."""
        async with self._engine.begin() as connection:
            await connection.execute(
                update(tickets)
                .where(tickets.c.backend == backend, tickets.c.ticket_id == ticket_id)
                .values(channel_id=channel_id, message_ts=message_ts, thread_ts=thread_ts)
            )

    async def get(self, backend: str, ticket_id: str) -> TicketRecord | None:
        query = select(*[tickets.c[name] for name in TicketRecord.__dataclass_fields__]).where(
            tickets.c.backend == backend, tickets.c.ticket_id == ticket_id
        )
        async with self._engine.connect() as connection:
            row = (await connection.execute(query)).mappings().first()
        return TicketRecord(**row) if row else None
