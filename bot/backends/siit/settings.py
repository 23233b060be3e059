"""Siit's settings, from ``SIIT_*`` in the environment or ``.env``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import NoDecode, SettingsConfigDict

from bot.config.settings import HelpdeskSettings, split_list


class SiitSettings(HelpdeskSettings):
    model_config = SettingsConfigDict(env_prefix="SIIT_", env_file=".env", env_file_encoding="utf-8", extra="ignore")

    api_token: SecretStr | None = None
    """An admin's API token (Siit's settings, API section); required."""
    api_url: str = "https://api.siit.io/v1"
    services: Annotated[tuple[str, ...], NoDecode] = ()
    """Service UIDs (``wa_...``) offered in the picker, in order; the first is the default."""
    rate_limit: int = Field(default=60, ge=3)
    """Siit's requests per window per token (60 a minute), shared by every instance."""
    rate_window_seconds: float = Field(default=61.0, gt=0)
    """A second over Siit's minute: a margin for the time a call takes to reach Siit."""

    @field_validator("services", mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        return split_list(value)

    def problems(self, forms_file: Path) -> list[str]:
        problems = []
        if self.api_token is None or not self.api_token.get_secret_value().strip():
            problems.append("SIIT_API_TOKEN is required when TICKET_BACKEND=siit")
        if not self.services and not forms_file.is_file():
            problems.append("SIIT_SERVICES must name at least one Siit service UID (wa_...) or FORMS_FILE list them")
        return problems
