"""Siit (siit.io): its client (``client``, which also reads request statuses and finds a create
whose answer was lost), the parser of its service forms (``service``) and its settings
(``settings``, ``SIIT_*``). Registered as ``HELPDESK``. May import ``bot.domain``,
``bot.tickets`` and ``bot.backends``' shared plumbing."""

from __future__ import annotations

import hashlib

from bot.backends.registry import Helpdesk, HelpdeskResources
from bot.backends.siit.client import SiitBackend
from bot.backends.siit.settings import SiitSettings


def create(settings: SiitSettings, resources: HelpdeskResources) -> SiitBackend:
    if settings.api_token is None:
        raise ValueError("SIIT_API_TOKEN is required when TICKET_BACKEND=siit")
    forms = resources.forms_file.forms if resources.forms_file else ()
    token = settings.api_token.get_secret_value()
    # Siit's limit is per token: every instance on the database counts against one budget, and
    # polling keeps a third of it free for people.
    budget = resources.shared_budget(
        name="siit:" + hashlib.sha256(token.encode()).hexdigest()[:16],
        limit=settings.rate_limit,
        per_seconds=settings.rate_window_seconds,
        reserve=settings.rate_limit // 3,
    )
    return SiitBackend(
        client=resources.client,
        api_url=settings.api_url,
        api_token=token,
        budget=budget,
        service_ids=settings.services or [f.form_id for f in forms],
        retry=resources.retry,
        labelled_fields={f.form_id: [field.to_field() for field in f.fields] for f in forms},
        agent_cache_seconds=resources.agent_cache_seconds,
    )


HELPDESK = Helpdesk(name="siit", settings=SiitSettings, create=create)
