"""The requester's buttons on the ticket message ("Add details", "Close ticket") and the
"Reply to ticket" message shortcut: a reply modal with public or internal visibility."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext
from slack_sdk.models.blocks import InputBlock, PlainTextInputElement, RadioButtonsElement
from slack_sdk.models.blocks import Option as SlackOption
from slack_sdk.models.views import View
from slack_sdk.web.async_client import AsyncWebClient

from bot.delivery.recorded import RecordedRequest
from bot.delivery.request import CloseRequest, ReplyRequest, SlackOrigin
from bot.delivery.service import TicketDelivery
from bot.domain.ticket import Ticket
from bot.slack.plumbing import payloads
from bot.slack.plumbing.calls import best_effort
from bot.slack.plumbing.directory import SlackDirectory
from bot.slack.plumbing.messages import thread_root
from bot.slack.plumbing.mrkdwn import escape
from bot.slack.recording.inbox import INBOX_ID, Inbox, settling
from bot.slack.views import limits
from bot.slack.views.modal_states import message_view
from bot.slack.views.ticket_message import (
    ADD_DETAILS_ACTION,
    CLOSE_ACTION,
    REOPEN_ACTION,
    WITHDRAW_ACTION,
    parse_ticket_ref,
)
from bot.tickets.authorization import TicketAction, TicketAuthorization
from bot.tickets.desk import TicketDesk
from bot.tickets.ports import SyncJournal

log = logging.getLogger(__name__)

REPLY_CALLBACK = "ticket_reply"
REPLY_SHORTCUT = "reply_to_ticket"
TEXT_BLOCK, VISIBILITY_BLOCK = "reply_text", "reply_visibility"
PUBLIC, INTERNAL = "public", "internal"


STATUS_OF_ACTION = {CLOSE_ACTION: "closed", REOPEN_ACTION: "open", WITHDRAW_ACTION: "withdrawn"}
"""The neutral status each of the ticket message's status buttons asks for."""


def reply_view(record: Ticket, text: str = "", *, internal: bool = False) -> View:
    """The reply modal; ``internal``: an internal note is chosen to start with."""
    public_option = SlackOption(value=PUBLIC, text="Reply (the requester sees it)")
    internal_option = SlackOption(value=INTERNAL, text="Internal note (agents only)")
    return View(
        type="modal",
        callback_id=REPLY_CALLBACK,
        title=limits.fit(f"Reply to {record.friendly_id}", limits.MODAL_TITLE),
        submit="Send",
        close="Cancel",
        private_metadata=json.dumps({"backend": record.backend, "ticket_id": record.ticket_id}),
        blocks=[
            InputBlock(
                block_id=TEXT_BLOCK,
                label="Message",
                element=PlainTextInputElement(
                    action_id="value", multiline=True, initial_value=text[: limits.TEXT_INPUT] or None
                ),
            ),
            InputBlock(
                block_id=VISIBILITY_BLOCK,
                label="Visibility",
                element=RadioButtonsElement(
                    action_id="value",
                    options=[public_option, internal_option],
                    initial_option=internal_option if internal else public_option,
                ),
            ),
        ],
    )


@dataclass(frozen=True)
class TicketActionsDeps:
    """What acting on a ticket needs, and nothing else."""

    authorization: TicketAuthorization
    delivery: TicketDelivery
    desk: TicketDesk
    directory: SlackDirectory
    helpdesk: str
    sync_log: SyncJournal
    inbox: Inbox
    clock: Callable[[], float] = time.time


def register(app: AsyncApp, deps: TicketActionsDeps) -> None:
    tickets = deps.desk.store

    async def record_of(value: object) -> Ticket | None:
        ref = parse_ticket_ref(value)
        return await tickets.get(*ref) if ref else None

    async def refused(record: Ticket, user_id: str, action: TicketAction, seconds: float) -> str | None:
        """The one authorization rule, within ``seconds`` (Slack's clock): a rule that cannot be
        checked in time refuses, so nothing unchecked reaches the helpdesk."""
        try:
            return await asyncio.wait_for(deps.authorization.refusal(user_id, action, record), seconds)
        except TimeoutError:
            return f"{deps.helpdesk} is slow to say who may act on this ticket; try again in a moment."

    @app.action(ADD_DETAILS_ACTION)
    async def add_details(ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        record = await record_of(action.get("value"))
        if record is None:
            return
        user_id = payloads.user_id(body)
        # Within the trigger's 3 s: the modal must still open after the check.
        refusal = await refused(record, user_id, TicketAction.ADD_DETAILS, 2.0)
        if refusal:
            await _ephemeral(client, record, user_id, refusal)
            return
        await client.views_open(trigger_id=body["trigger_id"], view=reply_view(record))

    @app.shortcut(REPLY_SHORTCUT)
    async def reply_from_message(ack: AsyncAck, shortcut: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        message = shortcut.get("message") or {}
        channel_id = (shortcut.get("channel") or {}).get("id")
        root = thread_root(message)
        record = await tickets.in_thread(channel_id, root) if isinstance(channel_id, str) and root else None
        user_id = payloads.user_id(shortcut)
        refusal = await refused(record, user_id, TicketAction.REPLY, 2.0) if record is not None else None
        if record is None:
            view = message_view("This message is not in a ticket's thread.", title="Reply to ticket")
        elif refusal:
            view = message_view(f":no_entry: {escape(refusal)}", title="Reply to ticket")
        else:
            view = reply_view(record, str(message.get("text") or ""))
        await client.views_open(trigger_id=shortcut["trigger_id"], view=view)

    @app.view(REPLY_CALLBACK)
    async def send_reply(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient) -> None:
        values = (view.get("state") or {}).get("values") or {}
        text = str(((values.get(TEXT_BLOCK) or {}).get("value") or {}).get("value") or "").strip()
        chosen = ((values.get(VISIBILITY_BLOCK) or {}).get("value") or {}).get("selected_option") or {}
        if not text:
            await ack(response_action="errors", errors={TEXT_BLOCK: "Write a message."})
            return
        try:
            meta = json.loads(view.get("private_metadata") or "")
            record = await tickets.get(str(meta["backend"]), str(meta["ticket_id"]))
        except (ValueError, KeyError, TypeError):
            record = None
        if record is None:
            await ack(response_action="errors", errors={TEXT_BLOCK: "This ticket is unknown here."})
            return
        user_id = payloads.user_id(body)
        internal = chosen.get("value") == INTERNAL
        # Checked at submission too: a modal can be replayed by someone it was never opened for.
        refusal = await refused(record, user_id, TicketAction.INTERNAL_NOTE if internal else TicketAction.REPLY, 2.0)
        if refusal:
            await ack(response_action="errors", errors={VISIBILITY_BLOCK if internal else TEXT_BLOCK: refusal})
            return
        await ack(response_action="update", view=message_view(f"Sending to {deps.helpdesk}…", title="Reply"))
        team_id = payloads.team_id(body) or record.team_id
        # Remembered before sending: the helpdesk's webhook may echo it back before we hear back.
        await deps.sync_log.remember_sent(record.backend, record.ticket_id, text)
        origin = SlackOrigin(user_id=user_id, team_id=team_id, channel_id=record.channel_id, view_id=view["id"])
        author = await deps.directory.person(user_id)
        await deps.delivery.submit(ReplyRequest(record.ticket_id, text, author, origin, internal=internal))

    async def change_status(
        body: dict[str, Any],
        action: dict[str, Any],
        client: AsyncWebClient,
        status: str,
        settles: RecordedRequest | None,
    ) -> None:
        record = await record_of(action.get("value"))
        user_id = payloads.user_id(body)
        if record is None:
            return
        # Reopening and withdrawing are the same right as closing: the requester, who filed it, agents.
        what = {"closed": TicketAction.CLOSE, "open": TicketAction.REOPEN}.get(status, TicketAction.WITHDRAW)
        refusal = await refused(record, user_id, what, 10.0)
        if refusal is None and what is TicketAction.WITHDRAW:
            refusal = record.withdraw_refusal(deps.clock())
        if refusal:
            await _ephemeral(client, record, user_id, refusal)
            return
        origin = SlackOrigin(user_id=user_id, team_id=record.team_id, channel_id=record.channel_id)
        await deps.delivery.submit(
            CloseRequest(ticket_id=record.ticket_id, origin=origin, status=status), settles=settles
        )

    async def change_ticket_status(
        ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        await ack()
        status = STATUS_OF_ACTION[action["action_id"]]
        await change_status(body, action, client, status, context.get(INBOX_ID))

    app.action(re.compile(f"^({'|'.join(STATUS_OF_ACTION)})$"))(settling(deps.inbox, change_ticket_status))


async def _ephemeral(client: AsyncWebClient, record: Ticket, user_id: str, text: str) -> None:
    if not record.channel_id:
        return
    await best_effort(
        client.chat_postEphemeral(channel=record.channel_id, user=user_id, text=text, thread_ts=record.thread_ts),
        f"answering {user_id}",
    )
