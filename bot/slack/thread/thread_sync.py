"""People's replies in a ticket's thread go to the helpdesk's reply endpoint.

Policy per form (``ReplyPolicy``): off, the requester only (default) or everyone. Bot messages
(so everything the bot posted, agent replies included) never go back. Each Slack message is sent
once, whatever Slack retries (a unique key in the database). Files are sent as their names and
links. An edit is sent as a new reply marked "(edited)", since helpdesk replies cannot be
changed; a deletion is not sent (the helpdesk keeps what it was told). In a ticket's triage
message's thread, what agents write goes as an internal note (never to the requester); others'
messages there are not sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncBoltContext

from bot.delivery.request import ReplyRequest, SlackOrigin
from bot.delivery.service import TicketDelivery
from bot.domain.forms import DESCRIPTION_MAX_LENGTH
from bot.domain.thread import MessageKey
from bot.slack.plumbing.directory import SlackDirectory
from bot.slack.plumbing.messages import is_from_a_bot, text_with_files
from bot.slack.recording.inbox import INBOX_ID, Inbox, settling
from bot.slack.views.limits import fit
from bot.tickets.authorization import TicketAuthorization
from bot.tickets.desk import TicketDesk
from bot.tickets.ports import SyncJournal
from bot.tickets.reply_policy import ReplyPolicy

SYNCED_SUBTYPES = {None, "file_share", "thread_broadcast", "message_changed"}


def reply_text(message: dict[str, Any], *, edited: bool) -> str:
    """The message as the helpdesk should read it: its text, then each file's name and link."""
    text = fit(text_with_files(message), DESCRIPTION_MAX_LENGTH - len("(edited) "))
    return f"(edited) {text}" if edited and text else text


def thread_reply(event: Mapping[str, Any]) -> tuple[str, str] | None:
    """``(channel, thread_ts)`` when the event is a person's reply in a thread (new or edited)."""
    subtype = event.get("subtype")
    if subtype not in SYNCED_SUBTYPES:
        return None
    message = event.get("message") if subtype == "message_changed" else event
    channel_id = event.get("channel")
    if not isinstance(message, dict) or not isinstance(channel_id, str) or is_from_a_bot(message):
        return None
    thread_ts, ts = message.get("thread_ts"), message.get("ts")
    if not isinstance(thread_ts, str) or thread_ts == ts or not isinstance(message.get("user"), str):
        return None
    return channel_id, thread_ts


@dataclass(frozen=True)
class ThreadSyncDeps:
    """What thread replies needs, and nothing else."""

    authorization: TicketAuthorization
    delivery: TicketDelivery
    desk: TicketDesk
    directory: SlackDirectory
    reply_policy: ReplyPolicy
    sync_log: SyncJournal
    inbox: Inbox


def register(app: AsyncApp, deps: ThreadSyncDeps) -> None:
    async def sync_thread_reply(event: dict[str, Any], body: dict[str, Any], context: AsyncBoltContext) -> None:
        reply = thread_reply(event)
        if reply is None:
            return
        channel_id, thread_ts = reply
        edited = event.get("subtype") == "message_changed"
        message = event["message"] if edited else event
        ts, author_id = message.get("ts"), message["user"]
        internal = False
        record = await deps.desk.store.in_thread(channel_id, thread_ts)
        if record is None:
            # A triage message's thread: what agents write there is an internal note.
            record = await deps.desk.store.in_triage_thread(channel_id, thread_ts)
            if record is None or not await deps.authorization.is_agent(author_id, record.channel_id):
                return
            internal = True
        if record.backend != deps.desk.backend.name:
            return
        if not internal and not deps.reply_policy.syncs(
            form_id=record.form_id, author_id=author_id, requester_id=record.requester_id
        ):
            return
        text = reply_text(message, edited=edited)
        if edited and (event.get("previous_message") or {}).get("text") == message.get("text"):
            return  # an unfurl or a reaction changed the message, not its text
        if not text:
            return
        team_id = str(body.get("team_id") or context.team_id or "")
        once = f"{ts}/edit/{message.get('edited', {}).get('ts', '')}" if edited else str(ts)
        author = await deps.directory.person(author_id)
        # Remembered before sending: the helpdesk's webhook may echo it back before we hear back.
        await deps.sync_log.remember_sent(record.backend, record.ticket_id, text)
        origin = SlackOrigin(user_id=author_id, team_id=team_id, channel_id=channel_id, thread_ts=thread_ts)
        reply_request = ReplyRequest(
            ticket_id=record.ticket_id, text=text, author=author, origin=origin, internal=internal
        )
        # Sent once per Slack message, whatever Slack retries: marked sent with the reply's outbox item.
        await deps.delivery.submit(
            reply_request, once=MessageKey(team_id, channel_id, once), settles=context.get(INBOX_ID)
        )

    app.event("message")(settling(deps.inbox, sync_thread_reply))
