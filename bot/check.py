"""``python -m bot check``: validate settings and the forms file without serving, and say
what was found."""

from __future__ import annotations

import sys
from collections.abc import Callable

from bot.bootstrap import load_forms
from bot.config import SettingsError, load_settings
from bot.forms_file import FormsFileError


def check(say: Callable[[str], object]) -> int:
    try:
        settings = load_settings()
        forms_file = load_forms(settings)
    except (SettingsError, FormsFileError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    say(f"backend: {settings.ticket_backend}")
    if settings.ticket_backend == "siit" and settings.siit_services:
        say("siit services: " + ", ".join(settings.siit_services))
    if forms_file is None:
        say("forms file: none (routing: every channel opens the first service)")
        return 0
    say(f"forms file: {settings.forms_file}")
    for form in forms_file.forms:
        channels = ", ".join(form.channels) or "no channels"
        say(f"  form {form.form_id} {form.name!r} ({channels}), {len(form.fields)} fields")
        for spec in form.fields:
            flag = " required" if spec.required else ""
            say(f"    field {spec.field_id} {spec.label!r}: {spec.type}{flag}")
    default = forms_file.routing.default or forms_file.forms[0].form_id
    say(f"routing: default {default}")
    for channel, form_id in forms_file.routing.channels.items():
        say(f"  {channel} -> {form_id}")
    return 0
