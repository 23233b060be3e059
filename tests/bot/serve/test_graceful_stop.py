"""SIGTERM to the real process: it stops taking requests, lets acknowledged listeners finish,
gives back the lease of a ticket under way (so another process files it at once, not when the
lease runs out, and only once), and exits 0."""

from __future__ import annotations

import signal
import sqlite3
import time
from pathlib import Path
from typing import Any

import httpx

from bot.testing.servers import wait_until
from bot.testing.siit_api import FakeSiit
from bot.testing.slack_api import FakeSlack
from bot.testing.slack_client import SlackSender
from tests.conftest import SIGNING_SECRET, RunningBot
from tests.fakes.bot_process import BotProcess, env_of, free_port


def terminate(process: BotProcess) -> int:
    process.process.send_signal(signal.SIGTERM)
    return process.process.wait(timeout=30)


def test_sigterm_finishes_acknowledged_work_and_hands_over_the_ticket_under_way(
    bot_settings: dict[str, Any],
    fake_slack: FakeSlack,
    fake_siit: FakeSiit,
    tmp_path: Path,
    processes: list[BotProcess],
) -> None:
    database = bot_settings["database_url"].removeprefix("sqlite:///")
    # Leases as long as the default: without a hand-over the next process would wait 10 minutes.
    env = env_of(bot_settings, port=free_port(), backend_timeout_seconds=60, delivery_lease_seconds=600)
    fake_siit.hang_seconds = 12
    fake_siit.after_create.append("timeout")  # Siit makes the ticket and takes its time answering
    first = BotProcess(env, tmp_path)
    processes.append(first)
    with httpx.Client(timeout=10) as http:
        running = RunningBot(SlackSender(first.url, SIGNING_SECRET, http), fake_slack, fake_siit, first.url)
        wait_until(lambda: len(fake_siit.calls_to("GET", "/v1/services")) >= 2, what="warm-up")
        view = running.open_modal("printer jams")
        running.sender.submit(view, {"field:ci_floor": "2"})
        wait_until(lambda: len(fake_siit.requests) == 1, what="the create under way")

        opened = len(fake_slack.calls_to("views.open"))
        response, _ = running.sender.slash_command("asked just before the stop")
        assert response.status_code == 200
        stopped_at = time.monotonic()
        assert terminate(first) == 0
    assert time.monotonic() - stopped_at < 10
    assert len(fake_slack.calls_to("views.open")) == opened + 1, "an acknowledged command was dropped"
    with sqlite3.connect(database) as connection:
        status, lease, due_at, uncertain = connection.execute(
            "select status, lease_token, due_at, uncertain from outbox"
        ).fetchone()
    assert (status, lease, bool(uncertain)) == ("pending", None, True)
    # Handed back: due at once, or after the first retry delay (0.2 s here) when the stop cut the
    # create's connection before the worker was cancelled.
    assert due_at <= time.time() + 0.5
    output = first.output()
    assert "Traceback" not in output, output

    second = BotProcess({**env, "PORT": str(free_port())}, tmp_path)
    processes.append(second)
    wait_until(lambda: "Filed" in str(fake_slack.views[view["id"]]["blocks"]), timeout=20, what="the ticket announced")
    assert [r["title"] for r in fake_siit.requests] == ["printer jams"]  # found, not filed again
