"""How a helpdesk plugs in: one ``Helpdesk`` registration per backend package (``siit``,
``suptask``), listed in ``HELPDESKS``. What a backend can do beyond filing is declared by the
capability protocols it implements (``bot.tickets.ports``: ``ReadsStatus`` gets it a status
poller, ``FindsCreatedTickets`` lets a lost create be found, ``ChecksConnection`` lets ``check``
reach it); routes (webhooks) come from its registration. Bootstrap, ``check`` and the contract
test iterate over these; adding a helpdesk is one package, one line below and one contract case.
``load_forms`` and ``create_backend`` build the chosen one from the app's settings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx
from starlette.routing import Route

from bot.backends.http import RetryPolicy
from bot.config.forms_file import FormsFile, FormsFileError, load_forms_file
from bot.config.settings import HelpdeskSettings, Settings, SettingsError
from bot.tickets.budget import RequestBudget
from bot.tickets.ports import TicketBackend, TicketRecords, WaitingCreates, WebhookDeliveries, WebhookOutcomes
from bot.tickets.updates import TicketUpdates

WEBHOOK_MAX_BODY = 256_000
"""Larger webhook bodies are refused with 413 before they are read (every helpdesk route)."""


class BudgetFactory(Protocol):
    def __call__(self, *, name: str, limit: int, per_seconds: float, reserve: int) -> RequestBudget:
        """A request budget shared by every instance on the database (``name`` keys it)."""
        ...


@dataclass(frozen=True)
class HelpdeskResources:
    """What the composition root gives a backend to build its client with."""

    client: httpx.AsyncClient
    forms_file: FormsFile | None
    retry: RetryPolicy
    shared_budget: BudgetFactory
    """For helpdesks whose rate limit is per token, whichever instance calls (Siit)."""
    agent_cache_seconds: float = 300.0
    """How long the helpdesk's word that someone is an agent is trusted (``AGENT_CACHE_SECONDS``)."""


@dataclass(frozen=True)
class TicketServices:
    """What a helpdesk's own routes (webhooks) may act through."""

    tickets: TicketRecords
    updates: TicketUpdates
    deliveries: WebhookDeliveries
    waiting_creates: WaitingCreates
    outcomes: WebhookOutcomes


def _no_routes(_settings: Any, _services: TicketServices) -> list[Route]:
    return []


def _no_problem(_forms_file: FormsFile) -> str | None:
    return None


@dataclass(frozen=True)
class Helpdesk:
    name: str
    """The ``TICKET_BACKEND`` value that selects it."""
    settings: type[HelpdeskSettings]
    """Its own settings model (``SIIT_*``): ``Settings.helpdesk`` holds them once loaded."""
    create: Callable[[Any, HelpdeskResources], TicketBackend]
    """Given its own settings."""
    requires_forms_file: bool = False
    """Its forms are declared in the forms file (its API cannot read them)."""
    forms_file_problem: Callable[[FormsFile], str | None] = _no_problem
    """What the forms file lacks for this helpdesk (a key path and the problem), if anything."""
    routes: Callable[[Any, TicketServices], list[Route]] = field(default=_no_routes)
    """Given its own settings."""
    """HTTP routes it needs, e.g. its webhook (each bounded to ``WEBHOOK_MAX_BODY``)."""


def load_forms(settings: Settings, helpdesk: Helpdesk) -> FormsFile | None:
    """The forms file, when there is one or the helpdesk needs one. Raises ``FormsFileError``."""
    if not helpdesk.requires_forms_file and not settings.forms_file.is_file():
        return None
    forms_file = load_forms_file(settings.forms_file)
    problem = helpdesk.forms_file_problem(forms_file)
    if problem:
        raise FormsFileError(f"{settings.forms_file}: {problem}")
    return forms_file


def create_backend(
    settings: Settings,
    helpdesk: Helpdesk,
    *,
    client: httpx.AsyncClient,
    forms_file: FormsFile | None,
    shared_budget: BudgetFactory,
) -> TicketBackend:
    """The chosen helpdesk's client, built by its registration from its own settings."""
    retry = RetryPolicy(
        attempts=settings.backend_attempts,
        backoff_seconds=settings.backend_backoff_seconds,
        max_wait_seconds=settings.backend_max_wait_seconds,
    )
    try:
        resources = HelpdeskResources(
            client=client,
            forms_file=forms_file,
            retry=retry,
            shared_budget=shared_budget,
            agent_cache_seconds=settings.agent_cache_seconds,
        )
        return helpdesk.create(settings.helpdesk, resources)
    except ValueError as exc:
        raise SettingsError(str(exc)) from None
