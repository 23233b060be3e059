"""The ports of the service layer: what a helpdesk offers (``TicketBackend`` and the optional
capabilities a backend declares by implementing them), and what the app keeps (tickets, drafts,
thread claims, the sync log). Adapters implement them structurally: ``bot.backends`` the helpdesk
side, ``bot.storage`` the rest; ``bot.slack`` depends on these, never on an adapter."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from bot.domain.conversation import HelpdeskMessage, RemoteState
from bot.domain.filing import CreatedTicket, NewTicket, Person, Reply
from bot.domain.forms import Draft, Form, StoredDraft
from bot.domain.queue_scope import QueueScope
from bot.domain.thread import ThreadKey, ThreadTicket
from bot.domain.ticket import Ticket


class TicketBackend(Protocol):
    """A helpdesk. Implementations take their HTTP client by keyword and keep no global state."""

    name: str
    """Settings value that selects it, e.g. ``siit``."""
    display_name: str
    form_label: str
    """What a form is called in this helpdesk ("Service"), for the picker's label."""
    closed_status: str
    """The status ``set_status("closed")`` leaves the ticket in."""
    open_status: str
    """The status ``set_status("open")`` (Reopen) leaves the ticket in."""
    withdrawn_status: str
    """The status ``set_status("withdrawn")`` ("Not a ticket") leaves the ticket in."""
    workflow: Sequence[str]
    """The statuses agents move an open ticket through from the triage channel, in order."""
    closed_statuses: frozenset[str]
    """Statuses in which a ticket is done (no polling, no Close button)."""

    def form_ids(self) -> Sequence[str]:
        """The forms offered in the picker, in order; the first is the default."""
        ...

    async def load_form(self, form_id: str) -> Form:
        """The form's definition; raises ``BackendError`` when it cannot be read."""
        ...

    async def create_ticket(self, ticket: NewTicket) -> CreatedTicket:
        """File the ticket; raises ``BackendError`` with the helpdesk's own reason."""
        ...

    async def add_reply(self, ticket_id: str, reply: Reply) -> str | None:
        """Post a public reply or an internal note on the ticket; the helpdesk's id for the
        message when its answer names one (so that reading the conversation back skips it)."""
        ...

    async def set_status(self, ticket_id: str, status: str) -> None:
        """Change the ticket's status: the neutral ``closed``, ``open`` and ``withdrawn`` (not a
        ticket after all) become whatever the helpdesk calls them; others are sent as they are."""
        ...


@runtime_checkable
class ReadsStatus(Protocol):
    """A helpdesk whose tickets' statuses can be read (Siit, which sends no webhooks): the app
    polls its open tickets. Calls are background work: they raise ``BackendUnavailable`` when
    the helpdesk's budget is kept for people."""

    async def fetch_state(self, ticket_id: str) -> RemoteState:
        """The ticket's current status and the helpdesk's mark of its last change."""
        ...


@runtime_checkable
class ReadsConversation(Protocol):
    """A helpdesk whose ticket conversations can be read (Siit): agent replies are polled back
    into the ticket's Slack thread."""

    async def fetch_messages(self, ticket_id: str) -> Sequence[HelpdeskMessage]:
        """The ticket's conversation, oldest first, notes included (marked)."""
        ...

    async def agent_name(self, agent_uid: str) -> str | None:
        """The agent's name in the helpdesk's directory, if it has one."""
        ...


@runtime_checkable
class FindsCreatedTickets(Protocol):
    """A helpdesk where a ticket whose create answer was lost can be looked for (Siit's List
    Requests). Without it, a create after an ambiguous failure may file a second ticket."""

    async def find_created(self, ticket: NewTicket, *, since: float) -> CreatedTicket | None:
        """The ticket this create made, if the helpdesk has one made at or after ``since`` (a Unix time)."""
        ...


@runtime_checkable
class AssignsTickets(Protocol):
    """A helpdesk whose tickets can be assigned to an agent (Siit's assignee, Suptask's)."""

    async def assign(self, ticket_id: str, assignee: Person) -> None:
        """Assign the ticket; raises ``BackendError`` with the reason (say, no such agent)."""
        ...


@runtime_checkable
class ChecksConnection(Protocol):
    """A helpdesk that can be asked, harmlessly, whether it answers and takes the token."""

    async def check_connection(self) -> None:
        """Returns when the helpdesk answered and accepted the token; raises ``BackendError``
        (``BackendUnavailable`` when it could not be reached) with the reason otherwise."""
        ...


class TicketRecords(Protocol):
    """Tickets filed through the app and where each lives in Slack."""

    async def add(self, record: Ticket) -> None: ...

    async def get(self, backend: str, ticket_id: str) -> Ticket | None: ...

    async def in_thread(self, channel_id: str, thread_ts: str) -> Ticket | None: ...

    async def in_triage_thread(self, channel_id: str, thread_ts: str) -> Ticket | None:
        """The ticket whose triage message starts this thread."""
        ...

    async def set_slack_message(
        self, backend: str, ticket_id: str, *, channel_id: str, message_ts: str, thread_ts: str
    ) -> Ticket | None:
        """Store where the ticket message is; the ticket as stored then."""
        ...

    async def set_identity(self, backend: str, ticket_id: str, *, friendly_id: str, url: str | None) -> None: ...

    async def set_status(self, backend: str, ticket_id: str, status: str) -> bool:
        """False when the status was already this one (nothing to announce)."""
        ...

    async def set_assignee(self, backend: str, ticket_id: str, assignee_id: str) -> bool:
        """False when it was assigned to them already."""
        ...


class TicketThreads(Protocol):
    """Which Slack threads belong to tickets: what a reply there is sent to."""

    async def is_ticket_thread(self, channel_id: str, thread_ts: str) -> bool:
        """Whether the thread is a ticket's own or its triage message's (one read)."""
        ...


class TicketListing(Protocol):
    """Tickets as lists, for App Home: a person's own, and the agents' queue."""

    async def of_person(
        self, backend: str, user_id: str, *, closed: Collection[str], limit: int, offset: int = 0
    ) -> list[Ticket]:
        """Asked for or filed by ``user_id``: open ones newest first, then recently closed ones."""
        ...

    async def open_tickets(
        self,
        backend: str,
        *,
        closed: Collection[str],
        status: str | None,
        default_status: str,
        limit: int,
        offset: int = 0,
        scope: QueueScope | None = None,
    ) -> list[Ticket]:
        """Open tickets newest first, only those in ``status`` when given, in ``scope``'s channels."""
        ...

    async def open_statuses(
        self, backend: str, *, closed: Collection[str], default_status: str, scope: QueueScope | None = None
    ) -> list[str]: ...


class Drafts(Protocol):
    """What people typed, kept until their ticket is filed."""

    async def save(
        self, draft: Draft, *, team_id: str, user_id: str, channel_id: str | None, context: str | None = None
    ) -> str: ...

    async def load(self, draft_id: str, *, user_id: str) -> StoredDraft | None:
        """Only the person who typed it may load it."""
        ...

    async def discard(self, draft_id: str) -> None: ...


class ThreadClaims(Protocol):
    """One ticket per Slack thread."""

    async def get(self, key: ThreadKey) -> ThreadTicket | None: ...

    async def filed(self, key: ThreadKey, *, friendly_id: str, url: str | None) -> None: ...

    async def release(self, key: ThreadKey) -> None: ...


class SyncJournal(Protocol):
    """What crossed between a thread and its helpdesk ticket, so nothing crosses twice."""

    async def remember_sent(self, backend: str, ticket_id: str, text: str) -> None: ...

    async def claim_helpdesk_message(self, backend: str, ticket_id: str, message_uid: str) -> bool:
        """True once per helpdesk message: the one reader that may show it in Slack (or, for our
        own replies, the record that it must never be)."""
        ...

    async def release_helpdesk_message(self, backend: str, ticket_id: str, message_uid: str) -> None:
        """A message claimed but not shown (Slack failed): the next read shows it."""
        ...

    async def was_sent(self, backend: str, ticket_id: str, text: str) -> bool: ...


class WebhookDeliveries(SyncJournal, Protocol):
    """Helpdesk webhooks seen lately: a sender's retry is answered, not acted on again."""

    async def first_delivery(self, key: str) -> bool: ...

    async def forget_delivery(self, key: str) -> None:
        """A delivery that could not be acted on: its retry is welcome."""
        ...


class WebhookOutcomes(Protocol):
    """Where a helpdesk's webhook route reports how each delivery went (the metrics)."""

    def webhook(self, outcome: str) -> None:
        """``applied``, ``duplicate``, ``malformed``, ``unauthorized``, ``unknown_ticket``,
        ``too_large`` or ``error``."""
        ...


class WaitingCreates(Protocol):
    """Creates still waiting in the outbox, which a helpdesk's own word can settle."""

    async def adopt(self, reference: str, result: dict[str, Any], *, now: float) -> bool:
        """Keep ``result`` as the answer of the waiting create with this reference; False when
        there is none."""
        ...


@dataclass(frozen=True)
class PolledTicket:
    """An open ticket due for a check, with what the last check left."""

    ticket: Ticket
    conversation_mark: str | None
    replies_from: float | None
    """``None``: filed before replies were read back; its first read shows nothing."""


class PolledTickets(Protocol):
    """The open tickets a poller checks, and what each check leaves."""

    async def due_for_check(
        self,
        backend: str,
        *,
        closed: Sequence[str],
        now: float,
        active_every: float,
        idle_every: float,
        limit: int,
    ) -> list[PolledTicket]: ...

    async def checked(
        self, backend: str, ticket_id: str, *, now: float, mark: str | None, active: bool, replies_from: float | None
    ) -> None: ...


class PollTurns(Protocol):
    """Instances sharing a database take turns at a periodic job."""

    async def take_turn(self, name: str, *, now: float, interval_seconds: float) -> bool:
        """True when this caller's turn has come (the next one is ``interval_seconds`` away)."""
        ...
