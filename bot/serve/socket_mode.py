"""Socket Mode: Slack's requests arrive over a WebSocket the app opens (no public URL needed),
handled like the HTTP ones: envelopes whose answer Slack ignores are acknowledged at once and
their listeners run after, in the same pool; the others (view submissions, options) are answered
with what the listener returns. Bolt's own envelope helpers build the requests and responses."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from typing import Any

import aiohttp
from slack_bolt.adapter.socket_mode.async_internals import run_async_bolt_app, send_async_response
from slack_bolt.adapter.socket_mode.internals import build_headers
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.socket_mode.aiohttp import SocketModeClient
from slack_sdk.socket_mode.async_client import AsyncBaseSocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse
from slack_sdk.web.async_client import AsyncWebClient

from bot.delivery.recorded import RecordedRequest
from bot.serve.listener_pool import ListenerPool
from bot.serve.request_shape import DEFERRED_INTERACTIONS, interaction_problem
from bot.serve.web import Record
from bot.slack.recording.inbox import INBOX_ID

log = logging.getLogger(__name__)


MAX_ENVELOPE_BYTES = 1_000_000
"""As for HTTP bodies: a bigger envelope is acknowledged and dropped (Slack's own are far smaller)."""
RECEIVE_LIMIT_BYTES = 32_000_000
"""What the WebSocket takes in at all (aiohttp's default, 4 MB, closed the connection on a bigger
envelope, which was then never acknowledged and came again)."""


class _LargeMessages:
    """The client's aiohttp session, opening its WebSocket with a receive limit of ours."""

    def __init__(self, session: aiohttp.ClientSession) -> None:
        self._session = session

    def ws_connect(self, *args: Any, **kwargs: Any) -> Any:
        return self._session.ws_connect(*args, max_msg_size=RECEIVE_LIMIT_BYTES, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._session, name)


class BoundedSocketModeClient(SocketModeClient):
    """slack_sdk's aiohttp client, acknowledging and dropping an envelope over
    ``MAX_ENVELOPE_BYTES`` before it is parsed for Bolt."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.aiohttp_client_session = _LargeMessages(self.aiohttp_client_session)  # type: ignore[assignment]

    async def enqueue_message(self, message: str) -> None:
        if len(message) <= MAX_ENVELOPE_BYTES:
            await super().enqueue_message(message)
            return
        try:
            envelope_id = json.loads(message).get("envelope_id")
        except (ValueError, AttributeError):
            envelope_id = None
        log.warning("dropped a Socket Mode envelope of %d bytes (over %d)", len(message), MAX_ENVELOPE_BYTES)
        if isinstance(envelope_id, str):
            await self.send_socket_mode_response(SocketModeResponse(envelope_id=envelope_id))


def answer_is_ignored(request: SocketModeRequest) -> bool:
    """Events, commands and the interactions whose answer Slack does not read."""
    if request.type in ("events_api", "slash_commands"):
        return True
    payload = request.payload
    return request.type == "interactive" and isinstance(payload, dict) and payload.get("type") in DEFERRED_INTERACTIONS


def envelope_problem(request: SocketModeRequest) -> str | None:
    """What Bolt's payload helpers would trip over; such an envelope is acknowledged and dropped."""
    if not isinstance(request.payload, dict):
        return "payload is not an object"
    if request.type == "interactive":
        return interaction_problem(request.payload)
    if request.type == "events_api" and not isinstance(request.payload.get("event"), dict):
        return "events_api without an event"
    return None


class SocketModeEndpoint:
    def __init__(
        self,
        *,
        app: AsyncApp,
        app_token: str,
        client: AsyncWebClient,
        listeners: ListenerPool[AsyncBoltRequest],
        ping_interval: float = 10.0,
        observe_ack: Callable[[float], None] = lambda _seconds: None,
        record: Record | None = None,
    ) -> None:
        """``record`` keeps the requests worth it before they are acknowledged (``bot.slack.recording.inbox``)."""
        self._record = record
        self._app = app
        self._listeners = listeners
        self._app_token = app_token
        self._web_client = client
        self._ping_interval = ping_interval
        self._client: SocketModeClient | None = None
        self._observe_ack = observe_ack

    async def _handle(self, client: AsyncBaseSocketModeClient, request: SocketModeRequest) -> None:
        with self._listeners.acknowledging():
            await self._acknowledge(client, request)

    async def _acknowledge(self, client: AsyncBaseSocketModeClient, request: SocketModeRequest) -> None:
        started = time.time()
        problem = envelope_problem(request)
        if problem or answer_is_ignored(request):
            if problem:
                await client.send_socket_mode_response(SocketModeResponse(envelope_id=request.envelope_id))
                log.warning("dropped a Socket Mode envelope of type %s: %s", request.type, problem)
                return
            headers = build_headers(request)
            bolt_request = AsyncBoltRequest(mode="socket_mode", body=request.payload, headers=headers)
            try:
                entry_id = await self._record(request.payload) if self._record is not None else None
            except Exception as exc:
                # Not recorded, so not acknowledged: Slack sends the envelope again.
                log.warning("could not record a Socket Mode envelope before its ack: %s", type(exc).__name__)
                return
            if entry_id is not None:
                bolt_request.context[INBOX_ID] = RecordedRequest(entry_id)
            await client.send_socket_mode_response(SocketModeResponse(envelope_id=request.envelope_id))
            self._observe_ack(time.time() - started)
            self._listeners.submit(bolt_request)
            return
        response = await run_async_bolt_app(self._app, request)
        await send_async_response(client, request, response, started)
        self._observe_ack(time.time() - started)

    async def connect(self) -> None:
        """Opens the WebSocket (the client, which holds an aiohttp session, needs a running loop)."""
        self._client = BoundedSocketModeClient(
            app_token=self._app_token, web_client=self._web_client, ping_interval=self._ping_interval, logger=log
        )
        self._client.socket_mode_request_listeners.append(self._handle)
        await self._client.connect()  # type: ignore[no-untyped-call]

    async def close(self) -> None:
        """Stop taking envelopes, then finish what was acknowledged (bounded by Slack's 3 s)."""
        if self._client is not None:
            await self._client.close()  # type: ignore[no-untyped-call]
        await self._listeners.close(3.0)
