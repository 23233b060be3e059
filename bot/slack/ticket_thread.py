"""What the helpdesk says comes back to the ticket's Slack thread: agent replies, and status
changes shown in place on the ticket message with a short line in the thread."""

from __future__ import annotations

import logging
from dataclasses import replace

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.ticket import Ticket
from bot.forms import limits
from bot.slack.mrkdwn import escape
from bot.slack.ticket_message import status_label, ticket_message
from bot.tickets.ports import TicketBackend, TicketRecords

log = logging.getLogger(__name__)


class TicketThread:
    def __init__(self, *, client: AsyncWebClient, tickets: TicketRecords, backend: TicketBackend) -> None:
        self._client = client
        self._tickets = tickets
        self._backend = backend

    async def status_changed(self, record: Ticket, status: str) -> bool:
        """Record the new status, update the ticket message and say so in the thread; False
        when nothing changed."""
        if status == record.status or not await self._tickets.set_status(record.backend, record.ticket_id, status):
            return False
        updated = replace(record, status=status)
        await self._redraw(updated)
        await self.say(updated, f":arrows_counterclockwise: Status: *{escape(status_label(status))}*")
        return True

    async def renamed(self, record: Ticket, friendly_id: str, url: str | None) -> Ticket:
        """The helpdesk's own name (and link) for a ticket it created without one: stored and
        shown on the ticket message in place, without a line in the thread."""
        if (friendly_id, url) == (record.friendly_id, record.url):
            return record
        await self._tickets.set_identity(record.backend, record.ticket_id, friendly_id=friendly_id, url=url)
        # Read again after writing: if the ticket message was being posted meanwhile, either this
        # read sees where it went, or the poster's read after storing its place sees the new name.
        current = await self._tickets.get(record.backend, record.ticket_id) or record
        updated = replace(current, friendly_id=friendly_id, url=url)
        await self._redraw(updated)
        return updated

    async def _redraw(self, record: Ticket) -> None:
        if not record.channel_id or not record.message_ts:
            return
        closed = record.status is not None and record.status in self._backend.closed_statuses
        text, blocks = ticket_message(record, closed=closed)
        try:
            await self._client.chat_update(channel=record.channel_id, ts=record.message_ts, text=text, blocks=blocks)
        except SlackApiError as exc:
            log.info("could not update %s: %s", record.friendly_id, exc.response.get("error"))

    async def agent_reply(self, record: Ticket, text: str, author: str | None) -> None:
        who = escape(author) if author else "Support"
        await self.say(record, f"*{who}*: {escape(limits.fit(text, 3500))}")

    async def say(self, record: Ticket, text: str) -> None:
        if not record.channel_id or not record.thread_ts:
            return
        try:
            await self._client.chat_postMessage(
                channel=record.channel_id, thread_ts=record.thread_ts, text=text, unfurl_links=False
            )
        except SlackApiError as exc:
            log.info("could not post in the thread of %s: %s", record.friendly_id, exc.response.get("error"))
