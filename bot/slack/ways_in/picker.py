"""Choosing another form in the modal updates it in place, keeping Title and Description."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.filing import BackendError
from bot.domain.forms import Form
from bot.slack.plumbing.metadata import ModalContext
from bot.slack.views.form import PICKER_ACTION
from bot.slack.views.modal_states import load_failed_view
from bot.slack.views.state import parse_state, picked_form_id
from bot.slack.ways_in.modal import FormModal, update_view


@dataclass(frozen=True)
class PickerDeps:
    """What the form picker needs, and nothing else."""

    modal: FormModal


def register(app: AsyncApp, deps: PickerDeps) -> None:
    @app.action(PICKER_ACTION)
    async def switch_form(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        view = body.get("view") or {}
        context = ModalContext.load(view.get("private_metadata"))
        new_form_id = picked_form_id((view.get("state") or {}).get("values"))
        if context is None or new_form_id is None or not deps.modal.catalog.knows(new_form_id):
            return
        old_form = deps.modal.catalog.cached(context.form_id) or Form(id=context.form_id, name="")
        draft = replace(parse_state(old_form, view["state"]["values"]), form_id=new_form_id)
        try:
            form = await deps.modal.catalog.get(new_form_id)
        except BackendError as exc:
            await update_view(client, view["id"], load_failed_view(deps.modal.helpdesk, exc.reason))
            return
        new_context = ModalContext(form_id=new_form_id, channel_id=context.channel_id, draft_id=context.draft_id)
        # The hash makes Slack refuse this update if the person changed the modal meanwhile.
        await update_view(client, view["id"], deps.modal.view(form, draft, new_context), view_hash=view.get("hash"))
