"""Posting the ticket message: in the channel it was asked from, by DM when that fails."""

from __future__ import annotations

import logging
from dataclasses import replace

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.ticket_message import ticket_message
from bot.storage.tickets import TicketRecord, TicketStore

log = logging.getLogger(__name__)


async def announce_ticket(
    client: AsyncWebClient, store: TicketStore, record: TicketRecord, *, thread_ts: str | None = None
) -> TicketRecord:
    """Post the ticket message (as a reply in ``thread_ts`` when the ticket lives in an existing
    thread), else by DM, and remember where; returns the record with its Slack place."""
    text, blocks = ticket_message(record)
    places = [(record.channel_id, thread_ts), (record.requester_id, None)]
    for channel, thread in places:
        if not channel:
            continue
        try:
            response = await client.chat_postMessage(
                channel=channel, thread_ts=thread, text=text, blocks=blocks, unfurl_links=False
            )
        except SlackApiError as exc:
            log.info("cannot post ticket %s in %s: %s", record.friendly_id, channel, exc.response.get("error"))
            continue
        posted_in, ts = str(response["channel"]), str(response["ts"])
        root = thread or ts
        await store.set_slack_message(
            record.backend, record.ticket_id, channel_id=posted_in, message_ts=ts, thread_ts=root
        )
        return await _renamed_meanwhile(
            client, store, replace(record, channel_id=posted_in, message_ts=ts, thread_ts=root)
        )
    log.warning("ticket %s was filed but could not be posted in Slack", record.friendly_id)
    return record


async def _renamed_meanwhile(client: AsyncWebClient, store: TicketStore, posted: TicketRecord) -> TicketRecord:
    """The helpdesk may name the ticket (a webhook) while its message is being posted, before
    the message's place is stored for the rename to find: show the stored name then."""
    stored = await store.get(posted.backend, posted.ticket_id)
    if stored is None or (stored.friendly_id, stored.url) == (posted.friendly_id, posted.url):
        return posted
    current = replace(posted, friendly_id=stored.friendly_id, url=stored.url)
    text, blocks = ticket_message(current)
    try:
        await client.chat_update(channel=str(current.channel_id), ts=str(current.message_ts), text=text, blocks=blocks)
    except SlackApiError as exc:
        log.info("could not rename %s: %s", current.friendly_id, exc.response.get("error"))
    return current
