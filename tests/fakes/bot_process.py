"""The app as a real process (``python -m bot``), to kill, restart and run side by side."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx

from bot.testing.servers import wait_until

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def env_of(settings: dict[str, Any], **extra: Any) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "SIIT_", "SUPTASK_", "TICKET_"))}
    values = {k.upper(): str(v) for k, v in {**settings, **extra}.items() if not k.startswith("_")}
    return {**clean, "PYTHONPATH": str(ROOT), **values}


class BotProcess:
    """Its whole output (stdout and stderr) goes to a file (a pipe nobody reads would fill and
    block the app)."""

    def __init__(self, env: dict[str, str], cwd: Path) -> None:
        self.port = int(env["PORT"])
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = cwd / f"bot-{self.port}-{os.urandom(3).hex()}.log"
        with self.log.open("wb") as output:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "bot"], env=env, cwd=cwd, stdout=output, stderr=subprocess.STDOUT
            )

        def healthy() -> bool:
            try:
                return httpx.get(self.url + "/healthz", timeout=1).status_code == 200
            except httpx.HTTPError:
                return False

        wait_until(lambda: healthy() or self.process.poll() is not None, timeout=30, what="the bot process")
        if self.process.poll() is not None:
            raise AssertionError(f"the bot process ended with {self.process.returncode}: {self.output()}")

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
