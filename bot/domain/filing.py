"""What crosses between the app and a helpdesk: the ticket to file and who asks for it, the
helpdesk's answer, a reply, and how a helpdesk says no (``BackendError``) or cannot answer now
(``BackendUnavailable``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field

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


CREATE_GUARD: ContextVar[Callable[[], Awaitable[bool]] | None] = ContextVar("create_guard", default=None)
"""Set by whoever sends a create on behalf of a lease (the outbox worker): whether the lease is
still held. A helpdesk client sends a create only while it is (checked after any wait for a rate
limit slot): once another worker has taken the item over, this one's create would file a second
ticket that the other could not see yet."""
