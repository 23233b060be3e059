"""Settings, read from the environment and a ``.env`` file."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    Field,
    PrivateAttr,
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

    ticket_backend: str = "siit"
    """Which helpdesk (``bot.backends.helpdesks``); its own settings (``SIIT_*``, ``SUPTASK_*``)
    are read by its settings model, next to this one (``load_settings``)."""
    forms_file: Path = Path("forms.yml")
    reply_sync: Literal["off", "requester", "everyone"] = "requester"
    status_poll_seconds: float = Field(default=15.0, gt=0)
    """Helpdesks without webhooks (Siit): one batch of tickets is checked this often, across
    all instances."""
    status_poll_batch: int = Field(default=10, ge=1, le=40)
    poll_active_seconds: float = Field(default=30.0, gt=0)
    """A ticket with activity in the last 30 minutes is checked this often."""
    poll_idle_seconds: float = Field(default=600.0, gt=0)
    """Other open tickets are checked this often (or less, when the budget is spent)."""
    triage_channel: str | None = None
    """Where agents see each new ticket and work on it (a channel ID); routes may name their own."""
    slack_channel_post_seconds: float = Field(default=1.0, ge=0, le=60)
    """Ticket confirmations in one channel are posted at most this often (Slack's pace)."""
    home_refresh_seconds: float = Field(default=3.0, ge=0)
    """App Home: a person's tab is republished at most this often when their tickets change."""

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
    # How long the helpdesk's word that someone is an agent is trusted: past it, with the
    # helpdesk unreachable, agent-only actions are refused until it answers again.
    agent_cache_seconds: float = Field(default=300.0, gt=0)
    # "Not a ticket" on a ticket filed from a help channel's message: accepted this long after
    # filing (and only until an agent acts on it).
    withdraw_seconds: float = Field(default=600.0, ge=0)
    backend_timeout_seconds: float = Field(default=10.0, gt=0)
    backend_attempts: int = Field(default=3, ge=1, le=10)
    backend_backoff_seconds: float = Field(default=0.5, ge=0)
    backend_max_wait_seconds: float = Field(default=10.0, ge=0)
    delivery_attempts: int = Field(default=8, ge=1, le=50)
    delivery_first_delay_seconds: float = Field(default=5.0, ge=0)
    delivery_poll_seconds: float = Field(default=1.0, gt=0)
    delivery_lease_seconds: float = Field(default=120.0, gt=0)
    # A Slack request recorded before its ack is replayed if its listener has not settled it
    # within the lease (a crash, a listener that failed); at start, at once.
    inbox_lease_seconds: float = Field(default=60.0, gt=0)
    inbox_poll_seconds: float = Field(default=5.0, gt=0)
    # A triage post claimed and not recorded as posted after this long was cut off: taken over.
    triage_claim_seconds: float = Field(default=60.0, gt=0)
    # Each dispatch holds its worker for at least one of Bolt's 10 ms polls for ack(), so the
    # pool starts at most workers / 10 ms listeners a second, fewer when the CPU is short: that
    # is what keeps an overload orderly. Under a 0.35-core cap (bench/), at 16, 1.6x past its
    # capacity ours expired no trigger; at 64, in one run, 1.5x past it expired 1522 of 5060,
    # and its backlog expired the next rate's too.
    listener_workers: int = Field(default=16, ge=1, le=512)
    listener_max_defer_seconds: float = Field(default=0.5, ge=0, le=2.0)
    max_body_bytes: int = Field(default=1_000_000, ge=10_000)
    socket_ping_seconds: float = Field(default=10.0, gt=0)

    _helpdesk: HelpdeskSettings | None = PrivateAttr(default=None)

    @property
    def helpdesk(self) -> HelpdeskSettings:
        """The chosen helpdesk's own settings (``load_settings`` reads them)."""
        if self._helpdesk is None:
            raise RuntimeError("the helpdesk's settings were not loaded (use load_settings)")
        return self._helpdesk

    @field_validator("ticket_emoji", "agent_slack_ids", mode="before")
    @classmethod
    def _split_list(cls, value: object) -> object:
        return split_list(value)

    @field_validator("ticket_backend", mode="before")
    @classmethod
    def _lower_case(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

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
        """Every secret set (the helpdesk's too), so that no log line can show one."""
        secrets = (self.slack_bot_token, self.slack_signing_secret, self.slack_app_token, self.metrics_token)
        own = [s.get_secret_value() for s in secrets if s is not None]
        return own + (self._helpdesk.secret_values() if self._helpdesk is not None else [])

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
    return problems


def _with_problems(exc: ValidationError | None, problems: list[str]) -> ValidationError:
    details: list[InitErrorDetails] = list(exc.errors()) if exc else []  # type: ignore[arg-type]
    for problem in problems:
        details.append({"type": PydanticCustomError("requirement", problem), "loc": (), "input": None})
    return ValidationError.from_exception_data("Settings", details)


def split_list(value: object) -> object:
    """``a, b,:c:`` -> ``("a", "b", "c")``: comma-separated settings (emoji names lose their colons)."""
    if isinstance(value, str):
        return tuple(part.strip().strip(":") for part in value.split(",") if part.strip().strip(":"))
    return value


class HelpdeskSettings(BaseSettings):
    """Base of a helpdesk's own settings, read with its prefix (``SIIT_``, ``SUPTASK_``) from the
    environment and ``.env``; each backend package defines one."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    def secret_values(self) -> list[str]:
        return [v.get_secret_value() for v in vars(self).values() if isinstance(v, SecretStr)]

    def problems(self, forms_file: Path) -> list[str]:
        """What is missing, or wrong given the forms file; checked even when other settings
        failed, so that every problem shows at once."""
        return []


class _FormsFileOnly(BaseSettings):
    """``FORMS_FILE`` alone, for the helpdesk's checks when the other settings failed."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    forms_file: Path = Path("forms.yml")


class SettingsError(Exception):
    """One line naming the setting at fault; never the value of a secret."""


class _BackendOnly(BaseSettings):
    """``TICKET_BACKEND`` alone, read where the app reads it (the environment, ``.env``), for
    naming the chosen helpdesk's problems when the other settings failed."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    ticket_backend: str = "siit"


def backend_setting(core: dict[str, object]) -> str:
    try:
        keep = {k: v for k, v in core.items() if k == "ticket_backend" or k.startswith("_")}
        return _BackendOnly(**keep).ticket_backend.strip().lower()  # type: ignore[arg-type]
    except ValidationError:
        return "siit"


def forms_file_setting(core: dict[str, object]) -> Path:
    try:
        keep = {k: v for k, v in core.items() if k == "forms_file" or k.startswith("_")}
        return _FormsFileOnly(**keep).forms_file  # type: ignore[arg-type]
    except ValidationError:
        return Path("forms.yml")


def load_database_settings() -> DatabaseSettings:
    try:
        return DatabaseSettings()
    except ValidationError as exc:
        raise SettingsError("invalid settings: " + describe(exc, prefix="")) from None


def describe(exc: ValidationError, *, prefix: str) -> str:
    """Each problem as ``SETTING: what is wrong`` (the setting named as in the environment)."""
    problems = []
    for error in exc.errors(include_input=False, include_url=False):
        name = (prefix + "_".join(str(p) for p in error["loc"])).upper() if error["loc"] else ""
        message = str(error["msg"]).removeprefix("Value error, ")
        problems.append(f"{name}: {message}" if name else message)
    return "; ".join(problems)
