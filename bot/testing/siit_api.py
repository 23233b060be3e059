"""A fake Siit public API that checks each request against the documented contract
(``shared/seeds/000_*.txt``, ``shared/api-notes.md``) and answers like Siit."""

from __future__ import annotations

import asyncio
import itertools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

SUBMITTED_FROM = {"employee_portal", "slack", "mail", "ms_teams"}
RATE_LIMIT_PER_MINUTE = 60
STATUSES = frozenset({"open", "in_progress", "waiting", "resolved", "archived"})
STATUS_PROBLEM = "status must be one of " + ", ".join(sorted(STATUSES)) + "."


@dataclass
class SiitCall:
    method: str
    path: str
    query: dict[str, list[str]]
    body: Any
    at: float


@dataclass
class FakeSiit:
    token: str
    services: dict[str, dict[str, Any]] = field(default_factory=dict)
    users: list[dict[str, Any]] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    messages: list[dict[str, Any]] = field(default_factory=list)
    """Public replies and private notes, each with ``request_uid`` and ``private``."""
    calls: list[SiitCall] = field(default_factory=list)
    latency: float = 0.0
    failures: list[tuple[str, int]] = field(default_factory=list)
    """Queued ``(path prefix, status)``: the next matching call answers that status."""
    hang_seconds: float = 0.0
    failure_message: str = "Injected failure."
    rate_limit: int = RATE_LIMIT_PER_MINUTE
    rate_window: float = 60.0
    """Siit's limit: at most ``rate_limit`` calls in any ``rate_window`` seconds, else 429."""
    after_create: list[str] = field(default_factory=list)
    """Queued misbehaviours for the next successful creates: the request is made, then the answer
    is ``"drop"`` (connection closed mid-answer), ``"timeout"`` (no answer for ``hang_seconds``),
    ``"503"``, or ``"kill"`` (``on_create`` is called, then no answer for ``hang_seconds``)."""
    on_create: Callable[[], None] | None = None
    result_overrides: dict[str, Any] = field(default_factory=dict)
    """Fields forced into the requests created from now on (a long ``friendly_id``, say)."""
    raw_services: dict[str, tuple[int, str]] = field(default_factory=dict)
    """Per service: a raw ``(status, body)`` answer instead of the service."""
    renders: Callable[[str], str] | None = None
    """How Siit stores a posted message's text (its rendering may differ from what was sent)."""
    clock: Callable[[], float] = time.time
    """Siit's time: its rate window, the calls' ``at`` and the requests' timestamps (a simulated
    clock runs an hour of polling in seconds)."""
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _numbers: itertools.count[int] = field(default_factory=lambda: itertools.count(12))

    def add_user(
        self,
        uid: str,
        email: str,
        *,
        role: str = "employee",
        slack_user_id: str | None = None,
        full_name: str | None = None,
    ) -> None:
        self.users.append(
            {
                "uid": uid,
                "emails": [email],
                "role_name": role,
                "full_name": full_name or uid,
                "slack_user_id": slack_user_id,
            }
        )

    def agent_says(
        self, request_uid: str, agent_uid: str, text: str, *, note: bool = False, attachments: list[str] | None = None
    ) -> str:
        """A message (or internal note) written in Siit's own app by ``agent_uid``; its uid."""
        with self._lock:
            message = {
                "request_uid": request_uid,
                "private": note,
                "body_text": text,
                "sent_by_uid": agent_uid,
                "submitted_from": "web_app",
                "attachments": [{"url": url} for url in attachments or []],
            }
            return self._store_message(message)

    def add_request(self, title: str, requester_uid: str) -> str:
        """A request made in Siit (by the app earlier, say); its uid."""
        with self._lock:
            uid = f"req_{next(self._numbers):06d}"
            stored = {"title": title, "requested_by": requester_uid, "_uid": uid, "_overrides": {}}
            self.requests.append({**stored, "_created_at": self._now()})
        return uid

    def _now(self) -> str:
        return datetime.fromtimestamp(self.clock(), UTC).isoformat().replace("+00:00", "Z")

    def _store_message(self, message: dict[str, Any]) -> str:
        uid = f"msg_{len(self.messages) + 1:06d}"
        now = self._now()
        self.messages.append({**message, "uid": uid, "created_at": now})
        found = self.request(message["request_uid"])
        if found is not None:
            found["_updated_at"] = now
        return uid

    def _conversation_item(self, message: dict[str, Any]) -> dict[str, Any]:
        """``GET /v1/requests/{uid}/messages`` item (api-notes: event_type, sender_type, ...)."""
        sender = message.get("sent_by_uid") or message.get("sent_by")
        role = next((u["role_name"] for u in self.users if u["uid"] == sender), None)
        return {
            "uid": message["uid"],
            "body_text": message.get("body_text") or message.get("body_markdown"),
            "event_type": "note" if message["private"] else "message",
            "sender_type": "admin" if role in ("admin", "agent") else "user" if sender else "internal",
            "sent_by_uid": sender,
            "submitted_from": message.get("submitted_from", "public_api"),
            "attachments": message.get("attachments", []),
            "created_at": message["created_at"],
        }

    def calls_to(self, method: str, path_prefix: str) -> list[SiitCall]:
        with self._lock:
            return [c for c in self.calls if c.method == method and c.path.startswith(path_prefix)]

    def asgi(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/v1/ping", self._ping, methods=["GET"]),
                Route("/v1/services/{uid}", self._service, methods=["GET"]),
                Route("/v1/users", self._list_users, methods=["GET"]),
                Route("/v1/requests", self._create_request, methods=["POST"]),
                Route("/v1/requests", self._list_requests, methods=["GET"]),
                Route("/v1/requests/slack", self._create_slack_request, methods=["POST"]),
                Route("/v1/requests/{uid}", self._update_request, methods=["PUT"]),
                Route("/v1/requests/{uid}", self._get_request, methods=["GET"]),
                Route("/v1/requests/{uid}/messages", self._add_message, methods=["POST"]),
                Route("/v1/requests/{uid}/messages", self._list_messages, methods=["GET"]),
                Route("/v1/requests/{uid}/status", self._patch_status, methods=["PATCH"]),
                Route("/v1/requests/{uid}/assignee", self._patch_assignee, methods=["PATCH"]),
                Route("/v1/requests/{uid}/notes", self._add_note, methods=["POST"]),
            ]
        )

    async def _enter(self, request: Request) -> tuple[Any, Response | None]:
        body: Any = None
        raw = await request.body()
        if raw:
            try:
                body = await request.json()
            except ValueError:
                return None, _error(400, "Body is not JSON.")
        query: dict[str, list[str]] = {}
        for key, value in request.query_params.multi_items():
            query.setdefault(key, []).append(value)
        now = self.clock()
        with self._lock:
            self.calls.append(SiitCall(request.method, request.url.path, query, body, now))
            recent = sum(1 for c in self.calls if now - c.at < self.rate_window)
            failure = next((f for f in self.failures if request.url.path.startswith(f[0])), None)
            if failure:
                self.failures.remove(failure)
        if self.latency:
            await asyncio.sleep(self.latency)
        if request.headers.get("authorization") != f"Bearer {self.token}":
            return body, _error(401, "Invalid API token.")
        if recent > self.rate_limit:
            reset = str(int(self.rate_window))
            return body, _error(429, "Rate limit exceeded.", headers={"X-SiitApi-Reset": reset})
        if failure:
            if failure[1] == 0:
                await asyncio.sleep(self.hang_seconds)
            return body, _error(failure[1] or 504, self.failure_message)
        if request.method == "POST" and not request.headers.get("content-type", "").startswith("application/json"):
            return body, _error(415, "Send JSON.")
        return body, None

    async def _ping(self, request: Request) -> Response:
        """Answers when the token works (api-notes: ``GET /v1/ping``); the body shape is not documented."""
        _, refused = await self._enter(request)
        return refused or JSONResponse({"result": "pong"})

    async def _service(self, request: Request) -> Response:
        _, refused = await self._enter(request)
        if refused:
            return refused
        raw = self.raw_services.get(request.path_params["uid"])
        if raw is not None:
            return _Dropped() if raw[0] == 0 else Response(raw[1], status_code=raw[0], media_type="application/json")
        service = self.services.get(request.path_params["uid"])
        if service is None:
            return _error(404, "Service not found.")
        return JSONResponse({"result": service})

    async def _list_users(self, request: Request) -> Response:
        _, refused = await self._enter(request)
        if refused:
            return refused
        emails = {e.lower() for e in request.query_params.getlist("email_in[]")}
        roles = set(request.query_params.getlist("role_in[]"))
        found = [
            u
            for u in self.users
            if (not emails or {e.lower() for e in u["emails"]} & emails) and (not roles or u["role_name"] in roles)
        ]
        meta = {"count": len(found), "total": len(found), "current_page": 1, "per_page": 50}
        return JSONResponse({"meta": meta, "results": found})

    async def _create_request(self, request: Request) -> Response:
        body, refused = await self._enter(request)
        if refused:
            return refused
        problem = self._check_common(body)
        if problem is None:
            problem = self._check_people(body) or self._check_inputs(body, native_allowed=True)
        if problem:
            return _error(422, problem)
        return self._created(body)

    async def _create_slack_request(self, request: Request) -> Response:
        body, refused = await self._enter(request)
        if refused:
            return refused
        problem = self._check_common(body, slack_route=True)
        if problem is None and not isinstance(body.get("slack_user_id"), str):
            problem = "slack_user_id is required."
        problem = problem or self._check_inputs(body, native_allowed=False)
        if problem:
            return _error(422, problem)
        return self._created(body)

    def _check_common(self, body: Any, *, slack_route: bool = False) -> str | None:
        if not isinstance(body, dict):
            return "Body must be a JSON object."
        if not isinstance(body.get("title"), str) or not body["title"].strip():
            return "title is required."
        if not slack_route and body.get("submitted_from") not in SUBMITTED_FROM:
            return "submitted_from must be one of " + ", ".join(sorted(SUBMITTED_FROM)) + "."
        target = body.get("target")
        if target is not None and target not in self.services:
            return f"target {target} does not exist."
        return None

    def _check_people(self, body: dict[str, Any]) -> str | None:
        by_uid = {u["uid"]: u for u in self.users}
        author, requester = body.get("author"), body.get("requested_by")
        if author not in by_uid or requester not in by_uid:
            return "author and requested_by must be existing user UIDs."
        if author != requester and by_uid[author]["role_name"] != "admin":
            return "author must be the requester or an admin."
        return None

    def _check_inputs(self, body: dict[str, Any], *, native_allowed: bool) -> str | None:
        inputs = body.get("custom_form_inputs", [])
        if not isinstance(inputs, list):
            return "custom_form_inputs must be an array."
        native = {}
        for item in inputs:
            if not isinstance(item, dict) or "value" not in item or ("uid" in item) == ("label" in item):
                return "Each custom form input needs either uid or label, and a value."
            if "uid" in item:
                if not native_allowed:
                    return "Native inputs are not accepted on this route."
                native[item["uid"]] = item["value"]
            elif not isinstance(item["value"], str):
                return f"The value of arbitrary input {item['label']!r} must be a string."
        if not native:
            return None
        config = {
            c["uid"]: c
            for c in self.services.get(str(body.get("target")), {}).get("custom_form_input_configuration", [])
        }
        for uid, value in native.items():
            if uid not in config:
                return f"Custom form input {uid} is not part of the service form."
            problem = _native_problem(config[uid], value)
            if problem:
                return problem
        for uid, item in config.items():
            if item.get("required") and uid not in native:
                return f"{item['label']} is required."
        return None

    def request(self, uid: str) -> dict[str, Any] | None:
        return next((r for r in self.requests if r["_uid"] == uid), None)

    async def _get_request(self, request: Request) -> Response:
        _, found, refused = await self._enter_request(request)
        return refused or JSONResponse(self._result(found))

    async def _update_request(self, request: Request) -> Response:
        body, refused = await self._enter(request)
        if refused:
            return refused
        found = self.request(request.path_params["uid"])
        if found is None:
            return _error(404, "Request not found.")
        if not isinstance(body, dict):
            return _error(422, "Body must be a JSON object.")
        if "status" in body and body["status"] not in STATUSES:
            return _error(422, STATUS_PROBLEM)
        found.update(body)
        return JSONResponse({"result": {"uid": found["_uid"], "status": found.get("status", "open")}})

    async def _add_message(self, request: Request) -> Response:
        return await self._add_to_thread(request, private=False)

    async def _add_note(self, request: Request) -> Response:
        return await self._add_to_thread(request, private=True)

    async def _add_to_thread(self, request: Request, *, private: bool) -> Response:
        body, refused = await self._enter(request)
        if refused:
            return refused
        uid = request.path_params["uid"]
        if self.request(uid) is None:
            return _error(404, "Request not found.")
        text_keys = ("body_markdown",) if private else ("body_text", "body_markdown")
        author_key = "sent_by" if private else "sent_by_uid"
        if not isinstance(body, dict) or not any(isinstance(body.get(k), str) and body[k] for k in text_keys):
            return _error(422, f"{' or '.join(text_keys)} is required.")
        if author_key in body and body[author_key] not in {u["uid"] for u in self.users}:
            return _error(422, f"{author_key} must be an existing user.")
        if self.renders is not None:
            body = {k: self.renders(v) if k in text_keys and isinstance(v, str) else v for k, v in body.items()}
        with self._lock:
            message_uid = self._store_message({"request_uid": uid, "private": private, **body})
        return JSONResponse({"result": {"uid": message_uid}}, status_code=201)

    async def _list_messages(self, request: Request) -> Response:
        """The request's conversation, paged (``page``, ``per_page`` up to 50), oldest first."""
        _, refused = await self._enter(request)
        if refused:
            return refused
        uid = request.path_params["uid"]
        if self.request(uid) is None:
            return _error(404, "Request not found.")
        with self._lock:
            items = [self._conversation_item(m) for m in self.messages if m["request_uid"] == uid]
        return _page(request, items, f"/v1/requests/{uid}/messages")

    async def _patch_status(self, request: Request) -> Response:
        body, found, refused = await self._enter_request(request)
        if refused:
            return refused
        if not isinstance(body, dict) or body.get("status") not in STATUSES:
            return _error(422, STATUS_PROBLEM)
        with self._lock:
            found["status"] = body["status"]
            found["_updated_at"] = self._now()
        return JSONResponse({"result": {"uid": found["_uid"], "status": found["status"]}})

    async def _enter_request(self, request: Request) -> tuple[Any, dict[str, Any], Response | None]:
        """``_enter``, then the request the path names (404 when there is none)."""
        body, refused = await self._enter(request)
        found = self.request(request.path_params["uid"]) if refused is None else None
        if refused is None and found is None:
            refused = _error(404, "Request not found.")
        return body, found or {}, refused

    async def _patch_assignee(self, request: Request) -> Response:
        """``{"assignee_admin": uid}`` of an admin or agent (the body's shape is assumed: [U])."""
        body, found, refused = await self._enter_request(request)
        if refused:
            return refused
        agents = {u["uid"] for u in self.users if u["role_name"] in ("admin", "agent")}
        if not isinstance(body, dict) or body.get("assignee_admin") not in agents:
            return _error(422, "assignee_admin must be an admin or agent.")
        with self._lock:
            found["assignee_admin"] = body["assignee_admin"]
            found["_updated_at"] = self._now()
        return JSONResponse({"result": {"uid": found["_uid"], "assignee_admin": body["assignee_admin"]}})

    def max_calls_in_window(self) -> int:
        """The most calls Siit received in any ``rate_window``: what its limit is checked against."""
        with self._lock:
            times = sorted(c.at for c in self.calls)
        most, start = 0, 0
        for end, at in enumerate(times):
            while at - times[start] >= self.rate_window:
                start += 1
            most = max(most, end - start + 1)
        return most

    async def _list_requests(self, request: Request) -> Response:
        """List Requests: newest first, paged (``page``, ``per_page`` up to 50)."""
        _, refused = await self._enter(request)
        if refused:
            return refused
        with self._lock:
            newest_first = [self._result(r) for r in reversed(self.requests)]
        return _page(request, newest_first, "/v1/requests")

    def _result(self, stored: dict[str, Any]) -> dict[str, Any]:
        uid = stored["_uid"]
        number = int(uid.removeprefix("req_"))
        return {
            "uid": uid,
            "friendly_id": f"REQ-{number}",
            "admin_permalink_url": f"https://app.siit.io/requests/{uid}",
            "status": stored.get("status", "open"),
            "title": stored["title"],
            "description": stored.get("description"),
            "target_uid": stored.get("target"),
            "requested_by": stored.get("requested_by"),
            "slack_user_id": stored.get("slack_user_id"),
            "slack_direct_link": stored.get("slack_direct_link") or stored.get("slack_message_link"),
            "created_at": stored["_created_at"],
            "updated_at": stored.get("_updated_at", stored["_created_at"]),
            **{k: v for k, v in stored["_overrides"].items() if not (k == "status" and "status" in stored)},
        }

    def _created(self, body: dict[str, Any]) -> Response:
        with self._lock:
            number = next(self._numbers)
            uid = f"req_{number:06d}"
            created_at = self._now()
            overrides = dict(self.result_overrides)
            self.requests.append({**body, "_uid": uid, "_created_at": created_at, "_overrides": overrides})
            result = self._result(self.requests[-1])
            mode = self.after_create.pop(0) if self.after_create else None
        if mode == "drop":
            return _Dropped()
        if mode == "503":
            return _error(503, "Service unavailable.")
        if mode in ("timeout", "kill"):
            if mode == "kill" and self.on_create is not None:
                self.on_create()
            return _Late(self.hang_seconds, {"result": result})
        return JSONResponse({"result": result}, status_code=201)


class _Dropped(Response):
    """The connection closes after the status line: the client never reads an answer."""

    def __init__(self) -> None:
        super().__init__(status_code=201)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 201, "headers": [(b"content-length", b"100")]})
        raise ConnectionResetError("the fake drops the connection after creating the request")


class _Late(JSONResponse):
    """The answer comes only after ``delay`` seconds (a client with a shorter timeout gives up)."""

    def __init__(self, delay: float, content: Any) -> None:
        super().__init__(content, status_code=201)
        self._delay = delay

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await asyncio.sleep(self._delay)
        await super().__call__(scope, receive, send)


def _native_problem(config: dict[str, Any], value: Any) -> str | None:
    label = config["label"]
    if config.get("multiple") and not isinstance(value, list):
        return f"{label} takes a list of values."
    values = value if isinstance(value, list) else [value]
    kind = config.get("kind")
    if kind == "select":
        allowed = {o["value"] if isinstance(o, dict) else o for o in config.get("options", [])}
        if any(v not in allowed for v in values):
            return f"{label}: {value!r} is not one of its options."
    if kind == "number" and not all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        return f"{label} must be a number."
    if kind in ("string", "text") and not all(isinstance(v, str) for v in values):
        return f"{label} must be text."
    return None


def _page(request: Request, items: list[dict[str, Any]], path: str) -> Response:
    """A list answer as Siit pages it (``page``, ``per_page`` up to 50, ``meta``)."""
    try:
        page = max(1, int(request.query_params.get("page", "1")))
        per_page = min(50, max(1, int(request.query_params.get("per_page", "20"))))
    except ValueError:
        return _error(400, "page and per_page must be integers.")
    chunk = items[(page - 1) * per_page : page * per_page]
    more = page * per_page < len(items)
    meta = {
        "count": len(chunk),
        "total": len(items),
        "current_page": page,
        "per_page": per_page,
        "next_page_link": f"{path}?page={page + 1}&per_page={per_page}" if more else None,
        "previous_page_link": None,
    }
    return JSONResponse({"meta": meta, "results": chunk})


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": {"message": message}}, status_code=status, headers=headers)
