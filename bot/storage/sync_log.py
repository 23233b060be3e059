"""What crossed between a Slack thread and its ticket, so nothing crosses twice or echoes back."""

from __future__ import annotations

import hashlib

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.storage.tables import sent_replies, synced_messages


def fingerprint(text: str) -> str:
    return hashlib.sha256(" ".join(text.split()).encode()).hexdigest()


class SyncLog:
    def __init__(self, *, engine: AsyncEngine) -> None:
        self._engine = engine

    async def claim_message(self, team_id: str, channel_id: str, message_ts: str) -> bool:
        """True once per Slack message: the one caller that may send it to the helpdesk."""
        try:
            async with self._engine.begin() as connection:
                await connection.execute(
                    synced_messages.insert().values(team_id=team_id, channel_id=channel_id, message_ts=message_ts)
                )
        except IntegrityError:
            return False
        return True

    async def remember_sent(self, backend: str, ticket_id: str, text: str) -> None:
        """A reply we sent to the helpdesk: when its webhook echoes it back, it is not reposted."""
        async with self._engine.begin() as connection:
            await connection.execute(
                sent_replies.insert().values(backend=backend, ticket_id=ticket_id, fingerprint=fingerprint(text))
            )

    async def was_sent(self, backend: str, ticket_id: str, text: str) -> bool:
        query = select(sent_replies.c.id).where(
            sent_replies.c.backend == backend,
            sent_replies.c.ticket_id == ticket_id,
            sent_replies.c.fingerprint == fingerprint(text),
        )
        async with self._engine.connect() as connection:
            return (await connection.execute(query.limit(1))).first() is not None
