"""The interface every helpdesk backend implements, and the values that cross it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from bot.domain.forms import Draft, Form


@dataclass(frozen=True)
class Person:
    """A Slack member, with what Slack told us of them."""

    slack_id: str
    email: str | None = None
    name: str | None = None


@dataclass(frozen=True)
class NewTicket:
    form: Form
    draft: Draft
    requester: Person
    reporter: Person
    team_id: str
    channel_id: str | None
    people: Mapping[str, Person] = field(default_factory=dict)
    """Every Slack member named in a people field, by Slack ID."""
    message_link: str | None = None
    reference: str | None = None
    """The app's own name for this request, the same on every attempt: a helpdesk that cannot be
    asked for the ticket a lost answer made (Suptask) carries it in the ticket, so the ticket
    can be recognised when the helpdesk tells of it (``REFERENCE_PATTERN``)."""


REFERENCE_PREFIX = "slack-ref:"
REFERENCE_PATTERN = r"slack-ref:([0-9a-f]{32})"


@dataclass(frozen=True)
class Reply:
    text: str
    author: Person
    internal: bool = False
    """An internal note for agents only; never shown to the requester."""


@dataclass(frozen=True)
class CreatedTicket:
    id: str
    friendly_id: str
    url: str | None = None
    status: str | None = None


class BackendError(Exception):
    """The helpdesk refused the request; ``reason`` is written for the person who sent it."""

    retryable = False

    def __init__(self, reason: str, *, status: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


class BackendUnavailable(BackendError):
    """The helpdesk did not answer usefully (5xx, timeout, rate limit) even after retries."""

    retryable = True

    def __init__(self, reason: str, *, retry_after: float | None = None, maybe_done: bool = False) -> None:
        super().__init__(reason)
        self.retry_after = retry_after
        """Seconds the helpdesk asked us to wait (rate limit), when it said."""
        self.maybe_done = maybe_done
        """The request may have reached the helpdesk and taken effect (a 5xx, a timeout or a
        dropped connection after sending): look before doing it again."""


class TicketBackend(Protocol):
    """A helpdesk. Implementations take their HTTP client by keyword and keep no global state."""

    name: str
    """Settings value that selects it, e.g. ``siit``."""
    display_name: str
    form_label: str
    """What a form is called in this helpdesk ("Service"), for the picker's label."""
    closed_status: str
    """The status ``set_status("closed")`` leaves the ticket in."""
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

    async def add_reply(self, ticket_id: str, reply: Reply) -> None:
        """Post a public reply or an internal note on the ticket."""
        ...

    async def set_status(self, ticket_id: str, status: str) -> None:
        """Change the ticket's status (``closed`` closes it, whatever the helpdesk calls that)."""
        ...

    async def fetch_status(self, ticket_id: str) -> str | None:
        """The ticket's current status, for helpdesks without webhooks; ``None`` when the
        helpdesk pushes changes instead (webhooks)."""
        ...


@runtime_checkable
class FindsCreatedTickets(Protocol):
    """A helpdesk where a ticket whose create answer was lost can be looked for (Siit's List
    Requests). Without it, a create after an ambiguous failure may file a second ticket."""

    async def find_created(self, ticket: NewTicket, *, since: float) -> CreatedTicket | None:
        """The ticket this create made, if the helpdesk has one made at or after ``since`` (a Unix time)."""
        ...


@runtime_checkable
class ChecksConnection(Protocol):
    """A helpdesk that can be asked, harmlessly, whether it answers and takes the token."""

    async def check_connection(self) -> None:
        """Returns when the helpdesk answered and accepted the token; raises ``BackendError``
        (``BackendUnavailable`` when it could not be reached) with the reason otherwise."""
        ...
