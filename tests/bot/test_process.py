"""The real process (``python -m bot``): killed with SIGKILL and restarted, an unreachable
database at start-up, and the admin's outbox command."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
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


def count(database: str, sql: str) -> int:
    with sqlite3.connect(database) as connection:
        return int(connection.execute(sql).fetchone()[0])


def test_sigkill_with_tickets_waiting_then_restart_delivers_each_exactly_once(
    bot_settings: dict[str, Any],
    fake_slack: FakeSlack,
    fake_siit: FakeSiit,
    tmp_path: Path,
    processes: list[BotProcess],
) -> None:
    database = bot_settings["database_url"].removeprefix("sqlite:///")
    env = env_of(bot_settings, port=free_port(), delivery_first_delay_seconds=2, delivery_lease_seconds=1)
    fake_siit.failures.extend([("/v1/requests", 503)] * 1000)  # Siit is down
    first = BotProcess(env, tmp_path)
    processes.append(first)
    with httpx.Client(timeout=10) as http:
        running = RunningBot(SlackSender(first.url, SIGNING_SECRET, http), fake_slack, fake_siit, first.url)
        wait_until(lambda: len(fake_siit.calls_to("GET", "/v1/services")) >= 2, what="warm-up")
        for title in ("first", "second", "third"):
            view = running.open_modal(title)
            running.sender.submit(view, {"field:ci_floor": "1"})
            wait_until(lambda v=view: "saved" in str(fake_slack.views[v["id"]]["blocks"]), what=f"{title} saved")
    assert count(database, "select count(*) from outbox where status = 'pending'") == 3
    first.kill()

    fake_siit.failures.clear()  # Siit is back
    processes.append(BotProcess(env, tmp_path))
    wait_until(lambda: len(fake_siit.requests) == 3, timeout=30, what="the three tickets after the restart")
    wait_until(lambda: count(database, "select count(*) from outbox where status = 'done'") == 3, what="done")
    time.sleep(1.5)  # longer than a lease: nothing is filed twice
    assert sorted(r["title"] for r in fake_siit.requests) == ["first", "second", "third"]


def test_an_unreachable_database_at_start_up_ends_with_one_clear_line(
    bot_settings: dict[str, Any], tmp_path: Path
) -> None:
    env = env_of(
        bot_settings,
        port=free_port(),
        database_url="postgresql://bot:hunter2@127.0.0.1:1/tickets",
        database_wait_seconds=1,
    )
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "bot"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 3
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: database unreachable at postgresql+asyncpg://bot:***@")
    assert "hunter2" not in result.stderr
    assert time.monotonic() - started < 20


def test_parked_tickets_are_listed_and_requeued_by_the_admin_command(
    bot_settings: dict[str, Any],
    fake_slack: FakeSlack,
    fake_siit: FakeSiit,
    tmp_path: Path,
    processes: list[BotProcess],
) -> None:
    env = env_of(bot_settings, port=free_port(), delivery_attempts=1)
    fake_siit.failures.extend([("/v1/requests", 503)] * 3)
    bot = BotProcess(env, tmp_path)
    processes.append(bot)
    with httpx.Client(timeout=10) as http:
        running = RunningBot(SlackSender(bot.url, SIGNING_SECRET, http), fake_slack, fake_siit, bot.url)
        wait_until(lambda: len(fake_siit.calls_to("GET", "/v1/services")) >= 2, what="warm-up")
        view = running.open_modal("parked one")
        running.sender.submit(view, {"field:ci_floor": "1"})
        wait_until(
            lambda: any(c.args.get("channel") == "U100" for c in fake_slack.calls_to("chat.postMessage")),
            what="the DM saying it was parked",
        )
    admin = [sys.executable, "-m", "bot", "outbox"]
    listed = subprocess.run(admin, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert listed.returncode == 0, listed.stderr
    assert "failed" in listed.stdout and "'parked one'" in listed.stdout and "1 ticket(s)" in listed.stdout
    requeued = subprocess.run(
        [*admin, "requeue", "all"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert "re-queued 1 of 1" in requeued.stdout
    wait_until(lambda: fake_siit.requests, timeout=15, what="the re-queued ticket")
    assert [r["title"] for r in fake_siit.requests] == ["parked one"]


def test_the_outbox_command_needs_only_the_database_and_names_what_it_cannot_do(
    bot_settings: dict[str, Any], tmp_path: Path
) -> None:
    database_only = {
        k: v for k, v in env_of(bot_settings).items() if not k.startswith(("SLACK_", "SIIT_", "SUPTASK_", "TICKET_"))
    }
    assert "DATABASE_URL" in database_only and "SLACK_BOT_TOKEN" not in database_only

    def admin(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "bot", "outbox", *args]
        return subprocess.run(command, env=database_only, cwd=tmp_path, capture_output=True, text=True, timeout=60)

    listed = admin()
    assert (listed.returncode, listed.stdout.strip()) == (0, "0 ticket(s) waiting or parked"), listed.stderr
    nothing = admin("requeue", "all")
    assert (nothing.returncode, nothing.stdout.strip()) == (0, "nothing is parked")
    unknown = admin("requeue", "41", "42")
    assert unknown.returncode == 2 and "41, 42" in unknown.stdout
