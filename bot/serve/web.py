"""The HTTP surface: ``POST /slack/events`` (guarded before Bolt sees it) and ``GET /healthz``."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from slack_bolt.adapter.starlette.async_handler import to_async_bolt_request, to_starlette_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.signature import SignatureVerifier
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

from bot.delivery.recorded import RecordedRequest
from bot.serve.listener_pool import ListenerPool
from bot.serve.request_shape import read_shape
from bot.slack.recording.inbox import INBOX_ID

log = logging.getLogger(__name__)

Record = Callable[[Mapping[str, Any]], Awaitable[str | None]]
"""Keeps a request worth it before it is acknowledged: its id, or ``None`` (``bot.slack.recording.inbox``)."""


class SlackEndpoint:
    """Refuses what Bolt would answer with a 500 or should never parse: oversized bodies,
    bodies that are not UTF-8, bad signatures (checked here for every request, before Bolt, so
    Bolt's own check is redundant and off: nothing reaches Bolt any other way),
    ``payload=`` that is not a JSON object of the expected shape, events without an event."""

    def __init__(
        self,
        *,
        app: AsyncApp,
        signing_secret: str,
        max_body_bytes: int,
        listeners: ListenerPool[AsyncBoltRequest],
        record: Record | None = None,
    ) -> None:
        """``listeners`` runs ``app.async_dispatch`` for the requests acknowledged here;
        ``record`` keeps those worth it before they are acknowledged (``bot.slack.recording.inbox``)."""
        self._record = record
        self._app = app
        self._verifier = SignatureVerifier(signing_secret)
        self._max_body_bytes = max_body_bytes
        self._listeners = listeners

    async def handle(self, request: Request) -> Response:
        with self._listeners.acknowledging():
            return await self._acknowledge(request)

    async def _acknowledge(self, request: Request) -> Response:
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self._max_body_bytes:
            return PlainTextResponse("request body too large", status_code=413)
        body = b""
        async for chunk in request.stream():
            body += chunk
            if len(body) > self._max_body_bytes:
                return PlainTextResponse("request body too large", status_code=413)
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return PlainTextResponse("body is not UTF-8", status_code=400)
        if not self._verifier.is_valid_request(text, dict(request.headers)):
            return PlainTextResponse("invalid signature", status_code=401)
        shape = read_shape(text, request.headers.get("content-type", ""))
        if shape.problem:
            return PlainTextResponse(shape.problem, status_code=400)
        if shape.answer_is_ignored:
            # Acknowledge now; Bolt runs the listener after, in a bounded pool of workers, so
            # that under a burst the acks are not queued behind every other request's work
            # (Bolt's own runner polls for ack() every 10 ms inside the request; see bench/).
            bolt_request = to_async_bolt_request(request, body)
            if self._record is not None and shape.payload is not None:
                try:
                    entry_id = await self._record(shape.payload)
                except Exception as exc:
                    # Not recorded, so not acknowledged: Slack sends an event again.
                    log.warning("could not record a Slack request before acknowledging it: %s", type(exc).__name__)
                    return PlainTextResponse("could not record the request; try again", status_code=503)
                if entry_id is not None:
                    bolt_request.context[INBOX_ID] = RecordedRequest(entry_id)
            self._listeners.submit(bolt_request)
            return Response(status_code=200)
        # The answer matters (view_submission's response_action, options): Bolt's own dispatch,
        # with Bolt's Starlette adapter's conversions, on the body already read.
        return to_starlette_response(await self._app.async_dispatch(to_async_bolt_request(request, body)))

    async def close(self) -> None:
        """Finish what was acknowledged (bounded by Slack's own 3 s), then stop the workers."""
        await self._listeners.close(3.0)


async def healthz(_request: Request) -> Response:
    return JSONResponse({"status": "ok"})
