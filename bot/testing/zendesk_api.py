"""A fake Zendesk Support API (``/api/v2``) that checks requests as Zendesk's developer
documentation describes them (``shared/api-notes.md``): Basic ``{email}/token:{token}`` auth,
cursor paging of ticket fields, ``Idempotency-Key`` on ticket create (the same key with the same
body answers the first ticket, ``x-idempotency-lookup: hit``; with another body, a refusal), the
form's custom field values, ``external_id`` lookups, comments and statuses; and signs the webhook
events it sends like Zendesk does."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

BASE = "/api/v2"
STATUSES = {"new", "open", "pending", "hold", "solved", "closed"}


@dataclass
class ZendeskCall:
    method: str
    path: str
    body: Any
    headers: dict[str, str]
    at: float


@dataclass
class FakeZendesk:
    email: str
    token: str
    forms: dict[int, dict[str, Any]] = field(default_factory=dict)
    """ticket_form id -> the form (``name``, ``ticket_field_ids``, ``end_user_visible``)."""
    fields: list[dict[str, Any]] = field(default_factory=list)
    tickets: list[dict[str, Any]] = field(default_factory=list)
    comments: list[dict[str, Any]] = field(default_factory=list)
    """Every comment added after a ticket's first: ``ticket_id``, ``body``, ``public``, ``author_id``."""
    users: list[dict[str, Any]] = field(default_factory=list)
    calls: list[ZendeskCall] = field(default_factory=list)
    failures: list[tuple[str, int]] = field(default_factory=list)
    """Queued ``(path prefix, status)`` answers (0: hang past the client's timeout)."""
    after_create: list[int] = field(default_factory=list)
    """Statuses for the next successful creates: the ticket is made, then the answer is this."""
    page_size_cap: int = 2
    """Zendesk pages ticket fields up to 100 at a time; the fake pages smaller so paging is used."""
    hang_seconds: float = 30.0
    _keys: dict[str, tuple[str, int]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add_user(self, name: str, email: str, *, role: str = "end-user") -> int:
        with self._lock:
            user_id = 9000 + len(self.users) + 1
            self.users.append({"id": user_id, "name": name, "email": email.lower(), "role": role})
        return user_id

    def calls_to(self, method: str, path_prefix: str) -> list[ZendeskCall]:
        with self._lock:
            return [c for c in self.calls if c.method == method and c.path.startswith(BASE + path_prefix)]

    def ticket(self, ticket_id: str) -> dict[str, Any] | None:
        return next((t for t in self.tickets if str(t["id"]) == str(ticket_id)), None)

    def asgi(self) -> Starlette:
        return Starlette(
            routes=[
                Route(BASE + "/ticket_forms/{form_id}", self._form, methods=["GET"]),
                Route(BASE + "/ticket_fields", self._fields, methods=["GET"]),
                Route(BASE + "/tickets", self._create, methods=["POST"]),
                Route(BASE + "/tickets", self._find, methods=["GET"]),
                Route(BASE + "/tickets/{ticket_id}", self._update, methods=["PUT"]),
                Route(BASE + "/users/search", self._search_users, methods=["GET"]),
                Route(BASE + "/users/me", self._me, methods=["GET"]),
            ]
        )

    def event(self, secret: str, kind: str, ticket_id: str, event: dict[str, Any]) -> tuple[bytes, dict[str, str]]:
        """A webhook delivery as Zendesk signs it: the body and its headers."""
        body = json.dumps(
            {
                "id": str(uuid.uuid4()),
                "type": f"zen:event-type:ticket.{kind}",
                "subject": f"zen:ticket:{ticket_id}",
                "time": datetime.now(UTC).isoformat(),
                "detail": {"id": str(ticket_id)},
                "event": event,
            }
        ).encode()
        return body, self.signed(secret, body)

    @staticmethod
    def signed(secret: str, body: bytes, *, at: datetime | None = None) -> dict[str, str]:
        timestamp = (at or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
        digest = hmac.new(secret.encode(), timestamp.encode() + body, hashlib.sha256).digest()
        return {
            "Content-Type": "application/json",
            "X-Zendesk-Webhook-Signature": base64.b64encode(digest).decode(),
            "X-Zendesk-Webhook-Signature-Timestamp": timestamp,
        }

    async def _enter(self, request: Request) -> tuple[Any, Response | None]:
        raw = await request.body()
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            return None, _error(400, "InvalidJSON", "The body is not JSON.")
        with self._lock:
            self.calls.append(ZendeskCall(request.method, request.url.path, body, dict(request.headers), time.time()))
            path = request.url.path.removeprefix(BASE)
            failure = next((f for f in self.failures if path.startswith(f[0])), None)
            if failure:
                self.failures.remove(failure)
        expected = "Basic " + base64.b64encode(f"{self.email}/token:{self.token}".encode()).decode()
        if request.headers.get("authorization") != expected:
            return body, JSONResponse({"error": "Couldn't authenticate you"}, status_code=401)
        if failure:
            if failure[1] == 0:
                await asyncio.sleep(self.hang_seconds)
            if failure[1] == 429:
                return body, _error(429, "TooManyRequests", "Rate limit exceeded.", {"Retry-After": "1"})
            return body, _error(failure[1], "Failure", f"Injected {failure[1]}.")
        return body, None

    async def _form(self, request: Request) -> Response:
        _, refused = await self._enter(request)
        if refused:
            return refused
        form = self.forms.get(int(request.path_params["form_id"])) if request.path_params["form_id"].isdigit() else None
        if form is None:
            return _error(404, "RecordNotFound", "Not found")
        return JSONResponse({"ticket_form": {"id": int(request.path_params["form_id"]), "active": True, **form}})

    async def _fields(self, request: Request) -> Response:
        _, refused = await self._enter(request)
        if refused:
            return refused
        size = int(request.query_params.get("page[size]", "100"))
        if size > 100:
            return _error(400, "InvalidPaginationParameter", "page[size] is at most 100")
        size = min(size, self.page_size_cap)
        after = int(request.query_params.get("page[after]", "0"))
        page = self.fields[after : after + size]
        more = after + size < len(self.fields)
        next_url = str(request.url.replace(query=f"page[size]={size}&page[after]={after + size}")) if more else None
        return JSONResponse({"ticket_fields": page, "meta": {"has_more": more}, "links": {"next": next_url}})

    async def _create(self, request: Request) -> Response:
        body, refused = await self._enter(request)
        if refused:
            return refused
        key = request.headers.get("idempotency-key")
        fingerprint = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()
        with self._lock:
            known = self._keys.get(key) if key else None
        if known is not None:
            if known[0] != fingerprint:
                return _error(400, "IdempotentRequestError", "The same Idempotency-Key was sent with another body.")
            ticket = self.ticket(str(known[1]))
            return JSONResponse({"ticket": ticket}, status_code=201, headers={"x-idempotency-lookup": "hit"})
        problem = self._ticket_problem(body)
        if problem:
            return _invalid(problem)
        ticket_body = body["ticket"]
        with self._lock:
            requester = ticket_body.get("requester")
            requester_id = None
            if isinstance(requester, dict) and requester.get("email"):
                # Zendesk finds the user with that e-mail, or makes one (an end user).
                email = str(requester["email"]).lower()
                found = next((u for u in self.users if u["email"] == email), None)
                if found is None:
                    found = {"id": 9000 + len(self.users) + 1, "name": requester.get("name"), "email": email}
                    self.users.append({**found, "role": "end-user"})
                requester_id = found["id"]
            ticket = {
                "id": 100 + len(self.tickets) + 1,
                "subject": ticket_body["subject"],
                "description": ticket_body["comment"]["body"],
                "status": "new",
                "ticket_form_id": ticket_body.get("ticket_form_id"),
                "custom_fields": ticket_body.get("custom_fields", []),
                "external_id": ticket_body.get("external_id"),
                "requester": requester,
                "requester_id": requester_id,
                "tags": list(ticket_body.get("tags", [])),
                "assignee_id": None,
            }
            self.tickets.append(ticket)
            if key:
                self._keys[key] = (fingerprint, ticket["id"])
            lost = self.after_create.pop(0) if self.after_create else None
        if lost:
            return _error(lost, "Failure", "The answer was lost.")
        return JSONResponse({"ticket": ticket}, status_code=201, headers={"x-idempotency-lookup": "miss"})

    def _ticket_problem(self, body: Any) -> str | None:
        ticket = body.get("ticket") if isinstance(body, dict) else None
        if not isinstance(ticket, dict):
            return "ticket is required"
        if not isinstance(ticket.get("subject"), str) or not ticket["subject"].strip():
            return "Subject: cannot be blank"
        comment = ticket.get("comment")
        if not isinstance(comment, dict) or not isinstance(comment.get("body"), str) or not comment["body"].strip():
            return "Description: cannot be blank"
        form = self.forms.get(ticket.get("ticket_form_id"))  # type: ignore[arg-type]
        if form is None:
            return f"Ticket form {ticket.get('ticket_form_id')!r} is invalid"
        allowed = set(form.get("ticket_field_ids", []))
        for item in ticket.get("custom_fields", []):
            spec = next((f for f in self.fields if f["id"] == item.get("id")), None)
            if spec is None or spec["id"] not in allowed:
                return f"Custom field {item.get('id')!r} is not on this form"
            problem = _value_problem(spec, item.get("value"))
            if problem:
                return f"{spec['title']}: {problem}"
        return None

    async def _find(self, request: Request) -> Response:
        _, refused = await self._enter(request)
        if refused:
            return refused
        wanted = request.query_params.get("external_id")
        if not wanted:
            return _error(400, "InvalidParameter", "Give external_id to look tickets up.")
        return JSONResponse({"tickets": [t for t in self.tickets if t.get("external_id") == wanted], "count": 1})

    async def _update(self, request: Request) -> Response:
        body, refused = await self._enter(request)
        if refused:
            return refused
        ticket = self.ticket(request.path_params["ticket_id"])
        if ticket is None:
            return _error(404, "RecordNotFound", "Not found")
        change = body.get("ticket") if isinstance(body, dict) else None
        if not isinstance(change, dict) or not change:
            return _error(400, "InvalidTicket", "ticket is required")
        if ticket["status"] == "closed":
            return _invalid("Status: closed prevents ticket update")
        events: list[dict[str, Any]] = []
        with self._lock:
            if "comment" in change:
                comment = change["comment"]
                if not isinstance(comment, dict) or not isinstance(comment.get("body"), str) or not comment["body"]:
                    return _invalid("Comment: body cannot be blank")
                author = comment.get("author_id")
                if author is not None and author not in {u["id"] for u in self.users}:
                    return _invalid("Comment: author is invalid")
                comment_id = 500 + len(self.comments) + 1
                self.comments.append(
                    {
                        "id": comment_id,
                        "ticket_id": str(ticket["id"]),
                        "body": comment["body"],
                        "public": comment.get("public", True) is not False,
                        "author_id": author,
                    }
                )
                events.append({"type": "Comment", "id": comment_id, "public": self.comments[-1]["public"]})
            if "status" in change:
                if change["status"] not in STATUSES:
                    return _invalid(f"Status: {change['status']!r} is not valid")
                ticket["status"] = change["status"]
            if "assignee_id" in change:
                agent = next((u for u in self.users if u["id"] == change["assignee_id"]), None)
                if agent is None or agent["role"] not in {"agent", "admin"}:
                    return _invalid("Assignee: is not an agent")
                ticket["assignee_id"] = agent["id"]
            for tag in change.get("additional_tags", []):
                if tag not in ticket["tags"]:
                    ticket["tags"].append(tag)
        return JSONResponse({"ticket": ticket, "audit": {"events": events}})

    async def _search_users(self, request: Request) -> Response:
        _, refused = await self._enter(request)
        if refused:
            return refused
        query = request.query_params.get("query", "")
        email = query.removeprefix("email:").lower() if query.startswith("email:") else None
        found = [u for u in self.users if email is not None and u["email"] == email]
        return JSONResponse({"users": found, "count": len(found)})

    async def _me(self, request: Request) -> Response:
        _, refused = await self._enter(request)
        if refused:
            return refused
        return JSONResponse({"user": {"id": 1, "email": self.email, "role": "admin"}})


def _value_problem(spec: dict[str, Any], value: Any) -> str | None:
    kind = spec["type"]
    options = {o["value"] for o in spec.get("custom_field_options", [])}
    if kind == "tagger":
        return None if value in options else f"{value!r} is not one of its options"
    if kind == "multiselect":
        ok = isinstance(value, list) and all(v in options for v in value)
        return None if ok else f"{value!r} is not a list of its options"
    if kind == "checkbox":
        return None if isinstance(value, bool) else "must be true or false"
    if kind == "integer":
        return None if isinstance(value, int) and not isinstance(value, bool) else "must be a whole number"
    if kind == "decimal":
        return None if isinstance(value, int | float) and not isinstance(value, bool) else "must be a number"
    if kind == "date":
        return None if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) else "must be a date"
    if kind == "regexp":
        pattern = spec.get("regexp_for_validation") or ".*"
        return None if isinstance(value, str) and re.fullmatch(pattern, value) else "is not in the expected format"
    return None if isinstance(value, str) else "must be text"


def _invalid(problem: str) -> JSONResponse:
    """Zendesk's 422: the reason is in ``details``, by attribute."""
    details = {"base": [{"description": problem, "error": "InvalidValue"}]}
    return JSONResponse({"error": "RecordInvalid", "description": "Record validation errors", "details": details}, 422)


def _error(status: int, error: str, description: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": error, "description": description}, status_code=status, headers=headers)
