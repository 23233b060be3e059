"""Submitting the ticket modal: validate inline, then file while the modal says so."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, replace
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.exc import SQLAlchemyError

from bot.delivery.request import SlackOrigin, TicketRequest
from bot.delivery.service import TicketDelivery
from bot.domain.forms import Draft, DraftToKeep, FieldKind, Form
from bot.domain.thread import ThreadKey
from bot.slack.plumbing import payloads
from bot.slack.plumbing.directory import SlackDirectory
from bot.slack.plumbing.messages import permalink
from bot.slack.plumbing.metadata import ModalContext
from bot.slack.views.form import FORM_CALLBACK_ID, TITLE_BLOCK
from bot.slack.views.modal_states import already_filed_view, submitting_view
from bot.slack.views.state import parse_state, validate
from bot.slack.ways_in.modal import FormModal, update_view
from bot.tickets.ports import ThreadClaims

log = logging.getLogger(__name__)

UNSAVED = "Your ticket could not be saved just now (the app's database is not answering). Submit again in a moment."
FORM_WAIT_SECONDS = 2.0
"""How long a submission may wait for an uncached form and still answer Slack within 3 s."""


@dataclass(frozen=True)
class SubmissionDeps:
    """What submitting the form needs, and nothing else."""

    modal: FormModal
    delivery: TicketDelivery
    directory: SlackDirectory
    thread_claims: ThreadClaims


def register(app: AsyncApp, deps: SubmissionDeps) -> None:
    @app.view(FORM_CALLBACK_ID)
    async def submit_ticket(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient) -> None:
        context = ModalContext.load(view.get("private_metadata"))
        form = await deps.modal.catalog.get_within(context.form_id, FORM_WAIT_SECONDS) if context else None
        if context is None or form is None:
            await ack(
                response_action="errors",
                errors={TITLE_BLOCK: f"{deps.modal.helpdesk} is slow to answer; submit again."},
            )
            return
        draft = parse_state(form, (view.get("state") or {}).get("values"))
        draft = replace(draft, form_id=form.id)
        errors = validate(form, draft)
        if errors:
            await ack(response_action="errors", errors=errors)
            return
        key = thread_key_of(body, context)
        try:
            existing = await deps.thread_claims.get(key) if key is not None else None
        except SQLAlchemyError as exc:  # fail closed: the modal stays, with everything typed
            log.warning("ticket not recorded, the database failed: %s", type(exc).__name__)
            await ack(response_action="errors", errors={TITLE_BLOCK: UNSAVED})
            return
        if existing is not None:
            await ack(response_action="update", view=already_filed_view(existing))
            return
        await ack(response_action="update", view=submitting_view(deps.modal.helpdesk))
        try:
            request, keep = await ticket_request(deps, body, view["id"], form, draft, context)
            if context.message_ts and context.channel_id:
                link = await permalink(client, context.channel_id, context.message_ts)
                request = replace(request, message_link=link)
            # The thread's claim commits with the delivery: a race lost here files nothing.
            item = await deps.delivery.record(request, claim=key, draft=keep)
        except SQLAlchemyError as exc:  # nothing was recorded: the form again, with what was typed
            log.warning("ticket not recorded, the database failed: %s", type(exc).__name__)
            await update_view(client, view["id"], deps.modal.view(form, draft, context, f":warning: {UNSAVED}"))
            return
        if item is not None:
            await deps.delivery.attempt_now(item, request)
        elif key is not None:
            await update_view(client, view["id"], already_filed_view(await deps.thread_claims.get(key)))


async def ticket_request(
    deps: SubmissionDeps, body: dict[str, Any], view_id: str, form: Form, draft: Draft, context: ModalContext
) -> tuple[TicketRequest, DraftToKeep]:
    """Who asks for what, from where; and the draft to keep with it (so nothing typed is lost),
    recorded in the same transaction."""
    user_id, team_id = user_and_team(body)
    saved_context = replace(context, draft_id=None).dump()
    keep = DraftToKeep(uuid.uuid4().hex, draft, team_id, user_id, context.channel_id, saved_context)
    draft_id = keep.id
    requester_id = context.requester_id or user_id
    people = await deps.directory.people([requester_id, user_id, *people_in(form, draft)])
    origin = SlackOrigin(
        user_id=user_id,
        team_id=team_id,
        channel_id=context.channel_id,
        view_id=view_id,
        draft_id=draft_id,
        replaced_draft_id=context.draft_id,
        message_ts=context.message_ts,
        thread_ts=context.thread_ts,
    )
    request = TicketRequest(
        form_id=form.id,
        draft=draft,
        requester=people[requester_id],
        reporter=people[user_id],
        origin=origin,
        people=people,
    )
    return request, keep


def user_and_team(body: dict[str, Any]) -> tuple[str, str]:
    return payloads.user_id(body), payloads.team_id(body)


def thread_key_of(body: dict[str, Any], context: ModalContext) -> ThreadKey | None:
    """The thread a ticket made from a message lives in; claimed before filing."""
    return payloads.thread_of(payloads.team_id(body), context.channel_id, None, context.thread_ts)


def people_in(form: Form, draft: Draft) -> list[str]:
    """Slack IDs chosen in people fields."""
    people: list[str] = []
    for form_field in form.fields:
        value = draft.values.get(form_field.id)
        if form_field.kind is FieldKind.USER:
            people.extend(value if isinstance(value, list) else [value] if isinstance(value, str) else [])
    return people
