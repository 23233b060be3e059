""" "Try again" on a failed ticket reopens the form with everything that was typed."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.plumbing import payloads
from bot.slack.plumbing.metadata import ModalContext
from bot.slack.views.modal_states import RETRY_ACTION
from bot.slack.ways_in.late_trigger import open_form_or_offer_button
from bot.slack.ways_in.modal import FormModal, update_view


@dataclass(frozen=True)
class RetryDeps:
    """What try again needs, and nothing else."""

    modal: FormModal


def register(app: AsyncApp, deps: RetryDeps) -> None:
    @app.action(RETRY_ACTION)
    async def reopen_draft(
        ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient, respond: AsyncRespond
    ) -> None:
        await ack()
        draft_id = str(action.get("value") or "")
        stored = await deps.modal.drafts.load(draft_id, user_id=payloads.user_id(body))
        if stored is None:
            return
        saved = ModalContext.load(stored.context) or ModalContext(form_id="", channel_id=stored.channel_id)
        context = replace(saved, draft_id=draft_id)
        view = body.get("view")
        if view is None:  # the button of a message: a fresh trigger, a new modal
            await open_form_or_offer_button(
                client,
                deps.modal,
                trigger_id=body["trigger_id"],
                draft=stored.draft,
                context=context,
                team_id=payloads.team_id(body),
                user_id=payloads.user_id(body),
                respond=respond if body.get("response_url") else None,
            )
            return
        form_id = stored.draft.form_id or deps.modal.routing.form_for(stored.channel_id)
        try:
            form = await deps.modal.catalog.get(form_id)
        except Exception as exc:
            owner = (payloads.team_id(body), payloads.user_id(body))
            await deps.modal.show_load_failure(
                client, view["id"], exc, draft=stored.draft, context=context, owner=owner
            )
            return
        await update_view(client, view["id"], deps.modal.view(form, stored.draft, replace(context, form_id=form.id)))
