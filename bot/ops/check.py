"""``python -m bot check``: validate settings and the forms file without serving, ask Slack
whether it takes the tokens, reach the helpdesk once with its token, and print each form with
a Block Kit Builder link, so that an admin sees the modal people will get without opening Slack."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Callable
from urllib.parse import quote

import httpx

from bot.backends.budget import LocalRequestBudget
from bot.backends.helpdesks import HELPDESKS
from bot.backends.registry import create_backend, load_forms
from bot.config.forms_file import FormsFile, FormsFileError
from bot.config.settings import Settings, SettingsError
from bot.domain.filing import BackendError
from bot.domain.forms import Draft
from bot.ops.settings_loading import load_settings
from bot.ops.startup import slack_problem
from bot.slack.views.form import build_form_view
from bot.tickets.ports import ChecksConnection, TicketBackend

BLOCK_KIT_BUILDER = "https://app.slack.com/block-kit-builder#"


def builder_link(view: dict[str, object]) -> str:
    """Slack's Block Kit Builder opens the view given after ``#`` (URL-encoded JSON)."""
    return BLOCK_KIT_BUILDER + quote(json.dumps(view, separators=(",", ":")), safe="")


def check(say: Callable[[str], object]) -> int:
    try:
        settings = load_settings()
        forms_file = load_forms(settings, HELPDESKS[settings.ticket_backend])
    except (SettingsError, FormsFileError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    say(f"backend: {settings.ticket_backend}")
    describe_forms_file(settings, forms_file, say)
    problem = asyncio.run(slack_problem(settings))
    if problem is None:
        say("Slack: bot token accepted" + (", app-level token accepted (Socket Mode)" if settings.socket_mode else ""))
        problem = asyncio.run(reach_helpdesk(settings, forms_file, say))
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 1
    return 0


def describe_forms_file(settings: Settings, forms_file: FormsFile | None, say: Callable[[str], object]) -> None:
    if forms_file is None:
        say("forms file: none (routing: every channel opens the first service)")
        return
    say(f"forms file: {settings.forms_file}")
    for form in forms_file.forms:
        channels = ", ".join(form.channels) or "no channels"
        say(f"  form {form.form_id} {form.name!r} ({channels}), {len(form.fields)} fields")
        for spec in form.fields:
            flag = " required" if spec.required else ""
            say(f"    field {spec.field_id} {spec.label!r}: {spec.type}{flag}")
    default = forms_file.routing.default or forms_file.forms[0].form_id
    say(f"routing: default {default}")
    auto = forms_file.routing.auto_create_channels()
    for channel, form_id in forms_file.routing.channel_forms().items():
        say(
            f"  {channel} -> {form_id}"
            + (" (auto-create: every new message files a ticket)" if channel in auto else "")
        )


async def reach_helpdesk(settings: Settings, forms_file: FormsFile | None, say: Callable[[str], object]) -> str | None:
    """The helpdesk asked once whether it takes the token, then each form read and shown; the
    first problem, or ``None``."""
    async with httpx.AsyncClient(timeout=settings.backend_timeout_seconds) as client:
        helpdesk = HELPDESKS[settings.ticket_backend]

        def budget(*, name: str, limit: int, per_seconds: float, reserve: int) -> LocalRequestBudget:
            return LocalRequestBudget(limit=limit, per_seconds=per_seconds, reserve=0)

        backend = create_backend(settings, helpdesk, client=client, forms_file=forms_file, shared_budget=budget)
        try:
            if isinstance(backend, ChecksConnection):
                await backend.check_connection()
        except BackendError as exc:
            return f"{backend.display_name} refused or could not be reached: {exc.reason}"
        say(f"{backend.display_name}: reached, token accepted")
        return await show_forms(backend, say)


async def show_forms(backend: TicketBackend, say: Callable[[str], object]) -> str | None:
    for form_id in backend.form_ids():
        try:
            form = await backend.load_form(form_id)
        except BackendError as exc:
            return f"form {form_id} cannot be read: {exc.reason}"
        view = build_form_view(form=form, draft=Draft(form_id=form.id), choices=[], private_metadata="{}")
        say(f"form {form.id} {form.name!r}: {len(form.fields)} fields; preview: {builder_link(view.to_dict())}")
    return None
