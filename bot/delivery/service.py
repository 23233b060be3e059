"""Filing tickets through the outbox: every write is recorded before its first attempt (a
ticket made from a message together with the thread's claim), a helpdesk that is down or rate
limiting only delays it, and a worker delivers what is due.

Exactly once. A create goes through two steps, each under a lease that is renewed while the
attempt runs and named in every write the attempt makes (``bot.storage.outbox``):
1. *file*: the helpdesk call, then, in one transaction, the ticket recorded, the thread's claim
   named and the item moved on. A step that may have taken effect without our knowing (the
   process died, the answer was lost) is marked uncertain; the next attempt asks the helpdesk
   whether the ticket exists (``FindsCreatedTickets``) before filing again.
2. *announce*: the ticket message in Slack, the modal, the reaction; the listener looks for a
   post of an uncertain earlier attempt before posting again.
Every failure is classified (``bot.delivery.failures``): what may pass is retried with backoff up
to ``max_attempts``, the rest is parked with its reason and the person told once.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import asdict, replace
from typing import Any, Protocol

from bot.delivery.failures import NotYet, TransientFailure, is_transient
from bot.delivery.joined import with_detail, with_first_text, without
from bot.delivery.recorded import RecordedRequest
from bot.delivery.request import (
    AssignRequest,
    CloseRequest,
    ReplyRequest,
    SlackOrigin,
    TicketRequest,
    TicketWrite,
    Write,
    write_from_payload,
)
from bot.domain.events import TicketNotFiled
from bot.domain.filing import CREATE_GUARD, BackendError, BackendUnavailable, CreatedTicket, NewTicket, Person
from bot.domain.forms import DraftToKeep
from bot.domain.thread import MessageKey, ThreadKey
from bot.domain.ticket import Ticket
from bot.stopping import pause
from bot.storage.held_requests import HeldRequests
from bot.storage.message_tickets import MessageTicketStore
from bot.storage.outbox import FILED, OutboxItem, OutboxStore
from bot.tickets.catalog import FormCatalog
from bot.tickets.desk import TicketDesk
from bot.tickets.events import EventBus
from bot.tickets.ports import FindsCreatedTickets, ReadsConversation, SyncJournal

log = logging.getLogger(__name__)

REPAIR_SECONDS = 600.0
"""How often stranded thread claims are looked for (and once at start)."""
JOINED_WAIT_SECONDS = 2.0
"""How often a message joined to a ticket being filed looks whether the ticket is filed yet."""
UNCONFIRMED_WAIT_SECONDS = 30.0
"""After a create that may have been made, in a helpdesk that cannot be asked (Suptask): the
least wait before filing again, for its "Ticket Created" webhook to name the ticket first."""


class DeliveryListener(Protocol):
    """Tells the person how their ticket, reply or close stands."""

    async def filed(self, request: TicketRequest, record: Ticket, *, uncertain: bool) -> None:
        """Announce the ticket; idempotent. ``uncertain``: an earlier attempt may have posted
        already. Raises ``TransientFailure`` when Slack cannot be reached (retried later)."""

    async def replied(self, request: ReplyRequest, *, again: bool = False) -> None:
        """``again``: an earlier attempt may have told it already (cut off by a crash)."""
        ...

    async def closed(self, request: CloseRequest, *, again: bool = False) -> None: ...

    async def assigned(self, request: AssignRequest) -> None: ...

    async def delayed(self, request: Write, error: BackendUnavailable) -> None:
        """First failed attempt: the write is saved and will be delivered automatically."""

    async def refused(self, request: Write, error: BackendError) -> None: ...

    async def gave_up(self, request: Write, error: BackendError) -> None:
        """Parked after the last attempt."""


class Postponed(Exception):
    """The attempt handed its item back untouched, due later."""


class TicketDelivery:
    def __init__(
        self,
        *,
        desk: TicketDesk,
        catalog: FormCatalog,
        outbox: OutboxStore,
        thread_claims: MessageTicketStore,
        listener: DeliveryListener,
        max_attempts: int = 8,
        first_delay_seconds: float = 5.0,
        max_delay_seconds: float = 900.0,
        poll_seconds: float = 1.0,
        lease_seconds: float = 120.0,
        clock: Callable[[], float] = time.time,
        in_flight_seconds: float = 15.0,
        journal: SyncJournal | None = None,
        withdraw_seconds: float = 600.0,
        held: HeldRequests,
        events: EventBus,
    ) -> None:
        """``withdraw_seconds``: how long a ticket filed without a click may be withdrawn."""
        self._withdraw_seconds = withdraw_seconds
        self._held_requests = held
        self._events = events
        self._desk = desk
        self._journal = journal
        self._catalog = catalog
        self._outbox = outbox
        self._thread_claims = thread_claims
        self._listener = listener
        self._max_attempts = max_attempts
        self._first_delay = first_delay_seconds
        self._max_delay = max_delay_seconds
        self._poll = poll_seconds
        self._lease = lease_seconds
        self._clock = clock
        self._in_flight_seconds = in_flight_seconds
        self._lease_until: dict[int, float] = {}
        """Per item held: until when its lease holds, as last claimed or renewed here."""
        self._paused_until = 0.0
        self._held: dict[int, OutboxItem] = {}
        """Items this process is working on; their leases are renewed together (``keep_leases``)."""

    @property
    def backend(self) -> str:
        return self._desk.backend.name

    async def submit(
        self,
        request: Write,
        *,
        claim: ThreadKey | None = None,
        hold_seconds: float = 0.0,
        once: MessageKey | None = None,
        settles: RecordedRequest | None = None,
        author_id: str | None = None,
    ) -> bool:
        """Record the write, with the thread's claim when given (both or neither), then try it
        at once, or after ``hold_seconds`` (a worker takes it then; ``withdraw_held`` drops it
        until it does). ``once``: the Slack message it sends, marked sent with it. ``settles``: the
        recorded Slack request it answers, forgotten with it. ``author_id``: the claimed message's
        author, whose next messages may ``join`` it. False when the thread is claimed, the
        message sent or the request acted on already: nothing was recorded."""
        item = await self.record_submission(
            request, claim=claim, hold_seconds=hold_seconds, once=once, settles=settles, author_id=author_id
        )
        if item is None:
            return False
        if hold_seconds <= 0:
            await self.attempt_now(item, request)
        return True

    async def record_submission(
        self,
        request: Write,
        *,
        claim: ThreadKey | None = None,
        hold_seconds: float = 0.0,
        once: MessageKey | None = None,
        settles: RecordedRequest | None = None,
        author_id: str | None = None,
    ) -> OutboxItem | None:
        """``submit`` without its first attempt (``attempt_now``, when not held): the item
        recorded, or ``None`` when nothing was."""
        settled = settles.id if settles is not None and not settles.settled else None
        item = await self.record(
            request, claim=claim, hold_seconds=hold_seconds, once=once, settles=settled, author_id=author_id
        )
        if item is not None and settles is not None:
            settles.settled = True
        return item

    async def withdraw_held(self, thread: ThreadKey) -> bool:
        """This thread's message is taken out of the held ticket it files (the ticket dropped,
        with its claims, when nothing else is left in it), if no worker has taken it yet."""
        return await self._held_requests.revise(thread, functools.partial(without, ts=thread.thread_ts), taken_out=True)

    async def revise_held(self, thread: ThreadKey, *, title: str, text: str) -> bool:
        """This thread's message, edited, changes the held ticket it is part of, if no worker
        has taken it yet."""

        def edited(payload: dict[str, Any]) -> dict[str, Any]:
            if TicketRequest.from_payload(payload).origin.thread_ts == thread.thread_ts:
                return with_first_text(payload, title=title, text=text)
            return with_detail(payload, ts=thread.thread_ts, text=text)

        return await self._held_requests.revise(thread, edited, taken_out=False)

    async def join(
        self, key: ThreadKey, *, author: Person, text: str, within_seconds: float, settles: RecordedRequest | None
    ) -> bool:
        """The message joins its author's ticket of a message at most ``within_seconds`` from it
        in the channel: its text added to the ticket while it waits to be filed, else sent to it
        as a reply (once the ticket is filed). False when there is no such ticket."""

        def details(thread_ts: str) -> dict[str, Any]:
            origin = SlackOrigin(
                user_id=author.slack_id,
                team_id=key.team_id,
                channel_id=key.channel_id,
                thread_ts=thread_ts,
                message_ts=key.thread_ts,
            )
            return ReplyRequest(ticket_id="", text=text, author=author, origin=origin).to_payload()

        joined = await self._held_requests.join(
            key,
            author_id=author.slack_id,
            within_seconds=within_seconds,
            add=functools.partial(with_detail, ts=key.thread_ts, text=text),
            details=details,
            backend=self.backend,
            now=self._clock(),
            settles=settles.id if settles is not None and not settles.settled else None,
        )
        if joined is not None and settles is not None:
            settles.settled = True
        return joined is not None

    async def record(
        self,
        request: Write,
        *,
        claim: ThreadKey | None = None,
        draft: DraftToKeep | None = None,
        hold_seconds: float = 0.0,
        once: MessageKey | None = None,
        settles: str | None = None,
        author_id: str | None = None,
    ) -> OutboxItem | None:
        """Only record it, with what the person typed when given (raises when the database
        cannot); ``None`` when the thread is taken (or ``once``/``settles`` done already)."""
        return await self._outbox.add(
            self.backend,
            request.to_payload(),
            now=self._clock(),
            lease_seconds=self._lease,
            claim=claim,
            draft=draft,
            hold_seconds=hold_seconds,
            once=once,
            settles=settles,
            author_id=author_id,
        )

    async def attempt_now(self, item: OutboxItem, request: Write) -> None:
        """The first attempt of a recorded write, under the lease it was recorded with."""
        async with self._holding([item]):
            await self._attempt(item, request)

    async def run_worker(self, stop: asyncio.Event) -> None:
        """Deliver due items and keep the leases of items under way, until ``stop`` is set (or
        cancelled)."""
        await asyncio.gather(self._deliver_forever(stop), self.keep_leases(stop))

    async def keep_leases(self, stop: asyncio.Event) -> None:
        """Renew the leases of every item under way in this process, in one statement, so that a
        wait (a rate limit, a slow helpdesk) never hands an item under way to another worker."""
        while not await pause(stop, self._lease / 3):
            try:
                held, now = list(self._held.values()), self._clock()
                if await self._outbox.renew(held, now=now, lease_seconds=self._lease) == len(held):
                    for item in held:
                        self._lease_until[item.id] = now + self._lease
            except Exception as exc:
                log.warning("could not renew outbox leases: %s", type(exc).__name__)

    async def _deliver_forever(self, stop: asyncio.Event) -> None:
        """A rate limit pauses the whole backend queue."""
        next_repair = 0.0
        while not stop.is_set():
            try:
                if self._clock() >= next_repair:
                    next_repair = self._clock() + REPAIR_SECONDS
                    await self.repair_claims()
                await self.deliver_due()
            except Exception:
                log.exception("outbox worker pass failed; retrying on the next pass")
            await pause(stop, self._poll)

    async def repair_claims(self) -> None:
        for key in await self._thread_claims.release_stranded():
            log.warning("released a thread claim with no delivery behind it: %s/%s", key.channel_id, key.thread_ts)

    async def deliver_due(self) -> None:
        now = self._clock()
        if now < self._paused_until:
            return
        items = await self._outbox.claim_due(self.backend, now=now, lease_seconds=self._lease, limit=20)
        async with self._holding(items):
            for item in items:
                if self._clock() < self._paused_until:
                    await self._outbox.retry_at(
                        item, self._paused_until, "waiting for the rate limit", uncertain=item.uncertain
                    )
                    continue
                await self._attempt(item, write_from_payload(item.payload))

    @contextlib.asynccontextmanager
    async def _holding(self, items: Sequence[OutboxItem]) -> AsyncIterator[None]:
        for item in items:
            self._held[item.id] = item
            self._lease_until.setdefault(item.id, self._clock() + self._lease)
        try:
            yield
        except asyncio.CancelledError:
            # The process is stopping: hand the items to the next worker now rather than when
            # their leases run out (shielded: this task is being cancelled).
            with contextlib.suppress(Exception):
                released = await asyncio.shield(self._outbox.release(items, now=self._clock()))
                log.info("released %d outbox item(s) under way at shutdown", released)
            raise
        finally:
            for item in items:
                self._held.pop(item.id, None)
                self._lease_until.pop(item.id, None)

    async def _attempt(self, item: OutboxItem, request: Write) -> None:
        try:
            if isinstance(request, TicketRequest):
                await self._file_and_announce(item, request)
            else:
                await self._write(item, request)
        except Postponed:
            pass
        except NotYet as exc:  # nothing was done: due again at its turn, no attempt counted
            await self._outbox.postpone(item, self._clock() + exc.seconds, certain=True)
        except BackendUnavailable as exc:
            await self._delay(item, request, exc, uncertain=exc.maybe_done or item.status == FILED)
        except BackendError as exc:
            await self._park(item, request, exc, refused=True)
        except Exception as exc:
            if is_transient(exc):
                reason = f"temporarily unavailable ({type(exc).__name__})"
                # Slack refusing the announcement of a filed ticket: nobody is told the helpdesk is slow.
                quiet = isinstance(exc, TransientFailure)
                await self._delay(item, request, BackendUnavailable(reason), uncertain=True, tell=not quiet)
            else:
                log.exception(
                    "outbox item %d failed in a way a retry cannot fix; parked", item.id, extra={"outbox_id": item.id}
                )
                await self._park(item, request, BackendError(f"internal error ({type(exc).__name__})"), refused=False)

    async def _file_and_announce(self, item: OutboxItem, request: TicketRequest) -> None:
        record: Ticket | None = None
        if item.status == FILED:  # announcing only: no form, no helpdesk call
            record = await self._desk.store.get(self.backend, str((item.result or {}).get("id")))
        if record is None:
            ticket = request.new_ticket(await self._catalog.get(request.form_id))
            created = await self._created(item, ticket)
            record = self._desk.record(
                ticket,
                created,
                withdrawable=request.origin.auto_created,
                withdrawable_until=self._clock() + self._withdraw_seconds,
            )
            try:
                kept = await self._outbox.record_filed(
                    item,
                    record,
                    result=asdict(created),
                    lease_until=self._clock() + self._lease,
                    thread=request.thread_key(),
                )
            except Exception:
                with contextlib.suppress(Exception):  # so that no retry files it again
                    await self._outbox.keep_result(item, asdict(created))
                raise
            if not kept:
                log.warning(
                    "outbox item %d: lease lost while filing %s; left to its new holder",
                    item.id,
                    created.id,
                    extra={"outbox_id": item.id},
                )
                return
            uncertain = False
        else:
            uncertain = item.uncertain
        await self._listener.filed(request, record, uncertain=uncertain)
        drafts = [d for d in (request.origin.draft_id, request.origin.replaced_draft_id) if d]
        if not await self._outbox.done(item, ticket_id=record.ticket_id, discard_drafts=drafts):
            log.warning(
                "outbox item %d: lease lost after announcing %s",
                item.id,
                record.friendly_id,
                extra={"outbox_id": item.id},
            )

    async def _created(self, item: OutboxItem, ticket: NewTicket) -> CreatedTicket:
        """The helpdesk's ticket for this item: kept from an earlier attempt, found after a lost
        answer, or created now."""
        if item.result:
            return CreatedTicket(**item.result)
        backend = self._desk.backend
        settled_at = (item.lease_lapsed_at or 0.0) + self._in_flight_seconds
        if item.uncertain and item.lease_lapsed_at is not None and self._clock() < settled_at:
            # Taken over from a holder whose lease ran out: a create it sent just before may
            # still reach the helpdesk. Look only once it must have landed or failed.
            await self._outbox.postpone(item, settled_at)
            raise Postponed()
        if item.uncertain and isinstance(backend, FindsCreatedTickets):
            try:
                found = await backend.find_created(ticket, since=item.first_attempt_at or self._clock())
            except BackendError as exc:
                reason = f"could not check for the ticket already made: {exc.reason}"
                raise BackendUnavailable(reason, maybe_done=True) from exc
            if found is not None:
                log.info(
                    "outbox item %d: the helpdesk had made %s already; adopted it",
                    item.id,
                    found.friendly_id,
                    extra={"outbox_id": item.id},
                )
                return found
        token = CREATE_GUARD.set(functools.partial(self._still_held, item))
        try:
            return await backend.create_ticket(ticket)
        finally:
            CREATE_GUARD.reset(token)

    async def _still_held(self, item: OutboxItem) -> bool:
        """Whether this attempt's lease surely still holds, as this process last renewed it (no
        database call: the margin covers a renewal's cadence)."""
        return self._clock() < self._lease_until.get(item.id, 0.0) - self._lease / 3

    async def _write(self, item: OutboxItem, request: TicketWrite) -> None:
        """Two steps, like a ticket's: the helpdesk's write, recorded as made; then the person
        told, then done. A process that dies between them tells on its next attempt (telling twice
        changes nothing: a status or an assignee is told only when it changes)."""
        told_before = item.status == FILED  # made by an earlier attempt, which may have told
        if isinstance(request, ReplyRequest) and not request.ticket_id:
            request = await self._joined_ticket(request)
        if not told_before:
            if item.uncertain and await self._reply_made(request):
                log.info("outbox item %d: the reply was made already; not sent again", item.id)
            else:
                posted = await request.perform(self._desk.backend)
                if posted is not None and self._journal is not None:
                    # Ours: reading the conversation back never shows it (its words may come back
                    # rendered differently from what was sent).
                    backend = self._desk.backend.name
                    await self._journal.claim_helpdesk_message(backend, request.ticket_id, posted)
            if not await self._outbox.made(item, ticket_id=request.ticket_id):
                return  # the lease was lost: its new holder tells
        await self._tell(request.tell(self._listener, again=told_before))
        await self._outbox.done(item, ticket_id=request.ticket_id)

    async def _joined_ticket(self, request: ReplyRequest) -> ReplyRequest:
        """A help channel message joined to its author's ticket after the ticket was taken for
        filing: sent once the ticket is filed."""
        origin = request.origin
        record = await self._desk.store.in_thread(str(origin.channel_id), str(origin.thread_ts))
        if record is None:
            if await self._held_requests.filing(
                ThreadKey(origin.team_id, str(origin.channel_id), str(origin.thread_ts))
            ):
                raise NotYet(JOINED_WAIT_SECONDS)
            raise BackendError("the ticket this message was to join was not filed")
        if self._journal is not None:
            # Remembered before sending: the helpdesk's webhook may echo it back before we hear back.
            await self._journal.remember_sent(record.backend, record.ticket_id, request.text)
        return replace(request, ticket_id=record.ticket_id)

    async def _reply_made(self, request: TicketWrite) -> bool:
        """After an attempt that may have posted it (the process died, the answer was lost): the
        reply is in the ticket's conversation already, where the helpdesk can be read. A close or
        an assignment is made again instead: the same change twice is one change."""
        backend = self._desk.backend
        if not isinstance(request, ReplyRequest) or not isinstance(backend, ReadsConversation):
            return False
        wanted = " ".join(request.text.split())
        try:
            messages = await backend.fetch_messages(request.ticket_id)
        except BackendError as exc:
            raise BackendUnavailable(
                f"could not check for the reply already sent: {exc.reason}", maybe_done=True
            ) from exc
        return any(m.public != request.internal and " ".join(m.text.split()) == wanted for m in messages)

    async def _delay(
        self, item: OutboxItem, request: Write, exc: BackendUnavailable, *, uncertain: bool, tell: bool = True
    ) -> None:
        attempts = item.attempts + 1
        if attempts >= self._max_attempts:
            log.warning(
                "outbox item %d parked after %d attempts: %s",
                item.id,
                attempts,
                exc.reason,
                extra={"outbox_id": item.id},
            )
            await self._park(item, request, exc, refused=False)
            return
        backoff = min(self._max_delay, self._first_delay * 2 ** (attempts - 1)) * (0.8 + random.random() * 0.4)
        if uncertain and item.status != FILED and not isinstance(self._desk.backend, FindsCreatedTickets):
            backoff = max(backoff, UNCONFIRMED_WAIT_SECONDS)
        due = self._clock() + max(backoff, exc.retry_after or 0.0)
        if exc.retry_after:
            self._paused_until = max(self._paused_until, self._clock() + exc.retry_after)
        log.info(
            "outbox item %d: %s; attempt %d, next in %.1fs",
            item.id,
            exc.reason,
            attempts,
            due - self._clock(),
            extra={"outbox_id": item.id},
        )
        if not await self._outbox.retry_at(item, due, exc.reason, uncertain=uncertain):
            return
        if tell and item.attempts == 0 and item.status != FILED:
            await self._tell(self._listener.delayed(request, exc))

    async def _park(self, item: OutboxItem, request: Write, exc: BackendError, *, refused: bool) -> None:
        if not await self._outbox.park(item, exc.reason):
            return
        if item.status == FILED:  # the ticket exists; only its announcement could not be made
            log.warning(
                "outbox item %d: ticket filed but not announced: %s", item.id, exc.reason, extra={"outbox_id": item.id}
            )
            return
        notice = self._listener.refused(request, exc) if refused else self._listener.gave_up(request, exc)
        await self._tell(notice)
        if isinstance(request, TicketRequest):
            await self._events.publish(TicketNotFiled(request.origin.entry_point, exc.reason, parked=not refused))

    async def _tell(self, notice: Awaitable[None]) -> None:
        try:
            await notice
        except Exception:
            log.exception("could not tell the person how their ticket stands")
