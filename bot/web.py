"""The HTTP surface: ``POST /slack/events`` (guarded before Bolt sees it) and ``GET /healthz``."""

from __future__ import annotations

import json
from urllib.parse import parse_qs

from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.signature import SignatureVerifier
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response


class SlackEndpoint:
    """Refuses what Bolt would answer with a 500 or should never parse: oversized bodies,
    bodies that are not UTF-8, bad signatures (checked here too, so it cannot be turned off),
    ``payload=`` that is not a JSON object of the expected shape, events without an event."""

    def __init__(self, *, app: AsyncApp, signing_secret: str, max_body_bytes: int) -> None:
        self._handler = AsyncSlackRequestHandler(app)
        self._verifier = SignatureVerifier(signing_secret)
        self._max_body_bytes = max_body_bytes

    async def handle(self, request: Request) -> Response:
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self._max_body_bytes:
            return PlainTextResponse("request body too large", status_code=413)
        body = b""
        async for chunk in request.stream():
            body += chunk
            if len(body) > self._max_body_bytes:
                return PlainTextResponse("request body too large", status_code=413)
        request._body = body  # Bolt's adapter reads the body again through the cached attribute.
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return PlainTextResponse("body is not UTF-8", status_code=400)
        if not self._verifier.is_valid_request(text, dict(request.headers)):
            return PlainTextResponse("invalid signature", status_code=401)
        problem = malformed(text, request.headers.get("content-type", ""))
        if problem:
            return PlainTextResponse(problem, status_code=400)
        return await self._handler.handle(request)


def malformed(text: str, content_type: str) -> str | None:
    """Why a signed body cannot be a Slack request, or ``None``."""
    if content_type.startswith("application/json"):
        try:
            envelope = json.loads(text)
        except ValueError:
            return "body is not JSON"
        if not isinstance(envelope, dict):
            return "body is not a JSON object"
        if envelope.get("type") == "event_callback" and not isinstance(envelope.get("event"), dict):
            return "event_callback without an event"
        return None
    form = parse_qs(text)
    if "payload" in form:
        try:
            payload = json.loads(form["payload"][0])
        except ValueError:
            return "payload is not JSON"
        return interaction_problem(payload)
    elif "command" not in form and "ssl_check" not in form:
        return "not a Slack request"
    return None


async def healthz(_request: Request) -> Response:
    return JSONResponse({"status": "ok"})


def interaction_problem(payload: object) -> str | None:
    """The minimal shape Bolt's payload helpers index into without checking."""
    if not isinstance(payload, dict) or not isinstance(payload.get("type"), str):
        return "payload is not a Slack interaction"
    user = payload.get("user")
    if not isinstance(user, dict) or not isinstance(user.get("id"), str):
        return "payload has no user"
    view = payload.get("view")
    if payload["type"] in ("view_submission", "view_closed") and view is None:
        return "view payload without a view"
    if view is not None and not (
        isinstance(view, dict) and isinstance(view.get("id"), str) and isinstance(view.get("type"), str)
    ):
        return "payload has a malformed view"
    actions = payload.get("actions")
    if payload["type"] == "block_actions" and not (
        isinstance(actions, list) and actions and all(isinstance(a, dict) for a in actions)
    ):
        return "block_actions without actions"
    return None
