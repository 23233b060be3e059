"""Zendesk's settings, from ``ZENDESK_*`` in the environment or ``.env``."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

from pydantic import SecretStr, field_validator
from pydantic_settings import NoDecode, SettingsConfigDict

from bot.config.settings import HelpdeskSettings, split_list

MIN_WEBHOOK_SECRET = 16
SUBDOMAIN = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


class ZendeskSettings(HelpdeskSettings):
    model_config = SettingsConfigDict(env_prefix="ZENDESK_", env_file=".env", env_file_encoding="utf-8", extra="ignore")

    subdomain: str | None = None
    """``acme`` for ``https://acme.zendesk.com``."""
    api_url: str | None = None
    """A base URL instead of the subdomain's (``https://host/api/v2``): a proxy, or the tests' fake."""
    email: str | None = None
    """The e-mail of the agent whose API token is used (``{email}/token:{token}``)."""
    api_token: SecretStr | None = None
    """An API token (Admin Center -> Apps and integrations -> Zendesk API); required."""
    forms: Annotated[tuple[str, ...], NoDecode] = ()
    """Ticket form ids offered in the picker, in order; the first is the default."""
    webhook_secret: SecretStr | None = None
    """Turns on ``POST /webhooks/zendesk``: the webhook's signing secret."""

    @field_validator("forms", mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        return split_list(value)

    @field_validator("webhook_secret")
    @classmethod
    def _strong_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value().strip()) < MIN_WEBHOOK_SECRET:
            raise ValueError(f"must be at least {MIN_WEBHOOK_SECRET} characters (leave it unset to turn webhooks off)")
        return value

    @property
    def base_url(self) -> str:
        if self.api_url:
            return self.api_url.rstrip("/")
        return f"https://{self.subdomain}.zendesk.com/api/v2"

    def problems(self, forms_file: Path) -> list[str]:
        problems = []
        if not self.api_url and not (self.subdomain and SUBDOMAIN.match(self.subdomain)):
            problems.append("ZENDESK_SUBDOMAIN (acme for acme.zendesk.com) is required when TICKET_BACKEND=zendesk")
        if not self.email or "@" not in self.email:
            problems.append("ZENDESK_EMAIL (the API token's agent) is required when TICKET_BACKEND=zendesk")
        if self.api_token is None or not self.api_token.get_secret_value().strip():
            problems.append("ZENDESK_API_TOKEN is required when TICKET_BACKEND=zendesk")
        if not self.forms or not all(f.isdigit() for f in self.forms):
            problems.append("ZENDESK_FORMS must list at least one ticket form id (digits), comma-separated")
        return problems
