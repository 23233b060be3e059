"""The agents' triage channel (subscribed to the ticket's events): each new ticket is posted there
once, and its message is kept current, in place, whatever changed it (the buttons, a helpdesk
webhook, a status poll): one update per change, as each change is published once.

Once: the post is claimed in the database first. A claim never recorded as posted (the process
died between the claim and the post, or after the post before its ``ts`` was written) is taken
over after ``claim_seconds`` by ``run``, which looks for the post (its metadata names the ticket)
before posting again."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Protocol

from slack_sdk.models.blocks import Block
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.events import TicketAssigned, TicketFiled, TicketRenamed, TicketStatusChanged
from bot.domain.ticket import Ticket
from bot.slack.plumbing.calls import best_effort
from bot.slack.plumbing.messages import metadata_payload
from bot.slack.plumbing.token_info import TokenInfo
from bot.slack.views.ticket_message import ticket_ref
from bot.slack.views.triage_message import triage_message
from bot.stopping import pause
from bot.tickets.events import EventBus
from bot.tickets.ports import TicketBackend

log = logging.getLogger(__name__)

TRIAGE_EVENT = "helpdesk_triage"
"""The metadata event type of a triage message, naming its ticket."""


class TriageRecords(Protocol):
    async def get(self, backend: str, ticket_id: str) -> Ticket | None: ...

    async def claim_triage(self, backend: str, ticket_id: str, channel_id: str) -> bool: ...

    async def set_triage_message(self, backend: str, ticket_id: str, *, ts: str | None) -> None: ...

    async def stranded_triage(self, *, claimed_before: float, limit: int = 20) -> list[Ticket]: ...

    async def take_over_triage(self, backend: str, ticket_id: str, *, claimed_before: float) -> bool: ...


class TriageChannel:
    def __init__(
        self,
        *,
        client: AsyncWebClient,
        tickets: TriageRecords,
        triage_for: Callable[[str | None], str | None],
        backend: TicketBackend,
        token: TokenInfo,
        claim_seconds: float = 60.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._claim_seconds = claim_seconds
        self._clock = clock
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
        await self._post_claimed(record, channel, look_first=False)

    async def run(self, stop: asyncio.Event) -> None:
        """Take over the triage posts whose claim was cut off, until ``stop`` is set."""
        while not await pause(stop, self._claim_seconds / 2):
            try:
                await self.repair()
            except Exception:
                log.exception("triage repair pass failed; retrying on the next pass")

    async def repair(self) -> int:
        """One pass; how many cut-off triage posts were taken over."""
        claimed_before = self._clock() - self._claim_seconds
        taken = 0
        for record in await self._tickets.stranded_triage(claimed_before=claimed_before):
            if record.triage_channel and await self._tickets.take_over_triage(
                record.backend, record.ticket_id, claimed_before=claimed_before
            ):
                await self._post_claimed(record, record.triage_channel, look_first=True)
                taken += 1
        return taken

    async def _post_claimed(self, record: Ticket, channel: str, *, look_first: bool) -> None:
        ts = await self._earlier_post(record, channel) if look_first else None
        if ts is None:
            text, blocks = await self._message(record)
            try:
                response = await self._client.chat_postMessage(
                    channel=channel,
                    text=text,
                    blocks=blocks,
                    unfurl_links=False,
                    metadata={"event_type": TRIAGE_EVENT, "event_payload": {"ticket": ticket_ref(record)}},
                )
            except Exception as exc:  # the ticket is filed whatever triage says; a later change retries
                log.warning("could not post %s in triage: %s", record.friendly_id, type(exc).__name__)
                await self._tickets.set_triage_message(record.backend, record.ticket_id, ts=None)
                return
            ts = str(response["ts"])
        await self._tickets.set_triage_message(record.backend, record.ticket_id, ts=ts)

    async def _earlier_post(self, record: Ticket, channel: str) -> str | None:
        """The ticket's triage message, if a cut-off attempt posted it (among the channel's newest)."""
        response = await best_effort(
            self._client.conversations_history(channel=channel, include_all_metadata=True, limit=200),
            f"looking for the triage message of {record.friendly_id}",
        )
        for message in (response.get("messages") if response is not None else None) or []:
            payload = metadata_payload(message, TRIAGE_EVENT)
            if payload is not None and payload.get("ticket") == ticket_ref(record):
                return str(message.get("ts"))
        return None

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
