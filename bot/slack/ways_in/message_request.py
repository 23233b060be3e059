"""A Slack message made into a ticket request without a modal (the ticket reaction, a help
channel's new message): the channel's form with its defaults, title = the first line, description
= the whole text with its files as links, requester = the message's author. What the person
wrote is kept as a draft until the ticket is filed (a refusal offers "Try again" with it)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.config.routing import Routing
from bot.delivery.request import SlackOrigin, TicketRequest
from bot.domain.forms import DESCRIPTION_MAX_LENGTH, Draft, FieldValue, title_from_text
from bot.domain.thread import ThreadKey
from bot.slack.plumbing.directory import SlackDirectory
from bot.slack.plumbing.messages import author, permalink, text_with_files
from bot.slack.views.limits import fit
from bot.tickets.catalog import FormCatalog
from bot.tickets.ports import Drafts

UNTITLED = "Ticket from a Slack message"


def message_text(message: dict[str, Any]) -> tuple[str, str]:
    """``(title, description)`` a message files as: the whole text with its files as links (cut
    to the helpdesk's limit), titled by its first line."""
    description = fit(text_with_files(message), DESCRIPTION_MAX_LENGTH)
    title = title_from_text(str(message.get("text") or "")) or title_from_text(description) or UNTITLED
    return title, description


@dataclass(frozen=True)
class MessageTickets:
    """What making a request from a message needs."""

    catalog: FormCatalog
    directory: SlackDirectory
    drafts: Drafts
    routing: Routing

    async def request(
        self,
        client: AsyncWebClient,
        message: dict[str, Any],
        key: ThreadKey,
        *,
        reporter: str,
        auto_created: bool = False,
    ) -> TicketRequest:
        requester = author(message) or reporter
        title, description = message_text(message)
        form_id = self.routing.form_for(key.channel_id)
        form = self.catalog.cached(form_id)
        fields = form.fields if form else ()
        defaults: dict[str, FieldValue] = {f.id: f.default for f in fields if f.default is not None}
        draft = Draft(form_id=form_id, title=title, description=description, values=defaults)
        draft_id = await self.drafts.save(draft, team_id=key.team_id, user_id=reporter, channel_id=key.channel_id)
        people = await self.directory.people([requester, reporter])
        message_ts = str(message.get("ts"))
        origin = SlackOrigin(
            user_id=reporter,
            team_id=key.team_id,
            channel_id=key.channel_id,
            draft_id=draft_id,
            message_ts=message_ts,
            thread_ts=key.thread_ts,
            via_reaction=not auto_created,
            auto_created=auto_created,
        )
        return TicketRequest(
            form_id=form_id,
            draft=draft,
            requester=people[requester],
            reporter=people[reporter],
            origin=origin,
            people=people,
            message_link=await permalink(client, key.channel_id, message_ts),
        )
