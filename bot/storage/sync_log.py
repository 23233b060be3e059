"""What crossed between a Slack thread and its ticket, so nothing crosses twice or echoes back:
Slack messages sent to the helpdesk (once each), helpdesk messages shown in Slack (once each),
our replies (so a webhook or a conversation read echoing one back is not reposted: matched once,
within ``ECHO_SECONDS``), and webhook deliveries (a replay within ``DELIVERY_SECONDS`` is not
acted on again)."""

from __future__ import annotations

import hashlib
import random
import time
from collections.abc import Callable

from sqlalchemy import Insert, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.storage.tables import helpdesk_messages, sent_replies, webhook_deliveries

ECHO_SECONDS = 3600.0
DELIVERY_SECONDS = 86400.0


def fingerprint(text: str) -> str:
    return hashlib.sha256(" ".join(text.split()).encode()).hexdigest()


class SyncLog:
    def __init__(self, *, engine: AsyncEngine, clock: Callable[[], float] = time.time) -> None:
        self._engine = engine
        self._clock = clock

    async def _insert_once(self, statement: Insert) -> bool:
        """True for the one caller whose row went in; False where a unique key already had it."""
        try:
            async with self._engine.begin() as connection:
                await connection.execute(statement)
        except IntegrityError:
            return False
        return True

    async def remember_sent(self, backend: str, ticket_id: str, text: str) -> None:
        """A reply we sent to the helpdesk: when its webhook echoes it back, it is not reposted."""
        now = self._clock()
        async with self._engine.begin() as connection:
            await connection.execute(
                sent_replies.insert().values(
                    backend=backend, ticket_id=ticket_id, fingerprint=fingerprint(text), sent_at=now
                )
            )
            if random.random() < 0.05:  # now and then, forget what no echo can match any more
                await connection.execute(
                    delete(sent_replies).where(
                        sent_replies.c.sent_at.is_(None) | (sent_replies.c.sent_at < now - ECHO_SECONDS)
                    )
                )

    async def was_sent(self, backend: str, ticket_id: str, text: str) -> bool:
        """True once per reply we sent, for its echo within ``ECHO_SECONDS``: a later agent
        message with the same words is the agent's, and is shown."""
        query = (
            select(sent_replies.c.id)
            .where(
                sent_replies.c.backend == backend,
                sent_replies.c.ticket_id == ticket_id,
                sent_replies.c.fingerprint == fingerprint(text),
                sent_replies.c.sent_at >= self._clock() - ECHO_SECONDS,
            )
            .limit(1)
        )
        async with self._engine.begin() as connection:
            row = (await connection.execute(query)).first()
            if row is None:
                return False
            consumed = await connection.execute(delete(sent_replies).where(sent_replies.c.id == row.id))
        return bool(consumed.rowcount == 1)

    async def claim_helpdesk_message(self, backend: str, ticket_id: str, message_uid: str) -> bool:
        """True once per helpdesk message, across instances and restarts."""
        return await self._insert_once(
            helpdesk_messages.insert().values(backend=backend, ticket_id=ticket_id, message_uid=message_uid)
        )

    async def release_helpdesk_message(self, backend: str, ticket_id: str, message_uid: str) -> None:
        async with self._engine.begin() as connection:
            await connection.execute(
                delete(helpdesk_messages).where(
                    helpdesk_messages.c.backend == backend,
                    helpdesk_messages.c.ticket_id == ticket_id,
                    helpdesk_messages.c.message_uid == message_uid,
                )
            )

    async def first_delivery(self, key: str) -> bool:
        """True the first time a webhook delivery with this identity is seen in the window."""
        now = self._clock()
        if not await self._insert_once(webhook_deliveries.insert().values(key=key, received_at=now)):
            return False
        if random.random() < 0.02:
            async with self._engine.begin() as connection:
                await connection.execute(
                    delete(webhook_deliveries).where(webhook_deliveries.c.received_at < now - DELIVERY_SECONDS)
                )
        return True

    async def forget_delivery(self, key: str) -> None:
        """A delivery that could not be acted on: its retry is welcome."""
        async with self._engine.begin() as connection:
            await connection.execute(delete(webhook_deliveries).where(webhook_deliveries.c.key == key))
