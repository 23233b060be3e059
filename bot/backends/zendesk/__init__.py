"""Zendesk Support: its client (``client``: ticket forms as forms, creates made once with an
idempotency key and found again by ``external_id``), the parser of its forms (``forms``), its
webhook (``webhook``: signed ticket events back to Slack) and its settings (``settings``,
``ZENDESK_*``). Registered as ``HELPDESK``. May import ``bot.domain``, ``bot.tickets`` and
``bot.backends``' shared plumbing."""

from __future__ import annotations

from starlette.routing import Route

from bot.backends.registry import Helpdesk, HelpdeskResources, TicketServices
from bot.backends.webhooks import reporting
from bot.backends.zendesk.client import ZendeskBackend
from bot.backends.zendesk.settings import ZendeskSettings
from bot.backends.zendesk.webhook import ZendeskWebhook


def create(settings: ZendeskSettings, resources: HelpdeskResources) -> ZendeskBackend:
    if settings.api_token is None or not settings.email:
        raise ValueError("ZENDESK_EMAIL and ZENDESK_API_TOKEN are required when TICKET_BACKEND=zendesk")
    return ZendeskBackend(
        client=resources.client,
        api_url=settings.base_url,
        email=settings.email,
        api_token=settings.api_token.get_secret_value(),
        form_ids=settings.forms,
        retry=resources.retry,
    )


def routes(settings: ZendeskSettings, services: TicketServices) -> list[Route]:
    """``POST /webhooks/zendesk`` once ``ZENDESK_WEBHOOK_SECRET`` is set."""
    if settings.webhook_secret is None:
        return []
    webhook = ZendeskWebhook(
        secret=settings.webhook_secret.get_secret_value(),
        tickets=services.tickets,
        updates=services.updates,
        deliveries=services.deliveries,
    )
    return [Route("/webhooks/zendesk", reporting(webhook.answer, services.outcomes), methods=["POST"])]


HELPDESK = Helpdesk(name="zendesk", settings=ZendeskSettings, create=create, routes=routes)
