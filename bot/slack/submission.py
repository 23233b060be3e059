"""Submitting the ticket modal: validate inline, then file while the modal says so."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.backends.base import BackendError, NewTicket
from bot.forms.model import Draft, FieldKind, Form
from bot.forms.values import parse_state, validate
from bot.forms.view import FORM_CALLBACK_ID, TITLE_BLOCK
from bot.slack.announce import announce_ticket
from bot.slack.deps import Deps
from bot.slack.metadata import ModalContext
from bot.slack.modal import update_view
from bot.slack.status_views import failed_view, failure_blocks, filed_view, submitting_view

log = logging.getLogger(__name__)

FORM_WAIT_SECONDS = 2.0
"""How long a submission may wait for an uncached form and still answer Slack within 3 s."""


def register(app: AsyncApp, deps: Deps) -> None:
    @app.view(FORM_CALLBACK_ID)
    async def submit_ticket(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient) -> None:
        context = ModalContext.load(view.get("private_metadata"))
        form = await deps.catalog.get_within(context.form_id, FORM_WAIT_SECONDS) if context else None
        if context is None or form is None:
            await ack(
                response_action="errors",
                errors={TITLE_BLOCK: f"{deps.helpdesk} is slow to answer; submit again."},
            )
            return
        draft = parse_state(form, (view.get("state") or {}).get("values"))
        draft.form_id = form.id
        errors = validate(form, draft)
        if errors:
            await ack(response_action="errors", errors=errors)
            return
        await ack(response_action="update", view=submitting_view(deps.helpdesk))
        await file_from_modal(client, deps, body, view["id"], form, draft, context)


async def file_from_modal(
    client: AsyncWebClient,
    deps: Deps,
    body: dict[str, Any],
    view_id: str,
    form: Form,
    draft: Draft,
    context: ModalContext,
) -> None:
    user = body.get("user") or {}
    user_id = str(user.get("id"))
    team_id = str(user.get("team_id") or (body.get("team") or {}).get("id") or "")
    draft_id = await deps.drafts.save(draft, team_id=team_id, user_id=user_id, channel_id=context.channel_id)
    people = await deps.directory.people([user_id, *_people_in(form, draft)])
    ticket = NewTicket(
        form=form,
        draft=draft,
        requester=people[user_id],
        reporter=people[user_id],
        team_id=team_id,
        channel_id=context.channel_id,
        people=people,
    )
    try:
        record = await deps.desk.file(ticket)
    except BackendError as exc:
        log.info("ticket not filed for %s: %s", user_id, exc.reason)
        view = failed_view(deps.helpdesk, exc.reason, draft_id=draft_id, retryable=exc.retryable)
        if not await update_view(client, view_id, view):
            await _tell_by_dm(client, user_id, exc, draft_id, deps.helpdesk)
        return
    record = await announce_ticket(client, deps.desk.store, record)
    where = f"Follow it in <#{record.channel_id}>." if record.channel_id else "Follow it in the helpdesk."
    await update_view(client, view_id, filed_view(record, where))
    for done in {draft_id, context.draft_id} - {None}:
        await deps.drafts.discard(str(done))


def _people_in(form: Form, draft: Draft) -> list[str]:
    people: list[str] = []
    for form_field in form.fields:
        value = draft.values.get(form_field.id)
        if form_field.kind is FieldKind.USER:
            people.extend(value if isinstance(value, list) else [value] if isinstance(value, str) else [])
    return people


async def _tell_by_dm(client: AsyncWebClient, user_id: str, exc: BackendError, draft_id: str, helpdesk: str) -> None:
    blocks = failure_blocks(helpdesk, exc.reason, draft_id=draft_id, retryable=exc.retryable)
    try:
        await client.chat_postMessage(channel=user_id, text=f"Your ticket was not filed: {exc.reason}", blocks=blocks)
    except SlackApiError as dm_error:
        log.error("could not tell %s that their ticket failed: %s", user_id, dm_error.response.get("error"))
