"""Suptask: its client (``client``; its forms come from the forms file), its webhook route
(``webhook``: status changes, agent replies, its own ticket numbers) and its settings
(``settings``, ``SUPTASK_*``). Registered as ``HELPDESK``. May import ``bot.domain``,
``bot.tickets`` and ``bot.backends``' shared plumbing."""

from __future__ import annotations

from starlette.routing import Route

from bot.backends.registry import Helpdesk, HelpdeskResources, TicketServices
from bot.backends.suptask.client import SuptaskBackend
from bot.backends.suptask.settings import SuptaskSettings
from bot.backends.suptask.webhook import SuptaskWebhook
from bot.backends.webhooks import reporting
from bot.config.forms_file import FormsFile


def create(settings: SuptaskSettings, resources: HelpdeskResources) -> SuptaskBackend:
    if settings.api_token is None or resources.forms_file is None:
        raise ValueError("Suptask needs SUPTASK_API_TOKEN and its forms in FORMS_FILE")
    return SuptaskBackend(
        client=resources.client,
        api_url=settings.api_url,
        api_token=settings.api_token.get_secret_value(),
        forms_file=resources.forms_file,
        retry=resources.retry,
    )


def forms_file_problem(forms_file: FormsFile) -> str | None:
    for index, form in enumerate(forms_file.forms):
        if not form.channels:
            return f"forms[{index}].channels: Suptask needs the form's channel IDs"
    return None


def routes(settings: SuptaskSettings, services: TicketServices) -> list[Route]:
    """``POST /webhooks/suptask`` once ``SUPTASK_WEBHOOK_SECRET`` is set."""
    if settings.webhook_secret is None:
        return []
    webhook = SuptaskWebhook(
        secret=settings.webhook_secret.get_secret_value(),
        tickets=services.tickets,
        updates=services.updates,
        sync_log=services.deliveries,
        outbox=services.waiting_creates,
    )
    return [Route("/webhooks/suptask", reporting(webhook.answer, services.outcomes), methods=["POST"])]


HELPDESK = Helpdesk(
    name="suptask",
    settings=SuptaskSettings,
    create=create,
    requires_forms_file=True,
    forms_file_problem=forms_file_problem,
    routes=routes,
)
