"""The "New ticket" global shortcut and the "Create ticket" message shortcut."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.forms import Draft, title_from_text
from bot.domain.thread import ThreadKey
from bot.slack.plumbing import payloads
from bot.slack.plumbing.messages import author, thread_root
from bot.slack.plumbing.metadata import ModalContext
from bot.slack.views.modal_states import already_filed_view
from bot.slack.ways_in.late_trigger import open_empty_form, open_form_or_offer_button
from bot.slack.ways_in.modal import FormModal
from bot.tickets.ports import ThreadClaims

GLOBAL_SHORTCUT = "create_ticket"
MESSAGE_SHORTCUT = "create_ticket_from_message"


@dataclass(frozen=True)
class ShortcutsDeps:
    """What the shortcuts that open the form needs, and nothing else."""

    modal: FormModal
    thread_claims: ThreadClaims


def register(app: AsyncApp, deps: ShortcutsDeps) -> None:
    @app.shortcut(GLOBAL_SHORTCUT)
    async def new_ticket(ack: AsyncAck, shortcut: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        await open_empty_form(client, deps.modal, shortcut)

    @app.shortcut(MESSAGE_SHORTCUT)
    async def ticket_from_message(
        ack: AsyncAck, shortcut: dict[str, Any], client: AsyncWebClient, respond: AsyncRespond
    ) -> None:
        await ack()
        message = shortcut.get("message") or {}
        channel_id = (shortcut.get("channel") or {}).get("id")
        root = thread_root(message)
        clicked_by = payloads.user_id(shortcut)
        if not isinstance(channel_id, str) or root is None:
            return
        team_id = payloads.team_id(shortcut)
        existing = await deps.thread_claims.get(ThreadKey(team_id, channel_id, root))
        if existing is not None:
            await client.views_open(trigger_id=shortcut["trigger_id"], view=already_filed_view(existing))
            return
        requester = author(message) or clicked_by
        text = str(message.get("text") or "")
        context = ModalContext(
            form_id="",
            channel_id=channel_id,
            requester_id=requester if requester != clicked_by else None,
            message_ts=str(message.get("ts")),
            thread_ts=root,
        )
        await open_form_or_offer_button(
            client,
            deps.modal,
            trigger_id=shortcut["trigger_id"],
            draft=Draft(title=title_from_text(text), description=text),
            context=context,
            team_id=team_id,
            user_id=clicked_by,
            respond=respond if shortcut.get("response_url") else None,
            notice=on_behalf_notice(requester, clicked_by, deps.modal.helpdesk),
        )


def on_behalf_notice(requester: str, reporter: str, helpdesk: str) -> str | None:
    if requester == reporter:
        return None
    return (
        f"This ticket is for <@{requester}>, who wrote the message. Unless you are a {helpdesk} admin, "
        f"{helpdesk} files it in their name, not yours."
    )
