"""One person's messages in a help channel within the route's ``coalesce_seconds``, filed as one
ticket: the first message's request waits that long, and each later message joins it as a
detail. An edit changes its part, a deletion (or the no-ticket reaction) takes it out; taking out
the first message hands the ticket to the next one. Pure functions over the outbox's payload."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from bot.delivery.request import Detail, TicketRequest
from bot.domain.forms import title_from_text


def with_detail(payload: dict[str, Any], *, ts: str, text: str) -> dict[str, Any]:
    """The request with the message ``ts`` joined (or its text replaced, when joined already)."""
    request = TicketRequest.from_payload(payload)
    details = [d for d in request.details if d.ts != ts] + [Detail(ts, text)]
    return replace(request, details=tuple(sorted(details, key=lambda d: _when(d.ts)))).to_payload()


def with_first_text(payload: dict[str, Any], *, title: str, text: str) -> dict[str, Any]:
    """The request with its first message edited: a new title and description, its details kept."""
    request = TicketRequest.from_payload(payload)
    return replace(request, draft=replace(request.draft, title=title, description=text)).to_payload()


def without(payload: dict[str, Any], *, ts: str) -> dict[str, Any] | None:
    """The request without the message ``ts``; ``None`` when nothing would be left to file. The
    first message taken out, the next joined one becomes the ticket's message (its thread, its
    title, its description)."""
    request = TicketRequest.from_payload(payload)
    if ts != request.origin.thread_ts:
        return replace(request, details=tuple(d for d in request.details if d.ts != ts)).to_payload()
    if not request.details:
        return None
    first, rest = request.details[0], request.details[1:]
    origin = replace(request.origin, thread_ts=first.ts, message_ts=first.ts)
    draft = replace(request.draft, title=title_from_text(first.text) or request.draft.title, description=first.text)
    # The link named the message taken out: the helpdesk gets none rather than a dead one.
    return replace(request, origin=origin, draft=draft, details=rest, message_link=None).to_payload()


def _when(ts: str) -> float:
    try:
        return float(ts)
    except ValueError:
        return float("inf")
