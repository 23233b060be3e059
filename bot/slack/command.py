"""``/ticket [title]``: open the ticket modal, the text prefilled as its title."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.forms.model import Draft
from bot.slack.deps import Deps
from bot.slack.metadata import ModalContext
from bot.slack.modal import open_form

COMMAND = "/ticket"


def register(app: AsyncApp, deps: Deps) -> None:
    @app.command(COMMAND)
    async def open_ticket_modal(ack: AsyncAck, command: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        await open_form(
            client,
            deps,
            trigger_id=command["trigger_id"],
            draft=Draft(title=str(command.get("text") or "").strip()),
            context=ModalContext(form_id="", channel_id=command.get("channel_id")),
        )
