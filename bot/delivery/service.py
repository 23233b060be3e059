"""Filing tickets through the outbox: every create is recorded before its first attempt, a
helpdesk that is down or rate limiting only delays it, and a worker delivers what is due.

Exactly once, and the window that remains. An item is committed (and leased to the attempt)
before the helpdesk is called and marked done in the next statement after it answers, so a
restart resumes every item that was not filed, and a lease keeps other workers and processes
off an item while one attempt runs. What cannot be closed from our side: a process that dies
after the helpdesk created the ticket and before that one UPDATE commits leaves the item
pending, and once its lease expires it is filed again. Neither Siit nor Suptask takes an
idempotency key or lets us search for the request we may have created, so the window is made
as small as it can be (one local write, milliseconds) and bounded: only items whose attempt was
under way at the moment of the crash are affected, never the queue behind them.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable
from typing import Protocol

from bot.backends.base import BackendError, BackendUnavailable, Reply
from bot.catalog import FormCatalog
from bot.delivery.request import CloseRequest, ReplyRequest, TicketRequest, Write, write_from_payload
from bot.storage.outbox import OutboxItem, OutboxStore
from bot.storage.tickets import TicketRecord
from bot.tickets import TicketDesk

log = logging.getLogger(__name__)


class DeliveryListener(Protocol):
    """Tells the person how their ticket, reply or close stands."""

    async def filed(self, request: TicketRequest, record: TicketRecord) -> None: ...

    async def replied(self, request: ReplyRequest) -> None: ...

    async def closed(self, request: CloseRequest) -> None: ...

    async def delayed(self, request: Write, error: BackendUnavailable) -> None:
        """First failed attempt: the write is saved and will be delivered automatically."""

    async def refused(self, request: Write, error: BackendError) -> None: ...

    async def gave_up(self, request: Write, error: BackendError) -> None:
        """Parked after the last attempt."""


class TicketDelivery:
    def __init__(
        self,
        *,
        desk: TicketDesk,
        catalog: FormCatalog,
        outbox: OutboxStore,
        listener: DeliveryListener,
        max_attempts: int = 8,
        first_delay_seconds: float = 5.0,
        max_delay_seconds: float = 900.0,
        poll_seconds: float = 1.0,
        lease_seconds: float = 120.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._desk = desk
        self._catalog = catalog
        self._outbox = outbox
        self._listener = listener
        self._max_attempts = max_attempts
        self._first_delay = first_delay_seconds
        self._max_delay = max_delay_seconds
        self._poll = poll_seconds
        self._lease = lease_seconds
        self._clock = clock
        self._paused_until = 0.0

    @property
    def backend(self) -> str:
        return self._desk.backend.name

    async def submit(self, request: Write) -> None:
        """Record the write, then try it at once (the lease keeps the worker off it meanwhile)."""
        item = await self._outbox.add(self.backend, request.to_payload(), now=self._clock(), lease_seconds=self._lease)
        await self._attempt(item, request)

    async def run_worker(self) -> None:
        """Deliver due items until cancelled; a rate limit pauses the whole backend queue."""
        while True:
            await asyncio.sleep(self._poll)
            try:
                await self.deliver_due()
            except Exception:
                log.exception("outbox worker pass failed; retrying on the next pass")

    async def deliver_due(self) -> None:
        now = self._clock()
        if now < self._paused_until:
            return
        items = await self._outbox.claim_due(self.backend, now=now, lease_seconds=self._lease, limit=20)
        for item in items:
            if self._clock() < self._paused_until:
                await self._outbox.retry_at(item.id, self._paused_until, "waiting for the rate limit")
                continue
            await self._attempt(item, write_from_payload(item.payload))

    async def _attempt(self, item: OutboxItem, request: Write) -> None:
        try:
            done = await self._deliver(request)
        except BackendUnavailable as exc:
            await self._delay(item, request, exc)
        except BackendError as exc:
            await self._outbox.park(item.id, exc.reason)
            await self._tell(self._listener.refused(request, exc))
        else:
            if isinstance(request, TicketRequest):
                assert done is not None  # a create returns its record
                await self._outbox.done(item.id, ticket_id=done.ticket_id)
                await self._tell(self._listener.filed(request, done))
                return
            await self._outbox.done(item.id, ticket_id=request.ticket_id)
            if isinstance(request, ReplyRequest):
                await self._tell(self._listener.replied(request))
            else:
                await self._tell(self._listener.closed(request))

    async def _deliver(self, request: Write) -> TicketRecord | None:
        """The helpdesk call; the new ticket's record for a create."""
        backend = self._desk.backend
        if isinstance(request, ReplyRequest):
            await backend.add_reply(request.ticket_id, Reply(request.text, request.author, request.internal))
            return None
        if isinstance(request, CloseRequest):
            await backend.set_status(request.ticket_id, "closed")
            return None
        form = await self._catalog.get(request.form_id)
        return await self._desk.file(request.new_ticket(form))

    async def _delay(self, item: OutboxItem, request: Write, exc: BackendUnavailable) -> None:
        attempts = item.attempts + 1
        if attempts >= self._max_attempts:
            log.warning("outbox item %d parked after %d attempts: %s", item.id, attempts, exc.reason)
            await self._outbox.park(item.id, exc.reason)
            await self._tell(self._listener.gave_up(request, exc))
            return
        backoff = min(self._max_delay, self._first_delay * 2 ** (attempts - 1)) * (0.8 + random.random() * 0.4)
        due = self._clock() + max(backoff, exc.retry_after or 0.0)
        if exc.retry_after:
            self._paused_until = max(self._paused_until, self._clock() + exc.retry_after)
        log.info("outbox item %d: %s; attempt %d, next in %.1fs", item.id, exc.reason, attempts, due - self._clock())
        await self._outbox.retry_at(item.id, due, exc.reason)
        if item.attempts == 0:
            await self._tell(self._listener.delayed(request, exc))

    async def _tell(self, notice: Awaitable[None]) -> None:
        try:
            await notice
        except Exception:
            log.exception("could not tell the person how their ticket stands")
