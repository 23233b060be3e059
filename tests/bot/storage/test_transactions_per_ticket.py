"""How many database transactions one ticket costs, counted (not timed) through the running app:
a `/ticket`, its submission, the create at Siit and the announcement. Each is a round trip (and on
SQLite a write lock), so the count is kept down: the outbox row with the draft and the thread's
claim; Siit's shared request budget; the ticket with its claim and step; the message's place
(read back in the same transaction); done with the drafts discarded."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

from bot.testing.servers import wait_until
from tests.conftest import RunningBot, StartBot

MOST = 5


@pytest.fixture
def first_statements(bot_settings: dict[str, Any]) -> Iterator[list[str]]:
    """The first statement of every transaction begun on this test's database while it runs
    (other engines of this process, left by earlier tests, are not counted)."""
    database = bot_settings["database_url"].removeprefix("sqlite:///")
    begun: set[int] = set()
    statements: list[str] = []
    lock = threading.Lock()

    def on_begin(connection: Connection) -> None:
        if connection.engine.url.database != database:
            return
        with lock:
            begun.add(id(connection))

    def on_execute(connection: Connection, _cursor: Any, statement: str, *_args: Any) -> None:
        with lock:
            if id(connection) in begun:
                begun.discard(id(connection))
                statements.append(" ".join(statement.split())[:80])

    event.listen(Engine, "begin", on_begin)
    event.listen(Engine, "before_cursor_execute", on_execute)
    yield statements
    event.remove(Engine, "begin", on_begin)
    event.remove(Engine, "before_cursor_execute", on_execute)


def file_one(bot: RunningBot, title: str) -> None:
    view = bot.open_modal(title)
    bot.sender.submit(view, {"field:ci_floor": "2"})
    wait_until(lambda: "Filed" in str(bot.slack.views[view["id"]]["blocks"]), what="filed")
    wait_until(lambda: len(bot.siit.requests) >= 1 and bot.slack.calls_to("chat.postMessage"), what="announced")


def done_items(database: str) -> int:
    with sqlite3.connect(database) as connection:
        return int(connection.execute("select count(*) from outbox where status = 'done'").fetchone()[0])


def test_a_ticket_costs_at_most_five_transactions(
    start_bot: StartBot, bot_settings: dict[str, Any], first_statements: list[str]
) -> None:
    database = bot_settings["database_url"].removeprefix("sqlite:///")
    # App Home's refresh after a filing reads the person's tickets: the first one's is let
    # through before counting, the next one's waits an hour (the filing path is counted).
    bot = start_bot(delivery_poll_seconds=3600, status_poll_seconds=3600, home_refresh_seconds=3600)
    wait_until(lambda: len(bot.siit.calls_to("GET", "/v1/services")) >= 2, what="warm-up")
    file_one(bot, "warm-up")  # people caches filled
    wait_until(lambda: done_items(database) == 1, what="the first ticket done")
    wait_until(lambda: bot.slack.calls_to("views.publish"), what="App Home refreshed for the first ticket")
    first_statements.clear()
    file_one(bot, "measured")
    wait_until(lambda: done_items(database) == 2, what="the second ticket done")
    assert len(first_statements) <= MOST, "\n".join(first_statements)
    assert any(s.startswith("INSERT INTO outbox") for s in first_statements)
