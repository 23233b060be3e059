"""Serve ASGI apps with uvicorn on free loopback ports, from one background event loop."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any, TypeVar

import uvicorn

T = TypeVar("T")


@dataclass
class RunningServer:
    url: str
    server: uvicorn.Server
    task: asyncio.Task[None]


class ServerLoop:
    """One event loop in a daemon thread; every fake and the app under test run on it."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="test-servers", daemon=True)
        self._thread.start()

    def run(self, coroutine: Coroutine[Any, Any, T], timeout: float = 30.0) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def serve(self, app: Any) -> RunningServer:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        config = uvicorn.Config(app, log_level="warning", lifespan="on", access_log=False)
        server = uvicorn.Server(config)

        async def start() -> asyncio.Task[None]:
            return asyncio.get_running_loop().create_task(server.serve(sockets=[sock]))

        task = self.run(start())
        wait_until(lambda: server.started or task.done(), timeout=15, what="server start")
        if task.done():
            task.result()
            raise RuntimeError("server stopped during start-up")
        return RunningServer(url=f"http://127.0.0.1:{port}", server=server, task=task)

    def stop(self, running: RunningServer) -> None:
        running.server.should_exit = True
        wait_until(running.task.done, timeout=15, what="server stop")

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=5)


def wait_until(condition: Callable[[], object], *, timeout: float = 15.0, what: str = "condition") -> None:
    """Polls ``condition`` until it holds. The default bound is generous: a passing test never
    waits it out, and a loaded machine (two suites at once) needed more than 5 s."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.01)
