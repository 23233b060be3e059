"""Posting the ticket message: in the channel it was asked from, by DM when that fails; once.

The post carries the ticket in its message metadata, so that an attempt after one that may have
posted (the process died, the answer was lost) finds that post in the thread instead of posting
a second one. A failure that may pass (Slack unreachable, rate limiting) raises
``TransientFailure`` and the delivery retries the step; one that will not (not in the channel)
falls back to the DM."""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.delivery.failures import TransientFailure
from bot.domain.ticket import Ticket
from bot.slack.plumbing.calls import best_effort, passing, slack_error
from bot.slack.plumbing.messages import metadata_payload
from bot.slack.plumbing.pace import ChannelPace
from bot.slack.views.ticket_message import ticket_message, ticket_ref
from bot.tickets.ports import TicketRecords

log = logging.getLogger(__name__)

TICKET_EVENT = "ticket_announced"


async def announce_ticket(
    client: AsyncWebClient,
    store: TicketRecords,
    record: Ticket,
    *,
    thread_ts: str | None = None,
    look_first: bool = False,
    pace: ChannelPace | None = None,
) -> Ticket:
    """Post the ticket message (as a reply in ``thread_ts`` when the ticket lives in an existing
    thread), else by DM, and remember where; returns the record with its Slack place. Nothing is
    posted when the ticket's message is known, or (``look_first``) found in the thread."""
    if look_first:  # an earlier attempt may have posted and stored its place
        stored = await store.get(record.backend, record.ticket_id)
        if stored is not None and stored.message_ts:
            return stored
    text, blocks = ticket_message(record)
    places = [(record.channel_id, thread_ts), (record.requester_id, None)]
    for channel, thread in places:
        if not channel:
            continue
        found = await _earlier_post(client, channel, thread, record) if look_first else None
        if found is not None:
            posted_in, ts = found
        else:
            if pace is not None:  # raises NotYet when the channel's turn is far off
                await pace.turn(channel)
            try:
                response = await client.chat_postMessage(
                    channel=channel,
                    thread_ts=thread,
                    text=text,
                    blocks=blocks,
                    unfurl_links=False,
                    metadata={"event_type": TICKET_EVENT, "event_payload": {"ticket": ticket_ref(record)}},
                )
            except SlackApiError as exc:
                if passing(exc):
                    raise TransientFailure(f"Slack: {slack_error(exc)}") from exc
                log.info("cannot post ticket %s in %s: %s", record.ticket_id, channel, slack_error(exc))
                continue
            except Exception as exc:  # the connection to Slack: aiohttp's errors, timeouts
                raise TransientFailure(f"Slack unreachable ({type(exc).__name__})") from exc
            posted_in, ts = str(response["channel"]), str(response["ts"])
        root = thread or ts
        stored = await store.set_slack_message(
            record.backend, record.ticket_id, channel_id=posted_in, message_ts=ts, thread_ts=root
        )
        return await _renamed_meanwhile(
            client, stored, replace(record, channel_id=posted_in, message_ts=ts, thread_ts=root)
        )
    log.warning("ticket %s was filed but could not be posted in Slack", record.ticket_id)
    return record


async def _earlier_post(
    client: AsyncWebClient, channel: str, thread_ts: str | None, record: Ticket
) -> tuple[str, str] | None:
    """This ticket's message, if an earlier attempt posted it: in the thread, else among the
    newest messages of the channel (or of the DM, for a member ID)."""
    try:
        if thread_ts:
            response = await client.conversations_replies(
                channel=channel, ts=thread_ts, include_all_metadata=True, limit=200
            )
        else:
            if channel.startswith(("U", "W")):  # a member: their DM with the app
                opened = await client.conversations_open(users=channel)
                channel = str((opened.get("channel") or {}).get("id") or channel)
            response = await client.conversations_history(channel=channel, include_all_metadata=True, limit=50)
    except SlackApiError as exc:
        if passing(exc):
            raise TransientFailure(f"Slack: {slack_error(exc)}") from exc
        return None  # cannot look (a missing scope, say): post
    for message in response.get("messages") or []:
        if _announces(message, record):
            return channel, str(message["ts"])
    return None


def _announces(message: Any, record: Ticket) -> bool:
    payload = metadata_payload(message, TICKET_EVENT)
    return payload is not None and payload.get("ticket") == ticket_ref(record) and isinstance(message.get("ts"), str)


async def _renamed_meanwhile(client: AsyncWebClient, stored: Ticket | None, posted: Ticket) -> Ticket:
    """The helpdesk may name the ticket (a webhook) while its message is being posted, before
    the message's place is stored for the rename to find: show the stored name then (``stored``
    is read with the place, in one transaction)."""
    if stored is None or (stored.friendly_id, stored.url) == (posted.friendly_id, posted.url):
        return posted
    current = replace(posted, friendly_id=stored.friendly_id, url=stored.url)
    text, blocks = ticket_message(current)
    await best_effort(
        client.chat_update(channel=str(current.channel_id), ts=str(current.message_ts), text=text, blocks=blocks),
        f"renaming {current.ticket_id}",
    )
    return current
