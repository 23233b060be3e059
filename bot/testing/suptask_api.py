"""A fake Suptask public API (v2) that checks requests against its OpenAPI definition
(``shared/seeds/003_*.txt``, ``shared/api-notes.md``) and answers like Suptask."""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

BASE = "/api/v2/public"


@dataclass
class SuptaskCall:
    method: str
    path: str
    body: Any
    at: float


@dataclass
class FakeSuptask:
    token: str
    forms: dict[str, dict[str, Any]] = field(default_factory=dict)
    """formId -> {"channels": [...], "fields": [fieldId, ...]}: what the Suptask workspace has."""
    tickets: dict[str, dict[str, Any]] = field(default_factory=dict)
    replies: list[dict[str, Any]] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    """Tickets deleted (``DELETE /ticket/{id}``), in order."""
    calls: list[SuptaskCall] = field(default_factory=list)
    failures: list[tuple[str, int]] = field(default_factory=list)
    after_create: list[int] = field(default_factory=list)
    """Statuses for the next successful creates: the ticket is made, then the answer is this."""
    """Queued ``(path prefix, status)`` answers; 429 carries ``X-RateLimit-Reset``."""
    rate_limit_reset_seconds: int = 1
    latency: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def calls_to(self, method: str, path_prefix: str) -> list[SuptaskCall]:
        with self._lock:
            return [c for c in self.calls if c.method == method and c.path.startswith(BASE + path_prefix)]

    def asgi(self) -> Starlette:
        return Starlette(
            routes=[
                Route(BASE + "/ticket", self._create, methods=["POST"]),
                Route(BASE + "/ticket/{ticket_id}", self._update, methods=["PATCH"]),
                Route(BASE + "/ticket/{ticket_id}", self._delete, methods=["DELETE"]),
                Route(BASE + "/ticket/reply/{ticket_id}", self._reply, methods=["POST"]),
            ]
        )

    async def _enter(self, request: Request) -> tuple[Any, Response | None]:
        raw = await request.body()
        try:
            body = await request.json() if raw else None
        except ValueError:
            body = None
        with self._lock:
            self.calls.append(SuptaskCall(request.method, request.url.path, body, time.time()))
            path = request.url.path.removeprefix(BASE)
            failure = next((f for f in self.failures if path.startswith(f[0])), None)
            if failure:
                self.failures.remove(failure)
        if self.latency:
            await asyncio.sleep(self.latency)
        if request.headers.get("authorization") != f"Api-Token {self.token}":
            return body, _error(401, "Unauthorized")
        if failure and failure[1] == 429:
            reset = str(self.rate_limit_reset_seconds)
            headers = {"X-RateLimit-Limit": "100", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset}
            return body, _error(429, "Too many requests", headers)
        if failure:
            return body, _error(failure[1], "Server error")
        if not isinstance(body, dict) and request.method != "DELETE":
            return body, _error(400, "Invalid request payload: body must be a JSON object")
        return body, None

    async def _create(self, request: Request) -> Response:
        body, refused = await self._enter(request)
        if refused:
            return refused
        problem = self._ticket_problem(body)
        if problem:
            return _error(400, f"Invalid request payload: {problem}")
        ticket_id = str(uuid.uuid4())
        with self._lock:
            self.tickets[ticket_id] = dict(body)
            lost = self.after_create.pop(0) if self.after_create else None
        if lost:
            return _error(lost, "Internal error.")
        return JSONResponse({"ticketId": ticket_id}, status_code=201)

    def created_webhook(self, ticket_id: str) -> dict[str, Any]:
        """The documented "Ticket Created" webhook body for a ticket made here."""
        with self._lock:
            number = list(self.tickets).index(ticket_id) + 42
            body = self.tickets[ticket_id]
        return {
            "ticket": {
                "id": ticket_id,
                "ticketNumber": str(number),
                "status": "OPEN",
                "formId": body["formId"],
                "requesterId": body.get("requester"),
                "requesterTicketPermalink": f"https://app.suptask.com/tickets/{ticket_id}",
                "formValues": [{"value": body["description"], "fieldName": "Description"}],
            }
        }

    def _ticket_problem(self, body: dict[str, Any]) -> str | None:
        for key in ("description", "requesterChannel", "formId"):
            if not isinstance(body.get(key), str) or not body[key].strip():
                return f"{key} is required"
        try:
            uuid.UUID(body["formId"])
        except ValueError:
            return "formId must be a UUID"
        form = self.forms.get(body["formId"])
        if form is None:
            return "form not found"
        if body["requesterChannel"] not in form["channels"]:
            return "requesterChannel must be one of the channels assigned to the form"
        for key in ("requester", "assignee", "priority", "status"):
            if body.get(key) is not None and not isinstance(body[key], str):
                return f"{key} must be a string"
        if body.get("tags") is not None and not all(isinstance(t, str) for t in body["tags"]):
            return "tags must be strings"
        for custom in body.get("customFields") or []:
            if not isinstance(custom, dict) or set(custom) != {"fieldId", "value"}:
                return "customFields items are {fieldId, value}"
            if custom["fieldId"] not in form["fields"]:
                return f"field {custom['fieldId']} does not belong to the form"
        return None

    async def _update(self, request: Request) -> Response:
        body, refused = await self._enter(request)
        if refused:
            return refused
        ticket = self.tickets.get(request.path_params["ticket_id"])
        if ticket is None:
            return _error(404, "Ticket not found")
        ticket.update(body)
        return Response(status_code=200)

    async def _delete(self, request: Request) -> Response:
        _, refused = await self._enter(request)
        if refused:
            return refused
        if self.tickets.pop(request.path_params["ticket_id"], None) is None:
            return _error(404, "Ticket not found")
        self.deleted.append(request.path_params["ticket_id"])
        return Response(status_code=200)

    async def _reply(self, request: Request) -> Response:
        body, refused = await self._enter(request)
        if refused:
            return refused
        if request.path_params["ticket_id"] not in self.tickets:
            return _error(404, "Suptask ticket not found")
        channel = body.get("channel")
        if not isinstance(body.get("text"), str) or not isinstance(channel, list):
            return _error(400, "Invalid request payload: text and channel are required")
        if not channel or not set(channel) <= {"requester", "responder"}:
            return _error(400, "Invalid request payload: channel is requester and/or responder")
        self.replies.append({"ticket_id": request.path_params["ticket_id"], **body})
        return JSONResponse({"success": True, "message": "Reply message sent successfully"})


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"message": message}, status_code=status, headers=headers)
