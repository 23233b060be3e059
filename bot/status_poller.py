"""For helpdesks without webhooks (Siit): poll open tickets' status on an interval, a small
batch at a time, so polling stays inside the helpdesk's rate limit next to ticket creation.
Instances sharing a database take turns (``PollSchedule``): together they poll one batch per
interval, continuing one round robin, as a single instance would."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

from bot.domain.filing import BackendError, BackendUnavailable
from bot.domain.ticket import Ticket
from bot.stopping import pause
from bot.storage.poll_schedule import PollSchedule
from bot.storage.tickets import TicketStore
from bot.tickets.ports import ReadsStatus, TicketBackend

log = logging.getLogger(__name__)


class StatusPoller:
    def __init__(
        self,
        *,
        backend: TicketBackend,
        reader: ReadsStatus,
        tickets: TicketStore,
        schedule: PollSchedule,
        on_change: Callable[[Ticket, str], Awaitable[bool]],
        interval_seconds: float,
        batch: int,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._backend = backend
        self._reader = reader
        self._tickets = tickets
        self._schedule = schedule
        self._on_change = on_change
        self._interval = interval_seconds
        self._batch = batch
        self._clock = clock
        self._name = f"status:{backend.name}"

    async def run(self, stop: asyncio.Event) -> None:
        """Until ``stop`` is set. Asks for the turn a few times per interval: whichever instance
        asks first once it is due takes it, so the cadence holds whatever the instances' phases."""
        while not await pause(stop, self._interval / 4):
            try:
                await self.poll_once()
            except Exception:
                log.exception("status poll failed; trying again next interval")

    async def poll_once(self) -> int | None:
        """Check one batch of open tickets if it is this instance's turn; how many changed, or
        ``None`` when it was not its turn."""
        cursor = await self._schedule.take_turn(self._name, now=self._clock(), interval_seconds=self._interval)
        if cursor is None:
            return None
        closed = tuple(self._backend.closed_statuses)
        batch = await self._tickets.open_batch(self._backend.name, closed=closed, after=cursor, limit=self._batch)
        changed = 0
        for row_id, record in batch:
            try:
                status = await self._reader.fetch_status(record.ticket_id)
            except BackendUnavailable as exc:
                log.info("status poll paused: %s", exc.reason)
                break  # out of budget or the helpdesk is down: the next turn starts here
            except BackendError as exc:
                log.info("status of %s unreadable: %s", record.ticket_id, exc.reason)
            except Exception:  # one odd ticket never stalls the others
                log.exception("status of %s could not be read", record.ticket_id)
            else:
                try:
                    if status and status != record.status and await self._on_change(record, status):
                        changed += 1
                except Exception:
                    log.exception("status change of %s could not be applied", record.ticket_id)
            cursor = row_id
        await self._schedule.advance(self._name, cursor)
        return changed
