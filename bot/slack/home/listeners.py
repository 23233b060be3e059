"""App Home's listeners: the tab opened, its pages and status filter, and its "New ticket"
button (the form, as from the global shortcut). Its ticket buttons are the ticket message's own
(``ticket_actions``), under the same authorization rule."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.home.tab import HomeTab
from bot.slack.plumbing import payloads
from bot.slack.views.home import (
    ALL_STATUSES,
    NEW_TICKET_ACTION,
    PAGE_ACTION,
    STATUS_FILTER_ACTION,
    HomeState,
    parse_page,
)
from bot.slack.ways_in.late_trigger import open_empty_form
from bot.slack.ways_in.modal import FormModal


@dataclass(frozen=True)
class HomeDeps:
    """What App Home needs, and nothing else."""

    home: HomeTab
    modal: FormModal


def register(app: AsyncApp, deps: HomeDeps) -> None:
    @app.event("app_home_opened")
    async def home_opened(event: dict[str, Any]) -> None:
        user_id = event.get("user")
        if event.get("tab") == "home" and isinstance(user_id, str) and user_id:
            await deps.home.opened(user_id)

    @app.action(NEW_TICKET_ACTION)
    async def new_ticket(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        await open_empty_form(client, deps.modal, body)

    @app.action(re.compile(f"^{PAGE_ACTION}_"))
    async def turn_page(ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        asked = parse_page(action.get("value"))
        if asked is None:
            return
        which, page = asked
        state = _state(body)
        state = replace(state, mine_page=page) if which == "mine" else replace(state, queue_page=page)
        await deps.home.opened(payloads.user_id(body), state)

    @app.action(STATUS_FILTER_ACTION)
    async def filter_queue(ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        chosen = (action.get("selected_option") or {}).get("value")
        status = chosen if isinstance(chosen, str) and chosen and chosen != ALL_STATUSES else None
        await deps.home.opened(payloads.user_id(body), replace(_state(body), queue_status=status, queue_page=0))


def _state(body: dict[str, Any]) -> HomeState:
    view = body.get("view")
    return HomeState.load(view.get("private_metadata") if isinstance(view, dict) else None)
