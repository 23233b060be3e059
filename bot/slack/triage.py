"""The agents' triage channel (subscribed to the ticket's events): each new ticket is posted there
once, and its message is kept current, in place, whatever changed it (the buttons, a helpdesk
webhook, a status poll): one update per change, as each change is published once."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Protocol

from slack_sdk.models.blocks import Block
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.events import TicketAssigned, TicketFiled, TicketRenamed, TicketStatusChanged
from bot.domain.ticket import Ticket
from bot.slack.calls import best_effort
from bot.slack.token_info import TokenInfo
from bot.slack.triage_message import triage_message
from bot.tickets.events import EventBus
from bot.tickets.ports import TicketBackend

log = logging.getLogger(__name__)


class TriageRecords(Protocol):
    async def get(self, backend: str, ticket_id: str) -> Ticket | None: ...

    async def claim_triage(self, backend: str, ticket_id: str, channel_id: str) -> bool: ...

    async def set_triage_message(self, backend: str, ticket_id: str, *, ts: str | None) -> None: ...


class TriageChannel:
    def __init__(
        self,
        *,
        client: AsyncWebClient,
        tickets: TriageRecords,
        triage_for: Callable[[str | None], str | None],
        backend: TicketBackend,
        token: TokenInfo,
    ) -> None:
        self._client = client
        self._tickets = tickets
        self._triage_for = triage_for
        self._backend = backend
        self._token = token

    def subscribe(self, events: EventBus) -> None:
        events.subscribe(TicketFiled, self._post)
        events.subscribe(TicketStatusChanged, self._redraw)
        events.subscribe(TicketRenamed, self._redraw)
        events.subscribe(TicketAssigned, self._redraw)

    async def _post(self, event: TicketFiled) -> None:
        record = event.ticket
        channel = self._triage_for(record.channel_id)
        if channel is None or not await self._tickets.claim_triage(record.backend, record.ticket_id, channel):
            return  # no triage channel, or posted already (the announcement step ran again)
        text, blocks = await self._message(record)
        try:
            response = await self._client.chat_postMessage(
                channel=channel, text=text, blocks=blocks, unfurl_links=False
            )
        except Exception as exc:  # the ticket is filed whatever triage says; a later change retries
            log.warning("could not post %s in triage: %s", record.friendly_id, type(exc).__name__)
            await self._tickets.set_triage_message(record.backend, record.ticket_id, ts=None)
            return
        await self._tickets.set_triage_message(record.backend, record.ticket_id, ts=str(response["ts"]))

    async def _redraw(self, event: TicketStatusChanged | TicketRenamed | TicketAssigned) -> None:
        # Read again (published after the store, so current): the event's ticket may predate its
        # triage message.
        record = await self._tickets.get(event.ticket.backend, event.ticket.ticket_id)
        if record is None or not record.triage_channel or not record.triage_ts:
            return  # not in triage, or its message is being posted right now
        text, blocks = await self._message(record)
        await best_effort(
            self._client.chat_update(channel=record.triage_channel, ts=record.triage_ts, text=text, blocks=blocks),
            f"updating the triage message of {record.friendly_id}",
        )

    async def _message(self, record: Ticket) -> tuple[str, list[Block]]:
        return triage_message(
            record,
            workflow=self._backend.workflow,
            helpdesk=self._backend.display_name,
            workspace_url=await self._token.workspace_url(),
        )
