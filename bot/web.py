"""The HTTP surface: ``POST /slack/events`` (guarded before Bolt sees it) and ``GET /healthz``."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from urllib.parse import parse_qs

from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler, to_async_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.signature import SignatureVerifier
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

DEFERRED_INTERACTIONS = {"block_actions", "shortcut", "message_action", "view_closed"}
"""Interactions whose HTTP answer Slack ignores: acknowledged at once, handled after."""


def answer_is_ignored(text: str, content_type: str) -> bool:
    """True for requests whose response body Slack does not read (commands acked empty, events,
    button clicks, shortcuts); False where the body matters (view_submission's response_action,
    options, url_verification). Call on a body ``malformed`` accepted."""
    if content_type.startswith("application/json"):
        return bool(json.loads(text).get("type") == "event_callback")
    form = parse_qs(text)
    if "command" in form:
        return True
    payload = form.get("payload") or []
    return bool(payload) and json.loads(payload[0]).get("type") in DEFERRED_INTERACTIONS


log = logging.getLogger(__name__)


class SlackEndpoint:
    """Refuses what Bolt would answer with a 500 or should never parse: oversized bodies,
    bodies that are not UTF-8, bad signatures (checked here too, so it cannot be turned off),
    ``payload=`` that is not a JSON object of the expected shape, events without an event."""

    def __init__(self, *, app: AsyncApp, signing_secret: str, max_body_bytes: int, workers: int = 8) -> None:
        self._app = app
        self._handler = AsyncSlackRequestHandler(app)
        self._verifier = SignatureVerifier(signing_secret)
        self._max_body_bytes = max_body_bytes
        self._worker_count = workers
        self._queue: asyncio.Queue[AsyncBoltRequest] | None = None
        self._workers: list[asyncio.Task[None]] = []

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
        content_type = request.headers.get("content-type", "")
        problem = malformed(text, content_type)
        if problem:
            return PlainTextResponse(problem, status_code=400)
        if answer_is_ignored(text, content_type):
            # Acknowledge now; Bolt runs the listener after, in a bounded pool of workers, so
            # that under a burst the acks are not queued behind every other request's work
            # (Bolt's own runner polls for ack() every 10 ms inside the request; see bench/).
            self._backlog().put_nowait(to_async_bolt_request(request, body))
            return Response(status_code=200)
        return await self._handler.handle(request)

    def _backlog(self) -> asyncio.Queue[AsyncBoltRequest]:
        if self._queue is None:
            self._queue = asyncio.Queue()
            loop = asyncio.get_running_loop()
            self._workers = [loop.create_task(self._work(self._queue)) for _ in range(self._worker_count)]
        return self._queue

    async def _work(self, queue: asyncio.Queue[AsyncBoltRequest]) -> None:
        while True:
            bolt_request = await queue.get()
            try:
                await self._app.async_dispatch(bolt_request)
            except Exception:
                log.exception("listener failed after the request was acknowledged")
            finally:
                queue.task_done()

    async def close(self) -> None:
        """Finish what was acknowledged (bounded by Slack's own 3 s), then stop the workers."""
        if self._queue is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._queue.join(), 3.0)
        for worker in self._workers:
            worker.cancel()


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
