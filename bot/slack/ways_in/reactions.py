"""A ticket emoji on a message files it at once (there is no trigger, so no modal)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.web.async_client import AsyncWebClient

from bot.config.routing import Routing
from bot.delivery.service import TicketDelivery
from bot.domain.thread import ThreadKey
from bot.slack.plumbing.calls import best_effort
from bot.slack.plumbing.messages import fetch_message, is_from_a_bot, thread_root
from bot.slack.recording.inbox import INBOX_ID, Inbox, settling
from bot.slack.views.modal_states import already_text
from bot.slack.ways_in.message_request import MessageTickets
from bot.tickets.ports import ThreadClaims

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReactionsDeps:
    """What the ticket reaction needs, and nothing else."""

    delivery: TicketDelivery
    message_tickets: MessageTickets
    routing: Routing
    thread_claims: ThreadClaims
    ticket_emoji: tuple[str, ...]
    inbox: Inbox


def register(app: AsyncApp, deps: ReactionsDeps) -> None:
    async def file_from_reaction(
        event: dict[str, Any],
        body: dict[str, Any],
        context: AsyncBoltContext,
        client: AsyncWebClient,
        request: AsyncBoltRequest,
    ) -> None:
        item = event.get("item") or {}
        channel_id, message_ts = item.get("channel"), item.get("ts")
        if event.get("reaction") not in deps.ticket_emoji or item.get("type") != "message":
            log.debug("ignored reaction %s", event.get("reaction"))
            return
        if not isinstance(channel_id, str) or not isinstance(message_ts, str) or not deps.routing.covers(channel_id):
            log.debug("ignored reaction in %s: not routed", channel_id)
            return
        if event.get("item_user") == context.bot_user_id:
            return
        message = await fetch_message(client, channel_id, message_ts)
        if message is None or is_from_a_bot(message):
            log.debug("ignored reaction on %s/%s: missing or a bot's message", channel_id, message_ts)
            return
        root = thread_root(message) or message_ts
        team_id = str(body.get("team_id") or context.team_id or "")
        key = ThreadKey(team_id=team_id, channel_id=channel_id, thread_ts=root)
        if await deps.thread_claims.get(key) is None:
            # Everything that can fail (users.info, the permalink) comes before the claim, which
            # commits with the delivery that files it, or not at all.
            ticket_request = await deps.message_tickets.request(client, message, key, reporter=str(event.get("user")))
            if await deps.delivery.submit(ticket_request, claim=key, settles=context.get(INBOX_ID)):
                return
            await deps.message_tickets.drafts.discard(str(ticket_request.origin.draft_id))
        # A reaction on a reply in a thread that has its ticket says so, to the person who reacted
        # alone (ten people reacting make no noise in the channel); Slack's retries stay quiet.
        if message_ts != root and not request.headers.get("x-slack-retry-num"):
            await _tell(client, key, str(event.get("user")), already_text(await deps.thread_claims.get(key)))

    app.event("reaction_added")(settling(deps.inbox, file_from_reaction))


async def _tell(client: AsyncWebClient, key: ThreadKey, user_id: str, text: str) -> None:
    await best_effort(
        client.chat_postEphemeral(channel=key.channel_id, user=user_id, thread_ts=key.thread_ts, text=text),
        f"answering in {key.channel_id}",
    )
