"""The forms a backend offers, cached so that a warm modal open costs no helpdesk call."""

from __future__ import annotations

import asyncio
import logging

from bot.cache import StaleWhileRevalidateCache
from bot.domain.filing import BackendError
from bot.domain.forms import Form, FormChoice
from bot.tickets.ports import TicketBackend

log = logging.getLogger(__name__)


class FormCatalog:
    def __init__(self, *, backend: TicketBackend, ttl_seconds: float) -> None:
        self._backend = backend
        self._forms = StaleWhileRevalidateCache[str, Form](backend.load_form, ttl_seconds=ttl_seconds)

    def knows(self, form_id: str) -> bool:
        return form_id in self._backend.form_ids()

    def cached(self, form_id: str) -> Form | None:
        """The form if it is in memory (fresh or stale, refreshed in the background)."""
        return self._forms.peek(form_id)

    async def get(self, form_id: str) -> Form:
        return await self._forms.get(form_id)

    async def get_within(self, form_id: str, seconds: float) -> Form | None:
        """The form if it can be had within ``seconds``; the load goes on in the background."""
        cached = self.cached(form_id)
        if cached is not None:
            return cached
        try:
            return await asyncio.wait_for(asyncio.shield(self.get(form_id)), seconds)
        except (TimeoutError, BackendError):
            return None

    def choices(self) -> list[FormChoice]:
        """Picker entries, named from the cache; a form not loaded yet shows its ID."""
        entries = []
        for form_id in self._backend.form_ids():
            form = self._forms.peek(form_id)
            entries.append(FormChoice(id=form_id, name=form.name if form else form_id))
        return entries

    async def warm(self) -> None:
        """Load every offered form; failures are logged, the next open retries them."""
        results = await asyncio.gather(
            *(self.get(form_id) for form_id in self._backend.form_ids()), return_exceptions=True
        )
        for form_id, result in zip(self._backend.form_ids(), results, strict=True):
            if isinstance(result, BaseException):
                log.warning("could not load form %s: %s", form_id, result)
