"""What the helpdesk says comes back to the ticket's Slack thread (subscribed to the ticket's
events): agent replies, a new name, and status changes shown in place on the ticket message with
a short line in the thread."""

from __future__ import annotations

import logging

from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.events import AgentReplied, TicketRenamed, TicketStatusChanged
from bot.domain.ticket import Ticket
from bot.slack.calls import best_effort
from bot.slack.mrkdwn import escape
from bot.slack.ticket_message import status_label, ticket_message
from bot.slack.token_info import TokenInfo
from bot.slack.views import limits
from bot.tickets.events import EventBus
from bot.tickets.ports import TicketBackend

log = logging.getLogger(__name__)

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
        """The ticket message updated in place, and a line in the thread."""
        await self._redraw(event.ticket)
        await self.say(event.ticket, f":arrows_counterclockwise: Status: *{escape(status_label(event.ticket.status))}*")

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

    async def say(self, record: Ticket, text: str) -> None:
        if not record.channel_id or not record.thread_ts:
            return
        await best_effort(
            self._client.chat_postMessage(
                channel=record.channel_id, thread_ts=record.thread_ts, text=text, unfurl_links=False
            ),
            f"posting in the thread of {record.friendly_id}",
        )
