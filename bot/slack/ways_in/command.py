"""``/ticket [title]``: open the ticket modal, the text prefilled as its title."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.forms import Draft
from bot.slack.plumbing.metadata import ModalContext
from bot.slack.ways_in.late_trigger import open_form_or_offer_button
from bot.slack.ways_in.modal import FormModal

COMMAND = "/ticket"


@dataclass(frozen=True)
class CommandDeps:
    """What the ``/ticket`` command needs, and nothing else."""

    modal: FormModal


def register(app: AsyncApp, deps: CommandDeps) -> None:
    @app.command(COMMAND)
    async def open_ticket_modal(
        ack: AsyncAck, command: dict[str, Any], client: AsyncWebClient, respond: AsyncRespond
    ) -> None:
        await ack()
        await open_form_or_offer_button(
            client,
            deps.modal,
            trigger_id=command["trigger_id"],
            draft=Draft(title=str(command.get("text") or "").strip()),
            context=ModalContext(form_id="", channel_id=command.get("channel_id")),
            team_id=str(command.get("team_id") or ""),
            user_id=str(command.get("user_id")),
            respond=respond,
        )
