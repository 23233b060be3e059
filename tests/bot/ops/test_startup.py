"""Start-up as a newcomer meets it, through the real process: every problem is one line on
stderr and a non-zero exit (bad or unreachable Slack, every settings error at once, an old
Python), and a clean start prints no warning, in one log format (or JSON lines)."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bot.testing.slack_api import APP_TOKEN, FakeSlack
from tests.fakes.bot_process import BotProcess, env_of, free_port
from tests.fakes.postgres import admin_sql, fresh_postgres_database

TEXT_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (DEBUG|INFO|WARNING|ERROR|CRITICAL) \S+ ")


def run(env: dict[str, str], cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=60
    )


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    return lines[0]


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({"slack_bot_token": "xoxb-revoked-token-000"}, "error: Slack refused SLACK_BOT_TOKEN: invalid_auth"),
        ({"slack_app_token": "xapp-1-wrong-token"}, "error: Slack refused SLACK_APP_TOKEN: invalid_auth"),
        ({"slack_api_url": "http://127.0.0.1:1/api/"}, "error: Slack unreachable at http://127.0.0.1:1/api/"),
    ],
)
def test_slack_is_asked_at_start_and_a_refusal_is_one_line(
    bot_settings: dict[str, Any], tmp_path: Path, settings: dict[str, str], expected: str
) -> None:
    result = run(env_of(bot_settings, port=free_port(), **settings), tmp_path)
    line = one_line(result)
    assert result.returncode == 4
    assert line.startswith(expected)
    assert "xoxb-revoked" not in result.stderr and "xapp-1-wrong" not in result.stderr


def test_every_settings_error_comes_in_one_message(tmp_path: Path) -> None:
    env = env_of({}, port="not-a-port", log_level="chatty")
    line = one_line(run(env, tmp_path))
    for named in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SIIT_API_TOKEN", "SIIT_SERVICES", "PORT", "LOG_LEVEL"):
        assert named in line


def test_an_old_python_is_named_before_anything_else_runs(tmp_path: Path) -> None:
    code = (
        "import runpy, sys; sys.version_info = (3, 10, 14, 'final', 0); sys.version = '3.10.14 (fake)'; "
        "sys.argv = ['bot']; runpy.run_module('bot', run_name='__main__')"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], env=env_of({}), cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert one_line(result) == "error: Python 3.11 or newer is required (this is 3.10.14)"


@pytest.mark.parametrize("socket_mode", [False, True])
def test_a_clean_start_prints_no_warning_and_one_format(
    bot_settings: dict[str, Any], fake_slack: FakeSlack, tmp_path: Path, socket_mode: bool
) -> None:
    extra = {"slack_app_token": APP_TOKEN} if socket_mode else {}
    process = BotProcess(env_of(bot_settings, port=free_port(), **extra), tmp_path)
    if socket_mode:
        fake_slack.socket_mode.wait_connected()
    process.stop()
    lines = process.output().strip().splitlines()
    assert lines, "the process printed nothing"
    assert [line for line in lines if not TEXT_LINE.match(line)] == []
    assert [line for line in lines if " WARNING " in line or " ERROR " in line] == []
    assert fake_slack.calls_to("auth.test"), "the bot token was not checked at start"


def test_json_logs_are_one_object_per_line(bot_settings: dict[str, Any], tmp_path: Path) -> None:
    process = BotProcess(env_of(bot_settings, port=free_port(), log_format="json"), tmp_path)
    process.stop()
    lines = process.output().strip().splitlines()
    records = [json.loads(line) for line in lines]
    assert records and all({"time", "level", "logger", "message"} <= set(r) for r in records)
    assert any(r["logger"] == "uvicorn.access" for r in records)


def test_a_database_that_cannot_be_migrated_is_one_line(bot_settings: dict[str, Any], tmp_path: Path) -> None:
    with fresh_postgres_database() as url:
        name = url.rsplit("/", 1)[1]
        admin_sql(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on')
        result = run(env_of(bot_settings, port=free_port(), database_url=url, database_wait_seconds=1), tmp_path)
    line = one_line(result)
    assert result.returncode == 3
    assert line.startswith("error: database at postgresql") and "cannot be migrated" in line


def test_migrate_builds_the_schema_once_and_then_finds_it_current(tmp_path: Path) -> None:
    database = tmp_path / "tickets.db"
    env = env_of({}, port=free_port(), database_url=f"sqlite:///{database}")
    first, second = run(env, tmp_path, "migrate"), run(env, tmp_path, "migrate")
    assert (first.returncode, second.returncode) == (0, 0), first.stderr + second.stderr
    with sqlite3.connect(database) as connection:
        tables = {name for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"outbox", "message_tickets", "alembic_version"} <= tables


@pytest.mark.parametrize("where", ["environment", ".env"])
def test_a_misspelt_helpdesk_is_named_as_such_beside_the_other_problems(tmp_path: Path, where: str) -> None:
    env = env_of({}, port="not-a-port")
    if where == "environment":
        env["TICKET_BACKEND"] = "zendeskk"
    else:
        (tmp_path / ".env").write_text("TICKET_BACKEND=zendeskk\n")
    line = one_line(run(env, tmp_path))
    assert "TICKET_BACKEND: 'zendeskk' is not one of" in line
    assert "PORT" in line and "SLACK_BOT_TOKEN" in line
    assert "SIIT_API_TOKEN" not in line  # no helpdesk was chosen: none of their settings is asked for


def test_an_outbox_id_that_is_not_an_id_is_named(tmp_path: Path) -> None:
    env = env_of({}, database_url=f"sqlite:///{tmp_path / 'bot.db'}")
    result = run(env, tmp_path, "outbox", "requeue", "no-such-id")
    assert result.returncode == 2
    assert "'no-such-id' is not an outbox id" in result.stdout + result.stderr
