"""Help channels where every new message is a ticket (routes with ``auto_create: true``): a
person's new top-level message files a ticket with the channel's form, without a click, under the
same one-ticket-per-message claim as every other way in. Not a ticket: bot messages, thread
replies, edits, joins and other events, messages that only greet or thank, messages starting with
the skip prefix (``bot.domain.auto_create``), and, while the grace period lasts, a message that
gets the "no ticket" reaction from its author or an agent."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.delivery.service import TicketDelivery
from bot.domain.thread import ThreadKey
from bot.routing import Routing
from bot.slack.calls import best_effort
from bot.slack.inbox import INBOX_ID, Inbox, settling
from bot.slack.message_request import MessageTickets
from bot.slack.messages import is_from_a_bot, text_with_files
from bot.tickets.authorization import TicketAuthorization
from bot.tickets.ports import ThreadClaims

log = logging.getLogger(__name__)

FILED_SUBTYPES = {None, "file_share"}
"""A person's message, with or without files; every other subtype is an event, not a request."""


def posted_within(message_ts: str, seconds: float, *, now: float) -> bool:
    """Whether the message (its ``ts`` is when it was posted) is at most ``seconds`` old at ``now``."""
    try:
        return now - float(message_ts) <= seconds
    except ValueError:
        return False


def new_request_message(event: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The event, when it is a person's new top-level message; else ``None``."""
    if event.get("subtype") not in FILED_SUBTYPES or is_from_a_bot(event):
        return None
    ts, thread_ts = event.get("ts"), event.get("thread_ts")
    if not isinstance(ts, str) or not isinstance(event.get("channel"), str) or not isinstance(event.get("user"), str):
        return None
    if thread_ts is not None and thread_ts != ts:
        return None  # a reply in a thread (also sent to the channel or not)
    return event


def changed_message(event: Mapping[str, Any]) -> tuple[str, Mapping[str, Any] | None] | None:
    """``(ts, the message as it is now)`` when the event edits a person's top-level message, or
    ``(ts, None)`` when it deletes one; else ``None``."""
    subtype = event.get("subtype")
    if subtype == "message_deleted":
        ts, before = event.get("deleted_ts"), event.get("previous_message")
        if not isinstance(ts, str) or (isinstance(before, dict) and is_from_a_bot(before)):
            return None
        return ts, None
    message = event.get("message") if subtype == "message_changed" else None
    if not isinstance(message, dict) or is_from_a_bot(message) or not isinstance(message.get("user"), str):
        return None
    ts, thread_ts = message.get("ts"), message.get("thread_ts")
    if not isinstance(ts, str) or (thread_ts is not None and thread_ts != ts):
        return None
    return ts, message


@dataclass(frozen=True)
class ChannelMessagesDeps:
    """What auto-create needs, and nothing else."""

    authorization: TicketAuthorization
    delivery: TicketDelivery
    message_tickets: MessageTickets
    routing: Routing
    thread_claims: ThreadClaims
    inbox: Inbox
    clock: Callable[[], float] = time.time


def register(app: AsyncApp, deps: ChannelMessagesDeps) -> None:
    rules = deps.routing.auto_create
    channels = deps.routing.auto_create_channels

    async def in_auto_create_channel(event: dict[str, Any]) -> bool:
        return event.get("channel") in channels and new_request_message(event) is not None

    async def changed_in_auto_create_channel(event: dict[str, Any]) -> bool:
        return event.get("channel") in channels and changed_message(event) is not None

    async def no_ticket_reaction(event: dict[str, Any]) -> bool:
        item = event.get("item") or {}
        return event.get("reaction") == rules.no_ticket_reaction and item.get("channel") in channels

    async def file_channel_message(
        event: dict[str, Any], body: dict[str, Any], context: AsyncBoltContext, client: AsyncWebClient
    ) -> None:
        reason = rules.skip_reason(text_with_files(event))
        if reason is not None:
            log.debug("message in %s is not a ticket: %s", event["channel"], reason)
            return
        team_id = str(body.get("team_id") or context.team_id or "")
        key = ThreadKey(team_id=team_id, channel_id=event["channel"], thread_ts=event["ts"])
        if await deps.thread_claims.get(key) is not None:
            return  # Slack's retry, or filed another way already
        request = await deps.message_tickets.request(client, event, key, reporter=event["user"], auto_created=True)
        if not await deps.delivery.submit(
            request, claim=key, hold_seconds=rules.grace_seconds, settles=context.get(INBOX_ID)
        ):
            await deps.message_tickets.drafts.discard(str(request.origin.draft_id))

    async def refile_changed_message(
        event: dict[str, Any], body: dict[str, Any], context: AsyncBoltContext, client: AsyncWebClient
    ) -> None:
        """Within the grace period an edit is filed as edited and a deletion not at all; after
        it (the ticket is filed), nothing changes here."""
        changed = changed_message(event)
        if changed is None or not posted_within(changed[0], rules.grace_seconds, now=deps.clock()):
            return
        ts, message = changed
        team_id = str(body.get("team_id") or context.team_id or "")
        key = ThreadKey(team_id=team_id, channel_id=event["channel"], thread_ts=ts)
        if message is None or rules.skip_reason(text_with_files(message)) is not None:
            if await deps.delivery.withdraw_held(key):
                log.info("message %s/%s withdrawn before filing: deleted or edited to skip", key.channel_id, ts)
            return
        # Everything that can be slow comes first: between the withdrawal and the new claim, the
        # message itself (if still on its way in) must find the thread claimed.
        request = await deps.message_tickets.request(
            client, {**message, "channel": event["channel"]}, key, reporter=str(message["user"]), auto_created=True
        )
        hold = max(0.0, rules.grace_seconds - (deps.clock() - float(ts)))
        # Withdrawing before the message arrived leaves an empty claim (so it is not filed when it
        # does); the edit files it instead.
        filed = await deps.delivery.withdraw_held(key)
        if filed:
            await deps.thread_claims.release(key)
        if not filed or not await deps.delivery.submit(
            request, claim=key, hold_seconds=hold, settles=context.get(INBOX_ID)
        ):
            await deps.message_tickets.drafts.discard(str(request.origin.draft_id))

    async def withdraw_before_filing(
        event: dict[str, Any], body: dict[str, Any], context: AsyncBoltContext, client: AsyncWebClient
    ) -> None:
        item = event.get("item") or {}
        user_id, message_ts = event.get("user"), item.get("ts")
        if not isinstance(user_id, str) or not isinstance(message_ts, str):
            return
        if user_id != event.get("item_user") and not await deps.authorization.is_agent(user_id, item["channel"]):
            return  # only the author or an agent says a message is not a ticket
        team_id = str(body.get("team_id") or context.team_id or "")
        key = ThreadKey(team_id=team_id, channel_id=item["channel"], thread_ts=message_ts)
        if posted_within(message_ts, rules.grace_seconds, now=deps.clock()) and await deps.delivery.withdraw_held(key):
            log.info("message %s/%s withdrawn before filing", key.channel_id, message_ts)
            return
        # After the grace period the message is a ticket: "Not a ticket" on its message withdraws it.
        text = "This message is filed as a ticket already: use *Not a ticket* on its ticket message to withdraw it."
        await best_effort(
            client.chat_postEphemeral(channel=key.channel_id, user=user_id, thread_ts=message_ts, text=text),
            f"answering {user_id}",
        )

    app.event("message", matchers=[in_auto_create_channel])(settling(deps.inbox, file_channel_message))
    app.event("message", matchers=[changed_in_auto_create_channel])(settling(deps.inbox, refile_changed_message))
    app.event("reaction_added", matchers=[no_ticket_reaction])(settling(deps.inbox, withdraw_before_filing))
