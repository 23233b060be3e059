"""Slack's Socket Mode server side, over a real local WebSocket: ``apps.connections.open`` hands
out ``ws://`` URLs to it; it says hello, sends envelopes, collects the app's acks, and can ask
the app to reconnect (``disconnect``) or drop the connection outright."""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from starlette.websockets import WebSocket, WebSocketDisconnect

from bot.testing.servers import wait_until


@dataclass
class FakeSocketMode:
    app_token: str
    acks: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Per envelope id, the app's acknowledgement (``{"envelope_id", "payload"?}``)."""
    connections_opened: int = 0
    sent_at: dict[str, float] = field(default_factory=dict)
    acked_at: dict[str, float] = field(default_factory=dict)
    _current: WebSocket | None = None
    _loop: asyncio.AbstractEventLoop | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    async def serve(self, websocket: WebSocket) -> None:
        await websocket.accept()
        with self._lock:
            self.connections_opened += 1
            self._current, self._loop = websocket, asyncio.get_running_loop()
            number = self.connections_opened
        hello = {"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A0001"}}
        await websocket.send_text(json.dumps({**hello, "debug_info": {"host": f"fake-{number}"}}))
        try:
            while True:
                message = json.loads(await websocket.receive_text())
                envelope_id = message.get("envelope_id")
                if isinstance(envelope_id, str):
                    with self._lock:
                        self.acks[envelope_id] = message
                        self.acked_at[envelope_id] = time.time()
        except WebSocketDisconnect:
            pass
        finally:
            with self._lock:
                if self._current is websocket:
                    self._current = None

    def connected(self) -> bool:
        with self._lock:
            return self._current is not None

    def wait_connected(self, connections: int = 1, timeout: float = 20.0) -> None:
        wait_until(
            lambda: self.connected() and self.connections_opened >= connections, timeout=timeout, what="Socket Mode"
        )

    def _run(self, make: Any) -> None:
        with self._lock:
            websocket, loop = self._current, self._loop
        if websocket is None or loop is None:
            raise AssertionError("the app is not connected over Socket Mode")
        asyncio.run_coroutine_threadsafe(make(websocket), loop).result(10)

    def send(self, kind: str, payload: dict[str, Any], *, accepts_response_payload: bool = False) -> str:
        """Push one envelope (``events_api``, ``slash_commands``, ``interactive``); its id."""
        envelope_id = f"env-{next(self._ids)}"
        envelope = {
            "envelope_id": envelope_id,
            "type": kind,
            "payload": payload,
            "accepts_response_payload": accepts_response_payload,
        }
        if kind == "events_api":
            envelope.update(retry_attempt=0, retry_reason="")
        with self._lock:
            self.sent_at[envelope_id] = time.time()
        self._run(lambda ws: ws.send_text(json.dumps(envelope)))
        return envelope_id

    def ack_of(self, envelope_id: str, timeout: float = 5.0) -> dict[str, Any]:
        wait_until(lambda: envelope_id in self.acks, timeout=timeout, what=f"the ack of {envelope_id}")
        with self._lock:
            return self.acks[envelope_id]

    def ask_to_reconnect(self) -> None:
        """Slack's ``disconnect`` message: the app opens a new connection, then leaves this one."""
        message = {"type": "disconnect", "reason": "refresh_requested", "debug_info": {"host": "fake"}}
        self._run(lambda ws: ws.send_text(json.dumps(message)))

    def drop(self) -> None:
        """Close the connection from Slack's side without warning."""
        self._run(lambda ws: ws.close(code=1011))
