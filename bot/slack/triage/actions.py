"""The triage message's buttons, for agents only (the one authorization rule): Assign to me, the
status select, Reply (public: it reaches the requester's thread through the helpdesk) and Note
(internal). Everyone else is told why, and nothing reaches the helpdesk."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.delivery.request import AssignRequest, CloseRequest, SlackOrigin
from bot.delivery.service import TicketDelivery
from bot.domain.ticket import Ticket
from bot.slack.plumbing import payloads
from bot.slack.plumbing.calls import best_effort
from bot.slack.plumbing.directory import SlackDirectory
from bot.slack.recording.inbox import INBOX_ID, Inbox, settling
from bot.slack.thread.ticket_actions import reply_view
from bot.slack.views.ticket_message import parse_ticket_ref
from bot.slack.views.triage_message import (
    TRIAGE_ASSIGN,
    TRIAGE_NOTE,
    TRIAGE_REPLY,
    TRIAGE_STATUS,
    offered_statuses,
    ticket_of_block,
)
from bot.tickets.authorization import TicketAction, TicketAuthorization
from bot.tickets.ports import TicketRecords


@dataclass(frozen=True)
class TriageActionsDeps:
    """What the triage buttons need, and nothing else."""

    authorization: TicketAuthorization
    delivery: TicketDelivery
    directory: SlackDirectory
    helpdesk: str
    tickets: TicketRecords
    inbox: Inbox
    workflow: Sequence[str]
    """The statuses the select offers (``triage_message``): no other is sent to the helpdesk."""


def register(app: AsyncApp, deps: TriageActionsDeps) -> None:
    async def agent_on(body: dict[str, Any], ref: object, client: AsyncWebClient) -> Ticket | None:
        """The ticket, when the person who clicked is an agent (checked within the trigger's
        clock); else they are told why, and ``None``."""
        parsed = parse_ticket_ref(ref)
        record = await deps.tickets.get(*parsed) if parsed else None
        if record is None:
            return None
        user_id = payloads.user_id(body)
        try:
            refusal = await asyncio.wait_for(deps.authorization.refusal(user_id, TicketAction.TRIAGE, record), 2.0)
        except TimeoutError:
            refusal = f"{deps.helpdesk} is slow to say who may act on this ticket; try again in a moment."
        if refusal is None:
            return record
        await tell(body, client, refusal)
        return None

    async def tell(body: dict[str, Any], client: AsyncWebClient, text: str) -> None:
        user_id = payloads.user_id(body)
        channel = (body.get("channel") or {}).get("id")
        if isinstance(channel, str):
            await best_effort(
                client.chat_postEphemeral(channel=channel, user=user_id, text=text), f"answering {user_id}"
            )

    def origin(body: dict[str, Any]) -> SlackOrigin:
        channel = (body.get("channel") or {}).get("id")
        message_ts = (body.get("message") or {}).get("ts") or (body.get("container") or {}).get("message_ts")
        return SlackOrigin(
            user_id=payloads.user_id(body),
            team_id=payloads.team_id(body),
            channel_id=channel if isinstance(channel, str) else None,
            thread_ts=message_ts if isinstance(message_ts, str) else None,
        )

    async def assign_to_me(
        ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        await ack()
        record = await agent_on(body, action.get("value"), client)
        if record is None:
            return
        agent = await deps.directory.person(payloads.user_id(body))
        assign = AssignRequest(ticket_id=record.ticket_id, assignee=agent, origin=origin(body))
        await deps.delivery.submit(assign, settles=context.get(INBOX_ID))

    async def change_status(
        ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        await ack()
        status = (action.get("selected_option") or {}).get("value")
        record = await agent_on(body, ticket_of_block(action.get("block_id")), client)
        if record is None or not isinstance(status, str) or status == record.status:
            return
        if status not in offered_statuses(deps.workflow):
            await tell(body, client, f"{status[:40]!r} is not one of the statuses offered here.")
            return
        change = CloseRequest(ticket_id=record.ticket_id, origin=origin(body), status=status)
        await deps.delivery.submit(change, settles=context.get(INBOX_ID))

    app.action(TRIAGE_ASSIGN)(settling(deps.inbox, assign_to_me))
    app.action(TRIAGE_STATUS)(settling(deps.inbox, change_status))

    async def open_reply(body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient, internal: bool) -> None:
        record = await agent_on(body, action.get("value"), client)
        if record is not None:
            await client.views_open(trigger_id=body["trigger_id"], view=reply_view(record, internal=internal))

    @app.action(TRIAGE_REPLY)
    async def reply(ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        await open_reply(body, action, client, internal=False)

    @app.action(TRIAGE_NOTE)
    async def note(ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        await open_reply(body, action, client, internal=True)
