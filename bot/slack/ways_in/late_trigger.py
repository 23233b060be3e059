"""When Slack's trigger runs out before the modal opens (a burst kept us past its 3 s): keep
what the person typed and offer a button; clicking it brings a fresh trigger and the form,
prefilled, through the same path as "Try again"."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import ActionsBlock, ButtonElement, SectionBlock
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.forms import Draft
from bot.slack.plumbing import payloads
from bot.slack.plumbing.calls import slack_error
from bot.slack.plumbing.metadata import ModalContext
from bot.slack.views.modal_states import RETRY_ACTION
from bot.slack.ways_in.modal import FormModal

TRIGGER_LOST = frozenset({"expired_trigger_id", "exchanged_trigger_id"})


async def open_form_or_offer_button(
    client: AsyncWebClient,
    modal: FormModal,
    *,
    trigger_id: str,
    draft: Draft,
    context: ModalContext,
    team_id: str,
    user_id: str,
    respond: AsyncRespond | None = None,
    notice: str | None = None,
) -> None:
    """``FormModal.open``; if the trigger is gone, the button goes through ``respond`` (an
    ephemeral answer where the person asked) or, without a response URL, by DM. A form reopened
    from a stored draft (``context.draft_id``) offers that same draft again."""
    try:
        await modal.open(
            client, trigger_id=trigger_id, draft=draft, context=context, notice=notice, owner=(team_id, user_id)
        )
    except SlackApiError as exc:
        if slack_error(exc) not in TRIGGER_LOST:
            raise
        draft_id = context.draft_id or await modal.drafts.save(
            draft, team_id=team_id, user_id=user_id, channel_id=context.channel_id, context=context.dump()
        )
        text, blocks = late_trigger_message(modal.helpdesk, draft_id)
        if respond is not None:
            await respond(text=text, blocks=blocks, response_type="ephemeral", replace_original=False)
        else:
            await client.chat_postMessage(channel=user_id, text=text, blocks=blocks)


async def open_empty_form(client: AsyncWebClient, modal: FormModal, body: dict[str, Any]) -> None:
    """An empty form from a click with no channel (the global shortcut, App Home's "New ticket"):
    the ticket message goes to the requester by DM."""
    await open_form_or_offer_button(
        client,
        modal,
        trigger_id=body["trigger_id"],
        draft=Draft(),
        context=ModalContext(""),
        team_id=payloads.team_id(body),
        user_id=payloads.user_id(body),
    )


def late_trigger_message(helpdesk: str, draft_id: str) -> tuple[str, list[dict[str, Any]]]:
    text = (
        f"Slack gave us 3 seconds to open the {helpdesk} ticket form and we were too slow this time. "
        "What you typed is kept."
    )
    blocks = [
        SectionBlock(text=f":hourglass: {text}"),
        ActionsBlock(
            elements=[ButtonElement(text="Open the form", action_id=RETRY_ACTION, value=draft_id, style="primary")]
        ),
    ]
    return text, [block.to_dict() for block in blocks]
