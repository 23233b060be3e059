"""What every benchmark phase uses: the fakes, the app and bare Bolt as processes of their own,
signed requests, percentiles and the report of figures and targets."""

from __future__ import annotations

import asyncio
import gc
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx

from bench import home_and_polling
from bench.fakes import SIIT_TOKEN, SLACK_TOKEN
from bot.testing.slack_api import TEAM_ID, mint_trigger_id
from bot.testing.slack_client import signature

ROOT = Path(__file__).resolve().parents[1]
PASSED_THROUGH = ("LISTENER_WORKERS", "LISTENER_MAX_DEFER_SECONDS")
"""Settings taken from the benchmark's environment, to compare them."""
SECRET = "bench-signing-secret"
APP_PYTHON = os.environ.get("BENCH_APP_PYTHON", sys.executable)
"""The interpreter of the app and bare Bolt: a production install's (``pip install .``) measures
the memory production sees; the development environment's test tools load into the app too
(httpx loads its command line, and with it rich and pygments, when they are installed)."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Process:
    popen: subprocess.Popen[bytes]
    url: str
    database: Path | None = None

    def cpu_seconds(self) -> float:
        """User + system CPU time the process has used so far."""
        fields = Path(f"/proc/{self.popen.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def peak_rss_mb(self) -> float:
        return self._status_mb("VmHWM:")

    def rss_mb(self) -> float:
        return self._status_mb("VmRSS:")

    def _status_mb(self, field: str) -> float:
        for line in Path(f"/proc/{self.popen.pid}/status").read_text().splitlines():
            if line.startswith(field):
                return int(line.split()[1]) / 1024
        return float("nan")

    def stop(self) -> None:
        self.popen.terminate()
        try:
            self.popen.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.popen.kill()


def start(args: list[str], env: dict[str, str], health: str, *, python: str = sys.executable) -> Process:
    popen = subprocess.Popen(
        [python, *args],
        env={**os.environ, "PYTHONPATH": str(ROOT), **env},
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=open(os.environ["BENCH_LOG"], "a") if os.environ.get("BENCH_LOG") else subprocess.DEVNULL,  # noqa: SIM115
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(health, timeout=1)
            return Process(popen, health.split("/", 3)[0] + "//" + health.split("/", 3)[2])
        except httpx.HTTPError:
            if popen.poll() is not None:
                raise RuntimeError(f"{args} exited with {popen.returncode}") from None
            time.sleep(0.1)
    raise RuntimeError(f"{args} did not start")


@dataclass
class Fakes:
    slack_url: str
    siit_url: str
    process: Process

    @property
    def response_url(self) -> str:
        return self.slack_url + "/response/bench"

    def stats(self) -> dict[str, Any]:
        return httpx.get(self.slack_url + "/_stats", timeout=30).json()  # type: ignore[no-any-return]

    def reset(self) -> None:
        httpx.post(self.slack_url + "/_reset", timeout=10)

    def latency(self, seconds: float) -> None:
        httpx.post(self.slack_url + "/_latency", json={"latency": seconds}, timeout=10)


@contextmanager
def fakes() -> Iterator[Fakes]:
    slack_port, siit_port = free_port(), free_port()
    process = start(
        ["-m", "bench.fakes", "--slack-port", str(slack_port), "--siit-port", str(siit_port)],
        {},
        f"http://127.0.0.1:{slack_port}/_stats",
    )
    try:
        yield Fakes(f"http://127.0.0.1:{slack_port}", f"http://127.0.0.1:{siit_port}", process)
    finally:
        process.stop()


def bot_env(fake: Fakes, database_url: str, port: int) -> dict[str, str]:
    return {
        "SLACK_BOT_TOKEN": SLACK_TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": fake.slack_url + "/api/",
        "TICKET_BACKEND": "siit",
        "SIIT_API_TOKEN": SIIT_TOKEN,
        "SIIT_API_URL": fake.siit_url + "/v1",
        "SIIT_SERVICES": "wa_printers,wa_access",
        "DATABASE_URL": database_url,
        "PORT": str(port),
        "HOST": "127.0.0.1",
        "LOG_LEVEL": os.environ.get("BENCH_LOG_LEVEL", "WARNING"),
        **{name: os.environ[name] for name in PASSED_THROUGH if name in os.environ},
        "STATUS_POLL_SECONDS": "3600",
        "AGENT_SLACK_IDS": home_and_polling.HOME_USER,
        "FORMS_FILE": "/nonexistent",
    }


def start_bot(
    fake: Fakes, workdir: Path, *, database_url: str | None = None, env: dict[str, str] | None = None
) -> Process:
    """``database_url``: another instance's, to run beside it; ``env``: settings of the phase."""
    port = free_port()
    database = workdir / f"bench-{port}.db"
    settings = bot_env(fake, database_url or f"sqlite:///{database}", port) | (env or {})
    process = start(["-m", "bot"], settings, f"http://127.0.0.1:{port}/healthz", python=APP_PYTHON)
    process.database = None if database_url else database
    return process


def start_bare(fake: Fakes) -> Process:
    port = free_port()
    env = {
        "SLACK_BOT_TOKEN": SLACK_TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": fake.slack_url + "/api/",
        "PORT": str(port),
    }
    process = start(["-m", "bench.bare_app"], env, f"http://127.0.0.1:{port}/slack/events", python=APP_PYTHON)
    return process


def signed(body: bytes, content_type: str) -> dict[str, str]:
    ts = str(int(time.time()))
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": signature(SECRET, ts, body),
    }


def command_body(text: str, user: str, response_url: str) -> tuple[bytes, str]:
    """A ``/ticket`` command; ``response_url`` is where an expired trigger's button goes (the
    fake Slack's, as in production: a URL that does not resolve made each a logged error)."""
    trigger = mint_trigger_id()
    fields = {
        "team_id": TEAM_ID,
        "channel_id": "C100",
        "user_id": user,
        "command": "/ticket",
        "text": text,
        "trigger_id": trigger,
        "api_app_id": "A1",
        "response_url": response_url,
    }
    return urlencode(fields).encode(), trigger


@contextmanager
def collector_paused() -> Iterator[None]:
    """The driver's own garbage collections would stall it mid-burst and count as the app's
    latency; collect before, not during."""
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def open_delays(stats: dict[str, Any], triggers: list[str]) -> list[float]:
    """Trigger issued -> views.open received by Slack, for each trigger that was used."""
    wanted = set(triggers)
    return [
        c["at"] - float(c["trigger_id"].split(".trigger")[0].rsplit(".", 1)[0])
        for c in stats["slack"]
        if c["method"] == "views.open" and c["trigger_id"] in wanted
    ]


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


@dataclass
class Report:
    rows: list[tuple[str, str]] = field(default_factory=list)
    verdicts: list[tuple[str, bool, str]] = field(default_factory=list)
    counts: list[dict[str, Any]] = field(default_factory=list)
    """The mechanics of each phase (sent, answered, opened, filed), for ``--json``: what the test
    suite checks instead of timings."""

    def count(self, phase: str, **counts: int) -> None:
        self.counts.append({"phase": phase, **counts})

    def figure(self, name: str, value: str) -> None:
        self.rows.append((name, value))
        print(f"  {name:<58} {value}", flush=True)

    def target(self, name: str, ok: bool, detail: str) -> None:
        self.verdicts.append((name, ok, detail))


async def seed_messages(fake: Fakes, count: int, *, base_ts: int, text: str) -> list[dict[str, str]]:
    """``count`` messages people wrote in C100 (``text`` with ``{n}``, then a second line), known
    to the fake Slack; each as a reaction names it."""
    messages = [
        {"channel": "C100", "ts": f"{base_ts + n}.{uuid.uuid4().int % 10**6:06d}", "user": f"U{n % 1000:04d}"}
        for n in range(count)
    ]
    async with httpx.AsyncClient(timeout=30) as http:
        seeded = [{**m, "text": text.format(n=n) + "\nSince Monday."} for n, m in enumerate(messages)]
        (await http.post(fake.slack_url + "/_seed", json=seeded)).raise_for_status()
    return messages


async def wait_for(predicate: Any, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        await asyncio.sleep(0.2)
    return False
