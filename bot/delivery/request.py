"""A ticket waiting to be filed, as stored in the outbox (plain JSON)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from bot.backends.base import NewTicket, Person
from bot.forms.model import Draft, Form
from bot.storage.drafts import draft_from_content


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


@dataclass(frozen=True)
class TicketRequest:
    form_id: str
    draft: Draft
    requester: Person
    reporter: Person
    origin: SlackOrigin
    people: dict[str, Person] = field(default_factory=dict)
    message_link: str | None = None

    def new_ticket(self, form: Form) -> NewTicket:
        return NewTicket(
            form=form,
            draft=self.draft,
            requester=self.requester,
            reporter=self.reporter,
            team_id=self.origin.team_id,
            channel_id=self.origin.channel_id,
            people=self.people,
            message_link=self.message_link,
        )

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
        )
