"""``POST /webhooks/zendesk``: Zendesk's ticket events back to the ticket's Slack thread.

Signed: ``X-Zendesk-Webhook-Signature`` is base64(HMAC-SHA256(secret, timestamp + body)) with the
timestamp from ``X-Zendesk-Webhook-Signature-Timestamp``; a bad signature, or one older than
``MAX_AGE_SECONDS``, is 401 and nothing is done. Events (a webhook subscribed to
``zen:event-type:ticket.comment_added`` and ``ticket.status_changed``): an agent's public comment
goes to the thread, a private one never does, a status change is shown in place. Each event is
acted on once, whatever Zendesk resends (its ``id``)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

from bot.backends.registry import WEBHOOK_MAX_BODY
from bot.domain.ticket import Ticket
from bot.tickets.ports import TicketRecords, WebhookDeliveries
from bot.tickets.updates import TicketUpdates

log = logging.getLogger(__name__)

MAX_AGE_SECONDS = 300.0
"""A signature older than this is refused: a captured delivery cannot be replayed later."""
COMMENT_ADDED = "zen:event-type:ticket.comment_added"
STATUS_CHANGED = "zen:event-type:ticket.status_changed"


def signature(secret: bytes, timestamp: str, body: bytes) -> str:
    return base64.b64encode(hmac.new(secret, timestamp.encode() + body, hashlib.sha256).digest()).decode()


def signed_at(timestamp: str) -> float | None:
    """The signature's time: ISO 8601 as Zendesk sends it, or Unix seconds."""
    try:
        return float(timestamp)
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(timestamp.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


class ZendeskWebhook:
    def __init__(
        self,
        *,
        secret: str,
        tickets: TicketRecords,
        updates: TicketUpdates,
        deliveries: WebhookDeliveries,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._secret = secret.encode()
        self._tickets = tickets
        self._updates = updates
        self._deliveries = deliveries
        self._clock = clock

    async def answer(self, request: Request) -> tuple[Response, str]:
        """The answer to the sender, and what was done (the route reports it: ``reporting``)."""
        body = await request.body()
        if len(body) > WEBHOOK_MAX_BODY:
            return PlainTextResponse("body too large", status_code=413), "too_large"
        if not self._signed(request, body):
            return PlainTextResponse("invalid or stale signature", status_code=401), "unauthorized"
        try:
            payload = json.loads(body)
        except (ValueError, RecursionError):
            return PlainTextResponse("body is not JSON", status_code=400), "malformed"
        ticket_id = _ticket_id(payload)
        event_id = payload.get("id") if isinstance(payload, dict) else None
        if ticket_id is None or not isinstance(event_id, str) or not event_id:
            return PlainTextResponse("no ticket event", status_code=400), "malformed"
        record = await self._tickets.get("zendesk", ticket_id)
        if record is None:
            return PlainTextResponse("unknown ticket", status_code=404), "unknown_ticket"
        if not await self._deliveries.first_delivery(f"zendesk:{event_id}"):
            return JSONResponse({"ok": True, "duplicate": True}), "duplicate"
        try:
            await self._act(payload, record)
        except Exception:
            await self._deliveries.forget_delivery(f"zendesk:{event_id}")  # its resend is acted on
            raise
        return JSONResponse({"ok": True}), "applied"

    def _signed(self, request: Request, body: bytes) -> bool:
        given = request.headers.get("x-zendesk-webhook-signature", "")
        timestamp = request.headers.get("x-zendesk-webhook-signature-timestamp", "")
        at = signed_at(timestamp)
        if not given or at is None or abs(self._clock() - at) > MAX_AGE_SECONDS:
            return False
        return hmac.compare_digest(given.encode(), signature(self._secret, timestamp, body).encode())

    async def _act(self, payload: dict[str, Any], record: Ticket) -> None:
        ticket_id = record.ticket_id
        event = payload.get("event")
        event = event if isinstance(event, dict) else {}
        if payload.get("type") == COMMENT_ADDED:
            reply = agent_comment(event)
            if reply is not None and not await self._deliveries.was_sent("zendesk", ticket_id, reply[0]):
                await self._updates.agent_replied(record, *reply)
        elif payload.get("type") == STATUS_CHANGED:
            current = event.get("current")
            if isinstance(current, str) and current.strip():
                await self._updates.status_changed(record, current.strip().lower())


def agent_comment(event: dict[str, Any]) -> tuple[str, str | None] | None:
    """``(text, author)`` of an agent's public comment; ``None`` for a private one (a note, never
    shown in Slack) or one the requester wrote (it came from Slack, or from their e-mail)."""
    comment = event.get("comment")
    if not isinstance(comment, dict) or comment.get("is_public") is not True:
        return None
    author = comment.get("author")
    author = author if isinstance(author, dict) else {}
    if author.get("is_staff") is not True:
        return None
    text = comment.get("body")
    if not isinstance(text, str) or not text.strip():
        return None
    name = author.get("name")
    return text.strip(), name if isinstance(name, str) and name.strip() else None


def _ticket_id(payload: Any) -> str | None:
    if not isinstance(payload, dict):
        return None
    detail = payload.get("detail")
    ticket_id = detail.get("id") if isinstance(detail, dict) else None
    if isinstance(ticket_id, bool) or not isinstance(ticket_id, int | str) or not str(ticket_id).strip():
        return None
    return str(ticket_id).strip()[:40]
