"""Opening and refreshing the ticket modal, within the trigger's three seconds."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.models.views import View
from slack_sdk.web.async_client import AsyncWebClient

from bot.config.routing import Routing
from bot.domain.filing import BackendError
from bot.domain.forms import Draft, Form
from bot.slack.plumbing.calls import slack_error
from bot.slack.plumbing.metadata import ModalContext
from bot.slack.views.form import build_form_view
from bot.slack.views.modal_states import load_failed_view, loading_view
from bot.slack.ways_in.view_cache import FreshViewCache
from bot.tickets.catalog import FormCatalog
from bot.tickets.ports import Drafts

log = logging.getLogger(__name__)


class FormModal:
    """The ticket modal: built from the helpdesk's form (cached views reused), opened within the
    trigger's three seconds, and the helpdesk's reason shown when its form cannot be read."""

    def __init__(
        self,
        *,
        catalog: FormCatalog,
        routing: Routing,
        drafts: Drafts,
        helpdesk: str,
        form_label: str,
        fresh_views: FreshViewCache | None = None,
    ) -> None:
        self.catalog = catalog
        self.routing = routing
        self.drafts = drafts
        self.helpdesk = helpdesk
        """The helpdesk's name, as people read it ("Siit")."""
        self._form_label = form_label
        self._fresh_views = fresh_views or FreshViewCache()

    def view(self, form: Form, draft: Draft, context: ModalContext, notice: str | None = None) -> View | dict[str, Any]:
        choices = self.catalog.choices()

        def build(with_draft: Draft) -> View:
            return build_form_view(
                form=form,
                draft=with_draft,
                choices=choices,
                private_metadata=context.dump(),
                picker_label=self._form_label,
                notice=notice,
            )

        return self._fresh_views.view(form, draft, context.dump(), (tuple(choices), notice), build)

    async def open(
        self,
        client: AsyncWebClient,
        *,
        trigger_id: str,
        draft: Draft,
        context: ModalContext,
        notice: str | None = None,
        owner: tuple[str, str] = ("", ""),
    ) -> None:
        """Open at once with the cached form; on a cold cache open a loading view and update it
        when the helpdesk answers, so a slow helpdesk never costs the trigger. The form is the
        draft's, else the one routed to the context's channel."""
        known = draft.form_id and self.catalog.knows(draft.form_id)
        form_id = draft.form_id if draft.form_id and known else self.routing.form_for(context.channel_id)
        draft = replace(draft, form_id=form_id)
        context = replace(context, form_id=form_id)
        cached = self.catalog.cached(form_id)
        if cached is not None:
            await client.views_open(trigger_id=trigger_id, view=self.view(cached, draft, context, notice))
            return
        opened = await client.views_open(trigger_id=trigger_id, view=loading_view(self.helpdesk))
        view: dict[str, Any] = opened["view"]
        try:
            # Load the picker's other forms alongside, so their names show; same single flight.
            form, _ = await asyncio.gather(self.catalog.get(form_id), self.catalog.warm())
        except Exception as exc:  # whatever went wrong, never leave the modal on "Loading"
            await self.show_load_failure(client, view["id"], exc, draft=draft, context=context, owner=owner)
            return
        await update_view(client, view["id"], self.view(form, draft, context, notice), view_hash=view.get("hash"))

    async def show_load_failure(
        self,
        client: AsyncWebClient,
        view_id: str,
        exc: Exception,
        *,
        draft: Draft,
        context: ModalContext,
        owner: tuple[str, str],
    ) -> None:
        """The helpdesk's reason in the modal, with Try again over a stored draft of what was typed."""
        if isinstance(exc, BackendError):
            reason = exc.reason
        else:
            log.exception("loading the form failed")
            reason = "its answer could not be used."
        draft_id = context.draft_id
        if draft_id is None:
            try:
                draft_id = await self.drafts.save(
                    draft, team_id=owner[0], user_id=owner[1], channel_id=context.channel_id, context=context.dump()
                )
            except Exception:
                log.exception("could not keep the draft")
        await update_view(client, view_id, load_failed_view(self.helpdesk, reason, draft_id=draft_id))


async def update_view(
    client: AsyncWebClient, view_id: str, view: View | dict[str, Any], *, view_hash: str | None = None
) -> bool:
    """``views.update``; False when the modal is gone (closed) or changed meanwhile."""
    try:
        await client.views_update(view_id=view_id, view=view, hash=view_hash)
    except SlackApiError as exc:
        log.info("views.update %s: %s", view_id, slack_error(exc))
        return False
    return True
