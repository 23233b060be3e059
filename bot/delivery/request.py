"""A ticket waiting to be filed, as stored in the outbox (plain JSON)."""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Protocol

from bot.domain.filing import BackendError, NewTicket, Person, Reply
from bot.domain.forms import DESCRIPTION_MAX_LENGTH, Draft, Form, draft_from_content
from bot.domain.thread import ThreadKey
from bot.tickets.ports import AssignsTickets, TicketBackend


@dataclass(frozen=True)
class SlackOrigin:
    """Where the request came from, so the person can be answered when it is filed."""

    user_id: str
    team_id: str
    channel_id: str | None = None
    view_id: str | None = None
    draft_id: str | None = None
    replaced_draft_id: str | None = None
    """A draft this submission was reopened from ("Try again"), discarded once filed."""
    message_ts: str | None = None
    """The Slack message the ticket was made from (shortcut, reaction)."""
    thread_ts: str | None = None
    """The claimed thread the ticket lives in; the confirmation is a reply there."""
    via_reaction: bool = False
    auto_created: bool = False
    """Filed from a help channel's message without a click (it may be withdrawn)."""

    @property
    def entry_point(self) -> str:
        """How the person asked: ``channel_message``, ``reaction``, ``message_shortcut``,
        ``global_shortcut`` or ``command``."""
        if self.auto_created:
            return "channel_message"
        if self.via_reaction:
            return "reaction"
        if self.message_ts:
            return "message_shortcut"
        return "command" if self.channel_id else "global_shortcut"


@dataclass(frozen=True)
class Detail:
    """A later message of the same person in a help channel, joined to the ticket of their
    first one while it waits to be filed (``bot.delivery.joined``)."""

    ts: str
    text: str


@dataclass(frozen=True)
class TicketRequest:
    form_id: str
    draft: Draft
    requester: Person
    reporter: Person
    origin: SlackOrigin
    people: dict[str, Person] = field(default_factory=dict)
    message_link: str | None = None
    reference: str = field(default_factory=lambda: uuid.uuid4().hex)
    """Ours, the same on every attempt (``NewTicket.reference``)."""
    details: tuple[Detail, ...] = ()
    """The texts of messages joined to it, oldest first, filed after its description."""

    def description(self) -> str:
        """The description, then each joined message's text, cut to the helpdesk's limit."""
        parts = [self.draft.description, *(d.text for d in self.details)]
        return "\n\n".join(p for p in parts if p)[:DESCRIPTION_MAX_LENGTH]

    def new_ticket(self, form: Form) -> NewTicket:
        return NewTicket(
            form=form,
            draft=replace(self.draft, description=self.description()) if self.details else self.draft,
            requester=self.requester,
            reporter=self.reporter,
            team_id=self.origin.team_id,
            channel_id=self.origin.channel_id,
            people=self.people,
            message_link=self.message_link,
            reference=self.reference,
        )

    def thread_key(self) -> ThreadKey | None:
        """The claimed thread of a ticket made from a message."""
        origin = self.origin
        if origin.thread_ts is None or origin.channel_id is None:
            return None
        return ThreadKey(team_id=origin.team_id, channel_id=origin.channel_id, thread_ts=origin.thread_ts)

    def to_payload(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> TicketRequest:
        return cls(
            form_id=payload["form_id"],
            draft=draft_from_content(payload["draft"]),
            requester=Person(**payload["requester"]),
            reporter=Person(**payload["reporter"]),
            origin=SlackOrigin(**payload["origin"]),
            people={k: Person(**v) for k, v in payload.get("people", {}).items()},
            message_link=payload.get("message_link"),
            reference=str(payload.get("reference") or uuid.uuid4().hex),
            details=tuple(Detail(str(d["ts"]), str(d["text"])) for d in payload.get("details") or ()),
        )


class WriteListener(Protocol):
    """Who is told when a write to an existing ticket went through (``DeliveryListener`` is one)."""

    async def replied(self, request: ReplyRequest, *, again: bool = False) -> None:
        """``again``: an earlier attempt may have told it already (cut off by a crash)."""
        ...

    async def closed(self, request: CloseRequest, *, again: bool = False) -> None:
        """``again``: an earlier attempt may have told it already (cut off by a crash)."""
        ...

    async def assigned(self, request: AssignRequest) -> None: ...


@dataclass(frozen=True)
class ReplyRequest:
    """A reply or internal note for a ticket, from its thread or the reply modal."""

    ticket_id: str
    text: str
    author: Person
    origin: SlackOrigin
    internal: bool = False

    async def perform(self, backend: TicketBackend) -> str | None:
        """The helpdesk's id for the message posted, if it gave one."""
        return await backend.add_reply(self.ticket_id, Reply(self.text, self.author, self.internal))

    async def tell(self, listener: WriteListener, *, again: bool = False) -> None:
        await listener.replied(self, again=again)

    def to_payload(self) -> dict[str, Any]:
        return {"kind": "reply", **asdict(self)}

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> ReplyRequest:
        return cls(
            ticket_id=payload["ticket_id"],
            text=payload["text"],
            author=Person(**payload["author"]),
            origin=SlackOrigin(**payload["origin"]),
            internal=bool(payload.get("internal")),
        )


@dataclass(frozen=True)
class CloseRequest:
    """A status change from Slack: closing, reopening (``open``), withdrawing (``withdrawn``),
    or a helpdesk status an agent chose in the triage channel."""

    ticket_id: str
    origin: SlackOrigin
    status: str = "closed"
    """``closed``, ``open``, ``withdrawn`` (each the helpdesk's own name for it), or one of
    the helpdesk's ``workflow`` statuses as it names them."""

    async def perform(self, backend: TicketBackend) -> str | None:
        await backend.set_status(self.ticket_id, self.status)
        return None

    async def tell(self, listener: WriteListener, *, again: bool = False) -> None:
        await listener.closed(self, again=again)

    def to_payload(self) -> dict[str, Any]:
        return {"kind": "close", **asdict(self)}

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> CloseRequest:
        return cls(
            ticket_id=payload["ticket_id"],
            origin=SlackOrigin(**payload["origin"]),
            status=str(payload.get("status") or "closed"),
        )


@dataclass(frozen=True)
class AssignRequest:
    """Assigning a ticket to an agent, from the triage channel."""

    ticket_id: str
    assignee: Person
    origin: SlackOrigin

    async def perform(self, backend: TicketBackend) -> str | None:
        if not isinstance(backend, AssignsTickets):
            raise BackendError(f"{backend.display_name} tickets cannot be assigned from Slack.")
        await backend.assign(self.ticket_id, self.assignee)
        return None

    async def tell(self, listener: WriteListener, *, again: bool = False) -> None:
        await listener.assigned(self)

    def to_payload(self) -> dict[str, Any]:
        return {"kind": "assign", **asdict(self)}

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> AssignRequest:
        return cls(
            ticket_id=payload["ticket_id"],
            assignee=Person(**payload["assignee"]),
            origin=SlackOrigin(**payload["origin"]),
        )


TicketWrite = ReplyRequest | CloseRequest | AssignRequest
"""A write to an existing ticket: one helpdesk call (``perform``), then the person told (``tell``)."""
Write = TicketRequest | TicketWrite
"""Every write the outbox carries to a helpdesk; a new ticket takes two steps (file, announce)."""


def write_from_payload(payload: dict[str, Any]) -> Write:
    kind = payload.get("kind", "create")
    if kind == "reply":
        return ReplyRequest.from_payload(payload)
    if kind == "close":
        return CloseRequest.from_payload(payload)
    if kind == "assign":
        return AssignRequest.from_payload(payload)
    return TicketRequest.from_payload(payload)
