"""What the helpdesk says comes back to the ticket's Slack thread (subscribed to the ticket's
events): agent replies, a new name, and status changes shown in place on the ticket message with
a short line in the thread."""

from __future__ import annotations

import logging

from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.events import AgentReplied, TicketRenamed, TicketStatusChanged
from bot.domain.ticket import Ticket
from bot.slack.plumbing.calls import best_effort
from bot.slack.plumbing.messages import metadata_payload
from bot.slack.plumbing.mrkdwn import escape
from bot.slack.plumbing.token_info import TokenInfo
from bot.slack.views import limits
from bot.slack.views.ticket_message import status_label, ticket_message, ticket_ref
from bot.tickets.events import EventBus
from bot.tickets.ports import TicketBackend

log = logging.getLogger(__name__)

STATUS_EVENT = "ticket_status"
"""The metadata event type of a status line in a ticket's thread."""
LINE_EVENT = "ticket_line"
"""The metadata event type of another line the app says in a ticket's thread (a reply's "added")."""

CUSTOMIZE = "chat:write.customize"
"""Optional: agent replies are shown under the agent's name rather than the app's."""
USERNAME = 80
"""Slack's longest ``username`` for a message."""


class NoThreadYet(Exception):
    """The ticket message is not posted yet: nowhere to show what the helpdesk said."""


class TicketThread:
    def __init__(self, *, client: AsyncWebClient, backend: TicketBackend, token: TokenInfo) -> None:
        self._client = client
        self._backend = backend
        self._token = token

    def subscribe(self, events: EventBus) -> None:
        events.subscribe(TicketStatusChanged, self._status_changed)
        events.subscribe(TicketRenamed, self._renamed)
        events.subscribe(AgentReplied, self._agent_replied)

    async def _status_changed(self, event: TicketStatusChanged) -> None:
        """The ticket message updated in place, and a line in the thread (which names the ticket
        and status in its metadata: told again, it is looked for first)."""
        record = event.ticket
        await self._redraw(record)
        if not record.channel_id or not record.thread_ts:
            return
        said = {"ticket": ticket_ref(record), "status": record.status or ""}
        if event.retold and await self._posted(record, STATUS_EVENT, said):
            return
        await best_effort(
            self._client.chat_postMessage(
                channel=record.channel_id,
                thread_ts=record.thread_ts,
                text=f":arrows_counterclockwise: Status: *{escape(status_label(record.status))}*",
                unfurl_links=False,
                metadata={"event_type": STATUS_EVENT, "event_payload": said},
            ),
            f"posting in the thread of {record.friendly_id}",
        )

    async def _posted(self, record: Ticket, event_type: str, payload: dict[str, str]) -> bool:
        """Whether the thread holds a message of ours with this metadata already."""
        response = await best_effort(
            self._client.conversations_replies(
                channel=str(record.channel_id), ts=str(record.thread_ts), include_all_metadata=True, limit=200
            ),
            f"reading the thread of {record.friendly_id}",
        )
        messages = (response.get("messages") if response is not None else None) or []
        return any(metadata_payload(m, event_type) == payload for m in messages)

    async def _renamed(self, event: TicketRenamed) -> None:
        """Shown on the ticket message in place, without a line in the thread."""
        await self._redraw(event.ticket)

    async def _agent_replied(self, event: AgentReplied) -> None:
        """Not best effort: if Slack refuses, the publisher hears it, and the reply is shown at
        the next reading (Siit) or delivery (a webhook answered 500 is sent again)."""
        record = event.ticket
        if not record.channel_id or not record.thread_ts:
            raise NoThreadYet(f"{record.friendly_id} has no Slack thread yet")
        text = escape(limits.fit(event.text, 3500))
        if event.author and await self._token.has_scope(CUSTOMIZE):
            # Shown under the agent's name (with the app's icon and its APP badge).
            await self._client.chat_postMessage(
                channel=record.channel_id,
                thread_ts=record.thread_ts,
                text=text,
                username=limits.fit(event.author, USERNAME),
                unfurl_links=False,
            )
            return
        who = escape(event.author) if event.author else "Support"
        await self._client.chat_postMessage(
            channel=record.channel_id, thread_ts=record.thread_ts, text=f"*{who}*: {text}", unfurl_links=False
        )

    async def _redraw(self, record: Ticket) -> None:
        if not record.channel_id or not record.message_ts:
            return
        closed = record.status is not None and record.status in self._backend.closed_statuses
        text, blocks = ticket_message(record, closed=closed)
        await best_effort(
            self._client.chat_update(channel=record.channel_id, ts=record.message_ts, text=text, blocks=blocks),
            f"updating the message of {record.friendly_id}",
        )

    async def say(self, record: Ticket, text: str, *, once: str | None = None, again: bool = False) -> None:
        """A line in the ticket's thread. ``once`` names it in its metadata, so that told
        ``again`` (a crash may have cut off the first telling after the post) it is looked for
        first and not posted twice."""
        if not record.channel_id or not record.thread_ts:
            return
        said = {"ticket": ticket_ref(record), "line": once} if once else None
        if said is not None and again and await self._posted(record, LINE_EVENT, said):
            return
        await best_effort(
            self._client.chat_postMessage(
                channel=record.channel_id,
                thread_ts=record.thread_ts,
                text=text,
                unfurl_links=False,
                metadata={"event_type": LINE_EVENT, "event_payload": said} if said else None,
            ),
            f"posting in the thread of {record.friendly_id}",
        )
