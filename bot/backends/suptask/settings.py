"""Suptask's settings, from ``SUPTASK_*`` in the environment or ``.env``."""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr, field_validator
from pydantic_settings import SettingsConfigDict

from bot.config.settings import HelpdeskSettings

MIN_WEBHOOK_SECRET = 16


class SuptaskSettings(HelpdeskSettings):
    model_config = SettingsConfigDict(env_prefix="SUPTASK_", env_file=".env", env_file_encoding="utf-8", extra="ignore")

    api_token: SecretStr | None = None
    """Suptask's API token (Settings -> API); required."""
    api_url: str = "https://public-api-prod.suptask.com/api/v2/public"
    webhook_secret: SecretStr | None = None
    """Turns on ``POST /webhooks/suptask``: the secret Suptask must send."""

    @field_validator("webhook_secret")
    @classmethod
    def _strong_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value().strip()) < MIN_WEBHOOK_SECRET:
            # An empty secret would open the webhook to anyone; a short one to guessing.
            raise ValueError(f"must be at least {MIN_WEBHOOK_SECRET} characters (leave it unset to turn webhooks off)")
        return value

    def problems(self, forms_file: Path) -> list[str]:
        problems = []
        if self.api_token is None or not self.api_token.get_secret_value().strip():
            problems.append("SUPTASK_API_TOKEN is required when TICKET_BACKEND=suptask")
        if not forms_file.is_file():
            problems.append(f"FORMS_FILE {forms_file} does not exist; Suptask forms are declared there")
        return problems
