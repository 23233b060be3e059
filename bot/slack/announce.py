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
        return replace(record, channel_id=posted_in, message_ts=ts, thread_ts=root)
    log.warning("ticket %s was filed but could not be posted in Slack", record.friendly_id)
    return record
