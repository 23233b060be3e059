"""``POST /webhooks/suptask``: Suptask's ticket webhooks (updated, new reply) into Slack.

Suptask documents no signature, so the endpoint is authenticated by a shared secret, sent in the
``X-Webhook-Secret`` header or the ``secret`` query parameter, compared in constant time.
The reply shape is not documented: ``reply`` / ``message`` (text, username, channel) is read
defensively; a reply for agents only (``channel`` without ``requester``) is never posted.
The ticket's documented ``ticketNumber`` names it ``#<number>`` in Slack from then on (creating a
ticket returns only its UUID), with ``requesterTicketPermalink`` as its link when it had none.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import time
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

from bot.backends.registry import WEBHOOK_MAX_BODY
from bot.domain.filing import REFERENCE_PATTERN
from bot.tickets.ports import TicketRecords, WaitingCreates, WebhookDeliveries
from bot.tickets.updates import TicketUpdates

log = logging.getLogger(__name__)
MAX_BODY = WEBHOOK_MAX_BODY


class SuptaskWebhook:
    def __init__(
        self,
        *,
        secret: str,
        tickets: TicketRecords,
        updates: TicketUpdates,
        sync_log: WebhookDeliveries,
        outbox: WaitingCreates,
    ) -> None:
        self._secret = secret.encode()
        self._tickets = tickets
        self._updates = updates
        self._sync_log = sync_log
        self._outbox = outbox

    async def answer(self, request: Request) -> tuple[Response, str]:
        """The answer to the sender, and what was done (the route reports it: ``reporting``)."""
        given = request.headers.get("x-webhook-secret") or request.query_params.get("secret") or ""
        if not hmac.compare_digest(given.encode(), self._secret):
            return PlainTextResponse("invalid secret", status_code=401), "unauthorized"
        body = await request.body()
        if len(body) > MAX_BODY:
            return PlainTextResponse("body too large", status_code=413), "too_large"
        payload, problem = parse_json(body)
        if problem:
            return PlainTextResponse(problem, status_code=400), "malformed"
        ticket = payload.get("ticket") if isinstance(payload, dict) else None
        ticket_id = ticket.get("id") if isinstance(ticket, dict) else None
        if not isinstance(ticket, dict) or not isinstance(ticket_id, str) or not ticket_id:
            log.info("suptask webhook without a ticket id")
            return PlainTextResponse("no ticket.id", status_code=400), "malformed"
        # Senders retry: a delivery seen in the window is answered, not acted on again.
        key = hashlib.sha256(json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
        if not await self._sync_log.first_delivery(key):
            return JSONResponse({"ok": True, "duplicate": True}), "duplicate"
        try:
            response, outcome = await self._act(body, ticket, ticket_id, payload)
        except Exception:
            await self._sync_log.forget_delivery(key)  # so that the sender's retry is acted on
            raise
        if response.status_code >= 400:  # not acted on (a ticket not known yet): a retry may be
            await self._sync_log.forget_delivery(key)
        return response, outcome

    async def _act(
        self, body: bytes, ticket: dict[str, Any], ticket_id: str, payload: dict[str, Any]
    ) -> tuple[Response, str]:
        record = await self._tickets.get("suptask", ticket_id)
        if record is None:
            if await self._adopt(body, ticket, ticket_id):
                return JSONResponse({"ok": True, "adopted": True}), "applied"
            log.info("suptask webhook for unknown ticket %s", ticket_id)
            return PlainTextResponse("unknown ticket", status_code=404), "unknown_ticket"
        identity = helpdesk_identity(ticket)
        if identity is not None:
            record = await self._updates.renamed(record, identity[0], identity[1] or record.url)
        reply = agent_reply(payload)
        if reply is not None and not await self._sync_log.was_sent("suptask", ticket_id, reply[0]):
            await self._updates.agent_replied(record, *reply)
        status = ticket.get("status")
        if isinstance(status, str) and status:
            await self._updates.status_changed(record, status)
        return JSONResponse({"ok": True}), "applied"

    async def _adopt(self, body: bytes, ticket: dict[str, Any], ticket_id: str) -> bool:
        """A ticket we filed whose create answer was lost: its description carries our reference.
        Kept as that create's answer, so the delivery records it instead of filing again."""
        match = re.search(REFERENCE_PATTERN, body.decode("utf-8", "replace"))
        if match is None:
            return False
        identity = helpdesk_identity(ticket)
        status = ticket.get("status")
        result = {
            "id": ticket_id,
            "friendly_id": identity[0] if identity else f"Ticket {ticket_id[:8]}",
            "url": identity[1] if identity else None,
            "status": status if isinstance(status, str) else None,
        }
        adopted = await self._outbox.adopt(match.group(1), result, now=time.time())
        if adopted:
            log.info("suptask ticket %s adopted for a create whose answer was lost", ticket_id)
        return adopted


def parse_json(body: bytes) -> tuple[Any, str | None]:
    """The body as JSON, or why it is not acceptable: not JSON, nested beyond reason, or
    carrying text that is not valid Unicode (a lone surrogate)."""
    try:
        payload = json.loads(body)
    except (ValueError, RecursionError):
        return None, "body is not JSON (or nests too deep)"
    if b"\\u" in body.lower().replace(b"\\\\", b""):
        try:
            json.dumps(payload, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            return None, "body carries text that is not valid Unicode"
    return payload, None


def helpdesk_identity(ticket: dict[str, Any]) -> tuple[str, str | None] | None:
    """``("#<ticketNumber>", permalink or None)`` when the webhook's ticket carries its number."""
    number = ticket.get("ticketNumber")
    if isinstance(number, bool) or not isinstance(number, int | str) or not str(number).strip():
        return None
    link = ticket.get("requesterTicketPermalink")
    url = link if isinstance(link, str) and link.startswith("https://") and len(link) <= 3000 else None
    return f"#{str(number).strip()[:40]}", url


def agent_reply(payload: dict[str, Any]) -> tuple[str, str | None] | None:
    """``(text, author)`` of a public reply in the webhook, if it carries one."""
    reply = payload.get("reply") or payload.get("message")
    if isinstance(reply, str):
        reply = {"text": reply}
    if not isinstance(reply, dict):
        return None
    text = reply.get("text") or reply.get("body")
    channel = reply.get("channel")
    if isinstance(channel, str):
        channel = [channel]
    if not isinstance(text, str) or not text.strip():
        return None
    if reply.get("internal") is True or (isinstance(channel, list) and "requester" not in channel):
        return None
    author = reply.get("username") or reply.get("author")
    return text, author if isinstance(author, str) else None
