"""Settings, read from the environment and a ``.env`` file."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

DEFAULT_DATABASE_URL = f"sqlite:///{Path('data') / 'tickets.db'}"
MIN_WEBHOOK_SECRET = 16


class DatabaseSettings(BaseSettings):
    """What the admin commands need (``python -m bot outbox``): the database alone."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    database_wait_seconds: float = Field(default=30.0, ge=0)

    @field_validator("database_url")
    @classmethod
    def _supported_database(cls, value: str) -> str:
        """SQLite or PostgreSQL, with a port that is a port; the URL itself is never echoed (it
        may carry a password)."""
        try:
            url = make_url(value)
            port = url.port
        except (ArgumentError, ValueError):
            raise ValueError("is not a database URL (sqlite:///path/to.db or postgresql://user@host/db)") from None
        if url.get_backend_name() not in ("sqlite", "postgresql", "postgres"):
            raise ValueError(f"{url.get_backend_name()} is not supported; use sqlite:/// or postgresql://")
        if port is not None and not 0 < port < 65536:
            raise ValueError(f"port {port} is not a port")
        return value


class Settings(DatabaseSettings):
    slack_bot_token: SecretStr
    slack_signing_secret: SecretStr | None = None
    """Required over HTTP; not used in Socket Mode."""
    slack_app_token: SecretStr | None = None
    """An app-level token (``xapp-...``, scope ``connections:write``) turns Socket Mode on."""
    slack_api_url: str = "https://slack.com/api/"

    ticket_backend: Literal["siit", "suptask"] = "siit"
    siit_api_token: SecretStr | None = None
    siit_api_url: str = "https://api.siit.io/v1"
    siit_services: Annotated[tuple[str, ...], NoDecode] = ()
    suptask_api_token: SecretStr | None = None
    suptask_api_url: str = "https://public-api-prod.suptask.com/api/v2/public"
    suptask_webhook_secret: SecretStr | None = None
    forms_file: Path = Path("forms.yml")
    reply_sync: Literal["off", "requester", "everyone"] = "requester"
    status_poll_seconds: float = Field(default=60.0, gt=0)
    status_poll_batch: int = Field(default=20, ge=1, le=40)
    siit_rate_limit: int = Field(default=60, ge=3)
    """Siit's requests per window per token (60 a minute), shared by every instance."""
    siit_rate_window_seconds: float = Field(default=61.0, gt=0)
    """A second over Siit's minute: a margin for the time a call takes to reach Siit."""

    agent_slack_ids: Annotated[tuple[str, ...], NoDecode] = ()
    """Slack member IDs of the helpdesk's agents (with Siit, its admins and agents count too)."""
    ticket_emoji: Annotated[tuple[str, ...], NoDecode] = ("ticket",)
    host: str = "0.0.0.0"
    port: int = Field(default=3000, ge=1, le=65535)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    log_format: Literal["text", "json"] = "text"
    metrics_token: SecretStr | None = None
    """With a token, ``/metrics`` answers ``Authorization: Bearer <token>`` from anywhere;
    without one, only clients on loopback or private networks."""

    form_cache_seconds: float = Field(default=300.0, gt=0)
    backend_timeout_seconds: float = Field(default=10.0, gt=0)
    backend_attempts: int = Field(default=3, ge=1, le=10)
    backend_backoff_seconds: float = Field(default=0.5, ge=0)
    backend_max_wait_seconds: float = Field(default=10.0, ge=0)
    delivery_attempts: int = Field(default=8, ge=1, le=50)
    delivery_first_delay_seconds: float = Field(default=5.0, ge=0)
    delivery_poll_seconds: float = Field(default=1.0, gt=0)
    delivery_lease_seconds: float = Field(default=120.0, gt=0)
    listener_workers: int = Field(default=16, ge=1, le=512)
    listener_max_defer_seconds: float = Field(default=0.5, ge=0, le=2.0)
    max_body_bytes: int = Field(default=1_000_000, ge=10_000)
    socket_ping_seconds: float = Field(default=10.0, gt=0)

    @field_validator("siit_services", "ticket_emoji", "agent_slack_ids", mode="before")
    @classmethod
    def _split_list(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(part.strip().strip(":") for part in value.split(",") if part.strip().strip(":"))
        return value

    @field_validator("log_level", "log_format", mode="before")
    @classmethod
    def _any_case(cls, value: object, info: ValidationInfo) -> object:
        if not isinstance(value, str):
            return value
        return value.upper() if info.field_name == "log_level" else value.lower()

    @field_validator("slack_app_token")
    @classmethod
    def _app_level_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith("xapp-"):
            raise ValueError("must be an app-level token (xapp-...); unset it to receive requests over HTTP")
        return value

    @property
    def socket_mode(self) -> bool:
        return self.slack_app_token is not None

    @field_validator("slack_api_url")
    @classmethod
    def _slash_terminated(cls, value: str) -> str:
        return value if value.endswith("/") else value + "/"

    def secret_values(self) -> list[str]:
        """Every secret set, so that no log line can show one."""
        secrets = (
            self.slack_bot_token,
            self.slack_signing_secret,
            self.slack_app_token,
            self.siit_api_token,
            self.suptask_api_token,
            self.suptask_webhook_secret,
            self.metrics_token,
        )
        return [s.get_secret_value() for s in secrets if s is not None]

    @field_validator("suptask_webhook_secret")
    @classmethod
    def _strong_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value().strip()) < MIN_WEBHOOK_SECRET:
            # An empty secret would open the webhook to anyone; a short one to guessing.
            raise ValueError(f"must be at least {MIN_WEBHOOK_SECRET} characters (leave it unset to turn webhooks off)")
        return value

    @model_validator(mode="wrap")
    @classmethod
    def _every_problem_at_once(cls, data: Any, handler: ValidatorFunctionWrapHandler) -> Settings:
        """Settings that depend on each other are checked even when a field failed, so that a
        newcomer sees every problem in one message instead of one per start."""
        missing = requirements(data) if isinstance(data, Mapping) else []
        try:
            settings: Settings = handler(data)
        except ValidationError as exc:
            raise _with_problems(exc, missing) from None
        if missing:
            raise _with_problems(None, missing)
        return settings


def requirements(values: Mapping[str, Any]) -> list[str]:
    """What is missing given the other settings: read from the raw values, before validation."""

    def given(name: str) -> bool:
        value = values.get(name)
        return value is not None and bool(str(value).strip())

    problems = []
    if not given("slack_signing_secret") and not given("slack_app_token"):
        problems.append("SLACK_SIGNING_SECRET is required (or SLACK_APP_TOKEN, xapp-..., for Socket Mode)")
    backend = str(values.get("ticket_backend") or "siit").lower()
    forms_file = Path(str(values.get("forms_file") or "forms.yml"))
    if backend == "siit":
        if not given("siit_api_token"):
            problems.append("SIIT_API_TOKEN is required when TICKET_BACKEND=siit")
        if not given("siit_services") and not forms_file.is_file():
            problems.append("SIIT_SERVICES must name at least one Siit service UID (wa_...) or FORMS_FILE list them")
    if backend == "suptask":
        if not given("suptask_api_token"):
            problems.append("SUPTASK_API_TOKEN is required when TICKET_BACKEND=suptask")
        if not forms_file.is_file():
            problems.append(f"FORMS_FILE {forms_file} does not exist; Suptask forms are declared there")
    return problems


def _with_problems(exc: ValidationError | None, problems: list[str]) -> ValidationError:
    details: list[InitErrorDetails] = list(exc.errors()) if exc else []  # type: ignore[arg-type]
    for problem in problems:
        details.append({"type": PydanticCustomError("requirement", problem), "loc": (), "input": None})
    return ValidationError.from_exception_data("Settings", details)


class SettingsError(Exception):
    """One line naming the setting at fault; never the value of a secret."""


def load_settings(**overrides: object) -> Settings:
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        raise SettingsError(describe(exc)) from None


def load_database_settings() -> DatabaseSettings:
    try:
        return DatabaseSettings()
    except ValidationError as exc:
        raise SettingsError(describe(exc)) from None


def describe(exc: ValidationError) -> str:
    problems = []
    for error in exc.errors(include_input=False, include_url=False):
        name = "_".join(str(p) for p in error["loc"]).upper()
        message = str(error["msg"]).removeprefix("Value error, ")
        problems.append(f"{name}: {message}" if name else message)
    return "invalid settings: " + "; ".join(problems)
