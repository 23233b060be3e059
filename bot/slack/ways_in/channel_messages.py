"""Help channels where every new message is a ticket (routes with ``auto_create: true``): a
person's new top-level message files a ticket with the channel's form, without a click, under the
same one-ticket-per-message claim as every other way in. Not a ticket: bot messages, thread
replies, edits, joins and other events, messages that only greet or thank, messages starting with
the skip prefix (``bot.domain.auto_create``), and, while the grace period lasts, a message that
gets the "no ticket" reaction from its author or an agent. A person's messages within the
route's ``coalesce_seconds`` are one ticket (``bot.delivery.joined``): the first waits that long,
the others join it; one that comes once it is being filed is sent to it as a reply."""

from __future__ import annotations

import asyncio
import logging
import time
import weakref
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.config.routing import Routing
from bot.delivery.service import TicketDelivery
from bot.domain.thread import ThreadKey
from bot.slack.plumbing.calls import best_effort
from bot.slack.plumbing.messages import is_from_a_bot, text_with_files
from bot.slack.recording.inbox import INBOX_ID, Inbox, settling
from bot.slack.ways_in.message_request import MessageTickets, message_text
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


def hold_left(message_ts: str, seconds: float, *, now: float) -> float:
    """How much longer a message waits to be filed, to be ``seconds`` old at ``now``."""
    try:
        return min(seconds, max(0.0, seconds - (now - float(message_ts))))
    except ValueError:
        return seconds


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
    # One person's messages in a channel are filed one after another, so that each finds the
    # ticket the one before it claimed (Slack sends a quick burst of them at once).
    authors: weakref.WeakValueDictionary[tuple[str, str], asyncio.Lock] = weakref.WeakValueDictionary()

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
        if await deps.thread_claims.get(key) is None:  # else Slack's retry, or filed another way already
            await file_or_join(client, event, key, context)

    async def file_or_join(
        client: AsyncWebClient, message: dict[str, Any], key: ThreadKey, context: AsyncBoltContext
    ) -> None:
        """The message joins its author's ticket of the last ``coalesce_seconds``, or is filed
        on its own once it is ``hold_seconds`` old."""
        async with in_turn(key.channel_id, str(message["user"])):
            filing = await file_or_join_in_turn(client, message, key, context)
        if filing is not None:
            await filing

    def in_turn(channel_id: str, author_id: str) -> asyncio.Lock:
        """One person's messages in a channel, and their edits, are recorded one after another:
        each finds what the one before it claimed (Slack sends a quick burst of them at once)."""
        return authors.setdefault((channel_id, author_id), asyncio.Lock())

    async def file_or_join_in_turn(
        client: AsyncWebClient, message: dict[str, Any], key: ThreadKey, context: AsyncBoltContext
    ) -> Awaitable[None] | None:
        """Recorded in turn; what is left is the first attempt, made after the turn (so that a
        slow helpdesk holds back none of the person's other messages)."""
        if await deps.thread_claims.get(key) is not None:
            return None  # Slack's retry, handled while this one waited its turn
        author_id = str(message["user"])
        if rules.coalesce_seconds > 0:
            _, text = message_text(message)
            author = await deps.message_tickets.directory.person(author_id)
            within = rules.coalesce_seconds
            if await deps.delivery.join(
                key, author=author, text=text, within_seconds=within, settles=context.get(INBOX_ID)
            ):
                return None
        request = await deps.message_tickets.request(client, message, key, reporter=author_id, auto_created=True)
        hold = hold_left(key.thread_ts, rules.hold_seconds, now=deps.clock())
        settles = context.get(INBOX_ID)
        item = await deps.delivery.record_submission(
            request, claim=key, hold_seconds=hold, settles=settles, author_id=author_id
        )
        if item is None:
            await deps.message_tickets.drafts.discard(str(request.origin.draft_id))
            return None
        return deps.delivery.attempt_now(item, request) if hold <= 0 else None

    async def refile_changed_message(
        event: dict[str, Any], body: dict[str, Any], context: AsyncBoltContext, client: AsyncWebClient
    ) -> None:
        """While the ticket waits to be filed, an edit changes what is filed and a deletion
        takes the message out; after it (the ticket is filed), nothing changes here."""
        changed = changed_message(event)
        if changed is None or not posted_within(changed[0], rules.hold_seconds, now=deps.clock()):
            return
        ts, message = changed
        team_id = str(body.get("team_id") or context.team_id or "")
        key = ThreadKey(team_id=team_id, channel_id=event["channel"], thread_ts=ts)
        author_id = str((message or event.get("previous_message") or {}).get("user") or "")
        async with in_turn(key.channel_id, author_id):
            await change_in_turn(client, {**message, "channel": key.channel_id} if message else None, key, context)

    async def change_in_turn(
        client: AsyncWebClient, message: dict[str, Any] | None, key: ThreadKey, context: AsyncBoltContext
    ) -> None:
        if message is None or rules.skip_reason(text_with_files(message)) is not None:
            if await deps.delivery.withdraw_held(key):
                log.info(
                    "message %s/%s withdrawn before filing: deleted or edited to skip", key.channel_id, key.thread_ts
                )
            return
        title, text = message_text(message)
        if await deps.thread_claims.get(key) is not None:
            await deps.delivery.revise_held(key, title=title, text=text)
            return
        # The edit came before the message itself: claimed empty (so that the message is not
        # filed when it arrives), then filed as edited.
        if await deps.delivery.withdraw_held(key):
            await deps.thread_claims.release(key)
            filing = await file_or_join_in_turn(client, message, key, context)
            if filing is not None:
                await filing

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
        if posted_within(message_ts, rules.hold_seconds, now=deps.clock()) and await deps.delivery.withdraw_held(key):
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
