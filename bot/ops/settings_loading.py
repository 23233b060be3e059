"""Loading the settings at start-up: the app's own (``bot.config.settings.Settings``) and the
chosen helpdesk's (each helpdesk package declares its settings model), every problem of both in
one message. Above ``bot.config`` and ``bot.backends``, so that neither imports the other's
loader."""

from __future__ import annotations

from pydantic import ValidationError

from bot.backends.helpdesks import HELPDESKS
from bot.config.settings import Settings, SettingsError, backend_setting, describe, forms_file_setting


def load_settings(**overrides: object) -> Settings:
    """The app's settings and the chosen helpdesk's, every problem of both in one message.
    ``overrides`` name settings as in the environment, lower case (``siit_api_token=...``)."""
    core = {k: v for k, v in overrides.items() if k in Settings.model_fields or k.startswith("_")}
    problems: list[str] = []
    settings: Settings | None = None
    try:
        settings = Settings(**core)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems.append(describe(exc, prefix=""))
    backend = settings.ticket_backend if settings else backend_setting(core)
    helpdesk = HELPDESKS.get(backend)
    if helpdesk is None:
        problems.append(f"TICKET_BACKEND: {backend!r} is not one of {', '.join(sorted(HELPDESKS))}")
    else:
        prefix = str(helpdesk.settings.model_config.get("env_prefix", "")).lower()
        own = {k.removeprefix(prefix): v for k, v in overrides.items() if k.startswith(prefix)}
        own.update({k: v for k, v in overrides.items() if k.startswith("_")})
        try:
            helpdesk_settings = helpdesk.settings(**own)
        except ValidationError as exc:
            problems.append(describe(exc, prefix=prefix))
        else:
            forms_file = settings.forms_file if settings else forms_file_setting(core)
            problems.extend(helpdesk_settings.problems(forms_file))
            if settings is not None:
                settings._helpdesk = helpdesk_settings
    if problems or settings is None:
        raise SettingsError("invalid settings: " + "; ".join(problems))
    return settings
