"""Siit (siit.io): its client (``client``, which also reads request statuses and finds a create
whose answer was lost) and the parser of its service forms (``service``). Registered as
``HELPDESK``. May import ``bot.domain``, ``bot.tickets`` and ``bot.backends``' shared plumbing."""

from __future__ import annotations

from bot.backends.registry import Helpdesk, HelpdeskResources
from bot.backends.siit.client import SiitBackend
from bot.config import Settings


def create(settings: Settings, resources: HelpdeskResources) -> SiitBackend:
    if settings.siit_api_token is None:
        raise ValueError("SIIT_API_TOKEN is required when TICKET_BACKEND=siit")
    forms = resources.forms_file.forms if resources.forms_file else ()
    return SiitBackend(
        client=resources.client,
        api_url=settings.siit_api_url,
        api_token=settings.siit_api_token.get_secret_value(),
        budget=resources.budget,
        service_ids=settings.siit_services or [f.form_id for f in forms],
        retry=resources.retry,
        labelled_fields={f.form_id: [field.to_field() for field in f.fields] for f in forms},
    )


HELPDESK = Helpdesk(name="siit", create=create)
