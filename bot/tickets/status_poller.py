"""For helpdesks without webhooks (Siit): poll open tickets on an interval, a small batch at a
time, inside the helpdesk's rate limit next to ticket creation. Each check reads the ticket's
status and, when the helpdesk can tell its conversation (``ReadsConversation``) and the ticket's
last-change mark moved (or the conversation was last read long ago), its messages, so that agent
replies reach the Slack thread.

Tickets with recent activity are checked every ``active_seconds``, idle ones every
``idle_seconds``; the longest unchecked go first. Instances sharing a database take turns
(``PollTurns``): together they check one batch per interval, as a single instance would."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

from bot.domain.filing import BackendError, BackendUnavailable
from bot.domain.ticket import Ticket
from bot.stopping import pause
from bot.tickets.conversation import ConversationReader
from bot.tickets.ports import PolledTicket, PolledTickets, PollTurns, ReadsStatus, TicketBackend

log = logging.getLogger(__name__)

RECHECK_MESSAGES_SECONDS = 1800.0
"""A conversation is read at least this often even when the ticket's mark did not move (in case
the helpdesk does not move it for every message)."""


class StatusPoller:
    def __init__(
        self,
        *,
        backend: TicketBackend,
        reader: ReadsStatus,
        tickets: PolledTickets,
        schedule: PollTurns,
        on_change: Callable[[Ticket, str], Awaitable[bool]],
        interval_seconds: float,
        batch: int,
        conversation: ConversationReader | None = None,
        active_seconds: float = 30.0,
        idle_seconds: float = 600.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._backend = backend
        self._reader = reader
        self._tickets = tickets
        self._schedule = schedule
        self._on_change = on_change
        self._interval = interval_seconds
        self._batch = batch
        self._conversation = conversation
        self._active_every = active_seconds
        self._idle_every = idle_seconds
        self._clock = clock
        self._name = f"status:{backend.name}"
        self._messages_read_at: dict[str, float] = {}

    async def run(self, stop: asyncio.Event) -> None:
        """Until ``stop`` is set. Asks for the turn a few times per interval: whichever instance
        asks first once it is due takes it, so the cadence holds whatever the instances' phases."""
        while not await pause(stop, self._interval / 4):
            try:
                await self.poll_once()
            except Exception:
                log.exception("status poll failed; trying again next interval")

    async def poll_once(self) -> int | None:
        """Check one batch of due tickets if it is this instance's turn; how many changed (a new
        status or agent message shown), or ``None`` when it was not its turn."""
        now = self._clock()
        if not await self._schedule.take_turn(self._name, now=now, interval_seconds=self._interval):
            return None
        batch = await self._tickets.due_for_check(
            self._backend.name,
            closed=tuple(self._backend.closed_statuses),
            now=now,
            active_every=self._active_every,
            idle_every=self._idle_every,
            limit=self._batch,
        )
        changed = 0
        for polled in batch:
            try:
                changed += await self._check(polled, now)
            except BackendUnavailable as exc:
                log.info("status poll paused: %s", exc.reason)
                break  # out of budget or the helpdesk is down: the next turn goes on
            except BackendError as exc:
                log.info("status of %s unreadable: %s", polled.ticket.ticket_id, exc.reason)
            except Exception:  # one odd ticket never stalls the others
                log.exception("status of %s could not be read", polled.ticket.ticket_id)
        return changed

    async def _check(self, polled: PolledTicket, now: float) -> int:
        record = polled.ticket
        state = await self._reader.fetch_state(record.ticket_id)
        changed = 0
        try:
            if state.status and state.status != record.status and await self._on_change(record, state.status):
                changed += 1
        except Exception:
            log.exception("status change of %s could not be applied", record.ticket_id)
        replies_from = polled.replies_from
        mark = state.changed_at
        if self._conversation is not None:
            # Until the ticket message is posted there is no thread to show a reply in: the
            # conversation waits (its mark kept) for the check after.
            if record.channel_id and record.thread_ts and self._conversation_due(polled, state.changed_at, now):
                changed += await self._conversation.read(record, baseline=replies_from is None)
                self._messages_read_at[record.ticket_id] = now
                replies_from = replies_from if replies_from is not None else now
            else:
                mark = polled.conversation_mark
        if state.status in self._backend.closed_statuses:
            self._messages_read_at.pop(record.ticket_id, None)  # not polled any more
        await self._tickets.checked(
            self._backend.name,
            record.ticket_id,
            now=now,
            mark=mark,
            # A first reading sets the mark; only a move after it is activity.
            active=changed > 0
            or (polled.conversation_mark is not None and state.changed_at != polled.conversation_mark),
            replies_from=replies_from,
        )
        return changed

    def _conversation_due(self, polled: PolledTicket, mark: str | None, now: float) -> bool:
        if mark is None or mark != polled.conversation_mark or polled.replies_from is None:
            return True
        last = self._messages_read_at.get(polled.ticket.ticket_id)
        return last is None or now - last >= RECHECK_MESSAGES_SECONDS
