"""Exactly one ticket per message, each announced once, under crashes, bursts, lost answers and
bad data: the app as real processes (or in-process servers) over HTTP, fake Slack and fake Siit."""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.testing.servers import wait_until
from bot.testing.siit_api import FakeSiit
from bot.testing.slack_api import FakeSlack, mint_trigger_id
from bot.testing.slack_client import SlackSender
from bot.testing.slack_ui import state_for
from bot.testing.suptask_api import FakeSuptask
from bot.testing.suptask_data import IMPACT_FIELD
from tests.conftest import SIGNING_SECRET, StartBot
from tests.fakes.bot_process import BotProcess, env_of, free_port
from tests.fakes.postgres import fresh_postgres_database

BASE_TS = 1_700_000_000
SIIT_LIMIT, SIIT_WINDOW = 40, 2.0
# The app's budget with a margin for the time a call takes to reach Siit, and a short lease.
LIMITED = {"siit_rate_limit": SIIT_LIMIT, "siit_rate_window_seconds": 2.5, "delivery_lease_seconds": 1}


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, bot_settings: dict[str, Any]) -> Iterator[str]:
    if request.param == "sqlite":
        yield str(bot_settings["database_url"])
        return
    with fresh_postgres_database() as url:
        yield url


def seed_requests(slack: FakeSlack, count: int) -> list[dict[str, Any]]:
    slack.add_user("U300", email="bob@example.com", name="Bob Reporter")
    return [
        slack.seed_message("C100", f"{BASE_TS + i}.000100", user="U100", text=f"Printer {i} jams\nIt beeps.")
        for i in range(count)
    ]


def link_of(message: dict[str, Any]) -> str:
    return f"https://test.slack.com/archives/{message['channel']}/p{message['ts'].replace('.', '')}"


def react_to_all(url: str, messages: list[dict[str, Any]], *, retry_num: int | None = None) -> None:
    with httpx.Client(timeout=20) as http, ThreadPoolExecutor(max_workers=16) as pool:
        sender = SlackSender(url, SIGNING_SECRET, http)
        futures = [
            pool.submit(sender.reaction, m, user="U300", event_id=f"Ev{m['ts']}", retry_num=retry_num) for m in messages
        ]
        for future in futures:
            with contextlib.suppress(httpx.HTTPError):  # the process died under it: Slack retries it
                future.result()


def ticket_messages(slack: FakeSlack, message: dict[str, Any]) -> list[dict[str, Any]]:
    """The ticket message(s) posted in the message's thread (not the 'already has' answers)."""
    return [
        m
        for m in slack.thread(message["channel"], message["ts"])
        if any(b.get("type") == "actions" for b in m.get("blocks") or [])
    ]


def filed_per_message(siit: FakeSiit) -> Counter[str]:
    return Counter(str(r.get("slack_direct_link") or r.get("slack_message_link")) for r in list(siit.requests))


def assert_each_filed_and_announced_once(slack: FakeSlack, siit: FakeSiit, messages: list[dict[str, Any]]) -> None:
    filed = filed_per_message(siit)
    announced = {m["ts"]: len(ticket_messages(slack, m)) for m in messages}
    figures = (
        f"{len(messages)} messages: {len(set(filed) & {link_of(m) for m in messages})} filed, "
        f"{sum(filed.values())} tickets in all, {sum(n == 1 for n in announced.values())} announced exactly once"
    )
    assert sorted(filed) == sorted(link_of(m) for m in messages), figures
    assert [link for link, n in filed.items() if n > 1] == [], figures
    assert [ts for ts, n in announced.items() if n != 1] == [], figures


def all_announced(slack: FakeSlack, messages: list[dict[str, Any]]) -> bool:
    return all(ticket_messages(slack, m) for m in messages)


def wait_for_announcements(slack: FakeSlack, messages: list[dict[str, Any]], *, timeout: float) -> None:
    """Until every message has its ticket message, or ``timeout``: the figures are asserted after."""
    with contextlib.suppress(AssertionError):
        wait_until(lambda: all_announced(slack, messages), timeout=timeout, what="every announcement")


def test_sigkill_mid_burst_then_restart_and_slacks_retries_file_and_announce_each_message_once(
    bot_settings: dict[str, Any],
    database: str,
    fake_slack: FakeSlack,
    fake_siit: FakeSiit,
    tmp_path: Path,
    processes: list[BotProcess],
) -> None:
    messages = seed_requests(fake_slack, 30)
    fake_siit.rate_limit = 1000  # Siit's budget is not what this test is about
    env = env_of(bot_settings, port=free_port(), database_url=database, delivery_lease_seconds=2, siit_rate_limit=1000)
    fake_siit.latency = 0.15  # slow enough that the kill lands between claims, creates and posts
    first = BotProcess(env, tmp_path)
    processes.append(first)
    wait_until(lambda: len(fake_siit.calls_to("GET", "/v1/services")) >= 2, what="warm-up")
    react_to_all(first.url, messages)
    wait_until(lambda: len(fake_siit.requests) >= 6, timeout=30, what="the first tickets")
    first.kill()
    filed_before_the_kill = len(fake_siit.requests)

    second = BotProcess(env, tmp_path)
    processes.append(second)
    react_to_all(second.url, messages, retry_num=1)  # Slack retries what was not acknowledged
    wait_for_announcements(fake_slack, messages, timeout=60)
    time.sleep(3)  # longer than a lease: nothing is filed or announced again
    assert filed_before_the_kill < 30
    assert_each_filed_and_announced_once(fake_slack, fake_siit, messages)


def test_a_burst_against_a_rate_limited_siit_files_each_message_once_within_its_limit(
    bot_settings: dict[str, Any],
    fake_slack: FakeSlack,
    fake_siit: FakeSiit,
    tmp_path: Path,
    processes: list[BotProcess],
) -> None:
    fake_siit.rate_limit, fake_siit.rate_window = SIIT_LIMIT, SIIT_WINDOW
    messages = seed_requests(fake_slack, 200)
    bot = BotProcess(env_of(bot_settings, port=free_port(), **LIMITED), tmp_path)
    processes.append(bot)
    react_to_all(bot.url, messages)
    wait_for_announcements(fake_slack, messages, timeout=120)
    time.sleep(2)
    assert_each_filed_and_announced_once(fake_slack, fake_siit, messages)
    assert fake_siit.max_calls_in_window() <= SIIT_LIMIT


def test_two_instances_on_one_postgresql_share_siits_limit_and_file_each_message_once(
    bot_settings: dict[str, Any],
    fake_slack: FakeSlack,
    fake_siit: FakeSiit,
    tmp_path: Path,
    processes: list[BotProcess],
) -> None:
    fake_siit.rate_limit, fake_siit.rate_window = SIIT_LIMIT, SIIT_WINDOW
    messages = seed_requests(fake_slack, 200)
    with fresh_postgres_database() as url:
        settings = {**bot_settings, "database_url": url}
        bots = [BotProcess(env_of(settings, port=free_port(), **LIMITED), tmp_path) for _ in range(2)]
        processes.extend(bots)
        with ThreadPoolExecutor(max_workers=2) as pool:
            list(pool.map(lambda pair: react_to_all(pair[0].url, pair[1]), [(bots[0], messages), (bots[1], messages)]))
        wait_for_announcements(fake_slack, messages, timeout=120)
        time.sleep(2)
        assert_each_filed_and_announced_once(fake_slack, fake_siit, messages)
        assert fake_siit.max_calls_in_window() <= SIIT_LIMIT
        for bot in bots:
            bot.stop()


@pytest.mark.parametrize("answer", ["drop", "timeout", "503"])
def test_a_create_whose_answer_is_lost_is_found_in_siit_not_filed_again(start_bot: StartBot, answer: str) -> None:
    bot = start_bot()
    wait_until(lambda: len(bot.siit.calls_to("GET", "/v1/services")) >= 2, what="warm-up")
    bot.siit.hang_seconds = 3.0  # beyond the app's 2 s timeout
    bot.siit.after_create.extend([answer, answer])
    view = bot.open_modal("VPN drops")
    bot.sender.submit(view, {"field:ci_floor": "1"})
    wait_until(lambda: "Filed" in str(bot.slack.views[view["id"]]["blocks"]), timeout=20, what="filed")
    time.sleep(1)
    assert [r["title"] for r in bot.siit.requests] == ["VPN drops"]
    posted = [c for c in bot.slack.calls_to("chat.postMessage") if "REQ-12" in str(c.args.get("text"))]
    assert len(posted) == 1


def test_a_kill_between_siits_answer_and_the_local_commit_adopts_the_ticket(
    bot_settings: dict[str, Any],
    database: str,
    fake_slack: FakeSlack,
    fake_siit: FakeSiit,
    tmp_path: Path,
    processes: list[BotProcess],
) -> None:
    (message,) = seed_requests(fake_slack, 1)
    env = env_of(bot_settings, port=free_port(), database_url=database, delivery_lease_seconds=1)
    first = BotProcess(env, tmp_path)
    processes.append(first)
    fake_siit.hang_seconds = 1.0
    fake_siit.after_create.append("kill")
    fake_siit.on_create = lambda: os.kill(first.process.pid, signal.SIGKILL)
    react_to_all(first.url, [message])
    wait_until(lambda: first.process.poll() is not None, timeout=20, what="the kill")
    assert len(fake_siit.requests) == 1

    processes.append(BotProcess(env, tmp_path))
    wait_for_announcements(fake_slack, [message], timeout=30)
    time.sleep(2)
    assert_each_filed_and_announced_once(fake_slack, fake_siit, [message])


def test_helpdesk_strings_beyond_column_and_block_kit_limits_are_filed_once_and_announced_cut(
    database: str, start_bot: StartBot
) -> None:
    bot = start_bot(database_url=database, status_poll_seconds=0.2, poll_active_seconds=0.2, siit_rate_limit=1000)
    bot.siit.rate_limit = 1000  # fast polling here; Siit's budget is tested on its own
    messages = seed_requests(bot.slack, 2)
    bot.sender.reaction(messages[0], user="U300", event_id="Ev-normal")
    wait_until(lambda: all_announced(bot.slack, messages[:1]), what="the normal ticket")
    bot.siit.result_overrides = {
        "friendly_id": "REQ-" + "9" * 296,
        "status": "s" * 100,
        "admin_permalink_url": "https://app.siit.io/requests/" + "x" * 3480,
    }
    bot.sender.reaction(messages[1], user="U300", event_id="Ev-long")
    wait_until(lambda: all_announced(bot.slack, messages), timeout=15, what="the long ticket's announcement")
    # Status polling goes on past the odd ticket: the normal one's change reaches its thread.
    bot.siit.requests[0]["status"] = "resolved"
    wait_until(
        lambda: any("Resolved" in str(m.get("text")) for m in bot.slack.thread("C100", messages[0]["ts"])),
        timeout=15,
        what="the normal ticket's status change",
    )
    time.sleep(0.5)
    assert_each_filed_and_announced_once(bot.slack, bot.siit, messages)
    long_message = ticket_messages(bot.slack, messages[1])[0]
    assert "REQ-999" in str(long_message["blocks"])


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ((200, "<html>maintenance</html>"), "not a service"),
        ((200, '{"error": {"message": "Service wa_printers is archived"}}'), "archived"),
        ((0, ""), "did not answer"),
    ],
)
def test_a_form_siit_cannot_give_shows_a_clear_error_with_try_again(
    start_bot: StartBot, fake_siit: FakeSiit, answer: tuple[int, str], expected: str
) -> None:
    fake_siit.raw_services["wa_printers"] = answer
    bot = start_bot()
    response, _ = bot.sender.slash_command("")
    assert response.status_code == 200
    wait_until(lambda: bot.slack.views, what="views.open")
    view_id = max(bot.slack.views)
    wait_until(lambda: "Loading" not in str(bot.slack.views[view_id]["blocks"]), timeout=15, what="the outcome")
    shown = str(bot.slack.views[view_id]["blocks"])
    assert expected in shown and "Try again" in shown

    del fake_siit.raw_services["wa_printers"]  # Siit is fine again: Try again brings the form
    button = next(b for b in bot.slack.views[view_id]["blocks"] if b["type"] == "actions")["elements"][0]
    bot.sender.block_action({"action_id": button["action_id"], "value": button["value"]}, view=bot.slack.views[view_id])
    wait_until(lambda: bot.slack.views[view_id].get("submit") is not None, timeout=15, what="the form")


def test_a_shared_channel_message_is_one_ticket_whichever_workspace_acts(start_bot: StartBot) -> None:
    bot = start_bot()
    wait_until(lambda: len(bot.siit.calls_to("GET", "/v1/services")) >= 2, what="warm-up")
    (message,) = seed_requests(bot.slack, 1)
    # Someone of another workspace (Slack Connect) uses the message shortcut, then submits...
    shortcut = {
        "type": "message_action",
        "callback_id": "create_ticket_from_message",
        "team": {"id": "T0001", "domain": "test"},
        "user": {"id": "U300", "team_id": "T0EXTERNAL", "name": "reporter"},
        "channel": {"id": "C100", "name": "help"},
        "message": {k: v for k, v in message.items() if k != "channel"},
        "message_ts": message["ts"],
        "trigger_id": mint_trigger_id(),
        "response_url": "https://hooks.slack.invalid/actions/1",
    }
    assert bot.sender.interaction(shortcut).status_code == 200
    wait_until(lambda: any(v.get("submit") for v in bot.slack.views.values()), what="the form")
    view = next(v for v in bot.slack.views.values() if v.get("submit"))
    submission = {
        "type": "view_submission",
        "team": {"id": "T0001", "domain": "test"},
        "enterprise": {"id": "E0GRID"},
        "user": {"id": "U300", "team_id": "T0EXTERNAL", "name": "reporter"},
        "api_app_id": "A1",
        "view": {**view, "state": {"values": state_for(view, {"field:ci_floor": "2"})}},
    }
    assert bot.sender.interaction(submission).status_code == 200
    wait_until(lambda: bot.siit.requests, what="the ticket")
    # ...and someone of the host workspace (or an org-wide install) reacts to the same message.
    bot.sender.reaction(message, user="U100", event_id="Ev-grid")
    wait_until(lambda: all_announced(bot.slack, [message]), what="the announcement")
    time.sleep(1)
    assert len(bot.siit.requests) == 1


def test_a_suptask_create_whose_answer_is_lost_is_named_by_its_created_webhook_not_filed_again(
    start_suptask_bot: StartBot, fake_suptask: FakeSuptask
) -> None:
    bot = start_suptask_bot(suptask_webhook_secret="hook-secret-0123456789abcdef")
    fake_suptask.after_create.append(503)  # Suptask makes the ticket, then answers 503
    view = bot.open_modal("printer jams")
    bot.sender.submit(view, {f"field:{IMPACT_FIELD}": "Low"})
    wait_until(lambda: fake_suptask.tickets, what="the ticket made in Suptask")
    wait_until(lambda: "saved" in str(bot.slack.views[view["id"]]["blocks"]), what="the person told it is saved")
    (ticket_id,) = fake_suptask.tickets
    hook = fake_suptask.created_webhook(ticket_id)
    answer = bot.sender.http.post(
        bot.url + "/webhooks/suptask", json=hook, headers={"X-Webhook-Secret": "hook-secret-0123456789abcdef"}
    )
    assert answer.status_code == 200 and answer.json().get("adopted") is True
    wait_until(lambda: "Filed" in str(bot.slack.views[view["id"]]["blocks"]), timeout=15, what="filed")
    time.sleep(1)
    assert list(fake_suptask.tickets) == [ticket_id]
    posted = [c for c in bot.slack.calls_to("chat.postMessage") if "#42" in str(c.args.get("text"))]
    assert len(posted) == 1


@pytest.mark.parametrize("where", ["channel", "dm"])
def test_a_kill_right_after_the_ticket_message_is_posted_does_not_post_it_again(
    bot_settings: dict[str, Any],
    fake_slack: FakeSlack,
    fake_siit: FakeSiit,
    tmp_path: Path,
    processes: list[BotProcess],
    where: str,
) -> None:
    env = env_of(bot_settings, port=free_port(), delivery_lease_seconds=1)
    first = BotProcess(env, tmp_path)
    processes.append(first)

    def announced() -> list[dict[str, Any]]:
        return [m for m in list(fake_slack.messages.values()) if (m.get("metadata") or {}).get("event_type")]

    fake_slack.on_post = lambda m: os.kill(first.process.pid, signal.SIGKILL) if m.get("metadata") else None
    with httpx.Client(timeout=10) as http:
        sender = SlackSender(first.url, SIGNING_SECRET, http)
        wait_until(lambda: len(fake_siit.calls_to("GET", "/v1/services")) >= 2, what="warm-up")
        if where == "channel":
            sender.slash_command("printer jams")
        else:
            sender.global_shortcut()
        wait_until(lambda: any(v.get("submit") for v in fake_slack.views.values()), what="the form")
        view = next(v for v in fake_slack.views.values() if v.get("submit"))
        sender.submit(view, {"ticket_title": "printer jams", "field:ci_floor": "1"})
        wait_until(lambda: first.process.poll() is not None, timeout=15, what="the kill after the post")
    fake_slack.on_post = None
    assert len(announced()) == 1 and len(fake_siit.requests) == 1

    processes.append(BotProcess(env, tmp_path))
    database = str(bot_settings["database_url"]).removeprefix("sqlite:///")

    def delivered() -> bool:
        with sqlite3.connect(database) as connection:
            return connection.execute("select status from outbox").fetchall() == [("done",)]

    wait_until(delivered, timeout=20, what="the announcement step finished after the restart")
    assert len(announced()) == 1
    assert announced()[0]["channel"] == ("C100" if where == "channel" else "D100")
    assert len(fake_siit.requests) == 1


@pytest.mark.parametrize(
    ("method", "lost"), [("chat.postMessage", "drop"), ("views.update", "drop"), ("chat.postMessage", "500")]
)
def test_a_slack_answer_lost_while_announcing_is_retried_not_parked_and_posts_once(
    start_bot: StartBot, bot_settings: dict[str, Any], method: str, lost: str
) -> None:
    bot = start_bot()
    wait_until(lambda: len(bot.siit.calls_to("GET", "/v1/services")) >= 2, what="warm-up")
    if lost == "drop":
        bot.slack.drops[method] = 1  # the call takes effect, its answer is lost mid-way
    else:
        bot.slack.server_errors[method] = 1  # the call takes effect, then Slack answers 500 (never resent blindly)
    view = bot.open_modal("monitor flickers")
    bot.sender.submit(view, {"field:ci_floor": "1"})
    database = bot_settings["database_url"].removeprefix("sqlite:///")

    def statuses() -> list[str]:
        with sqlite3.connect(database) as connection:
            return [row[0] for row in connection.execute("select status from outbox")]

    wait_until(lambda: statuses() in (["done"], ["failed"]), timeout=20, what="the delivery settled")
    assert statuses() == ["done"]
    wait_until(lambda: "Filed" in str(bot.slack.views[view["id"]]["blocks"]), what="the modal says filed")
    assert [r["title"] for r in bot.siit.requests] == ["monitor flickers"]
    posted = [c for c in bot.slack.calls_to("chat.postMessage") if "REQ-12" in str(c.args.get("text"))]
    assert len(posted) == 1


def test_slack_rate_limiting_the_announcement_tells_nobody_the_helpdesk_is_slow(start_bot: StartBot) -> None:
    bot = start_bot(delivery_first_delay_seconds=0.1)
    wait_until(lambda: len(bot.siit.calls_to("GET", "/v1/services")) >= 2, what="warm-up")
    (message,) = seed_requests(bot.slack, 1)
    bot.slack.rate_limits["chat.postMessage"] = 6  # more than slack_sdk's own retries wait out
    bot.sender.reaction(message, user="U300")
    wait_for_announcements(bot.slack, [message], timeout=30)
    said = [
        str(c.args.get("text") or c.args.get("view") or "")
        for c in bot.slack.calls
        if c.method in ("chat.postMessage", "chat.postEphemeral", "views.update", "views.publish")
    ]
    assert not [s for s in said if "slow" in s or "not answering" in s or "queued" in s]
    assert_each_filed_and_announced_once(bot.slack, bot.siit, [message])
