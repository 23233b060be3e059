"""Siit agent replies come back to the ticket's Slack thread (Siit sends no webhooks: the app
reads each open ticket's conversation), end to end against the fake Slack and fake Siit: once,
with the agent's name, never a note, never the requester's own words or the app's own replies,
once across two instances, and nothing old for tickets filed before the feature."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

from bot.testing.servers import wait_until
from tests.bot.slack.thread.test_ticket_threads import file_ticket, reply, send
from tests.conftest import RunningBot, StartBot

FAST_POLLING = {
    "status_poll_seconds": 0.1,
    "poll_active_seconds": 0.1,
    "poll_idle_seconds": 0.2,
    "status_poll_batch": 10,
    "siit_rate_limit": 10000,
}


def add_agent(bot: RunningBot) -> str:
    bot.siit.add_user("u_greg", "greg@example.com", role="agent", full_name="Greg House", slack_user_id="U900")
    bot.slack.add_user("U900", email="greg@example.com", name="Greg House")
    return "u_greg"


def thread_texts(bot: RunningBot, ticket: dict[str, Any]) -> list[str]:
    return [m["text"] for m in bot.slack.thread(ticket["channel"], ticket["ts"])]


def messages_read(bot: RunningBot) -> int:
    return len([c for c in bot.siit.calls_to("GET", "/v1/requests/") if c.path.endswith("/messages")])


def checks(bot: RunningBot) -> int:
    """Polls of the tickets' state: each may read the conversation again."""
    return len([c for c in bot.siit.calls_to("GET", "/v1/requests/") if not c.path.endswith("/messages")])


def test_an_agent_reply_appears_once_with_the_agents_name_and_nothing_else_crosses(start_bot: StartBot) -> None:
    bot = start_bot(**FAST_POLLING)
    agent = add_agent(bot)
    ticket = file_ticket(bot)
    uid = bot.siit.requests[0]["_uid"]
    event, _ = reply(bot, ticket, "It still beeps")  # the requester, in the thread: sent to Siit
    send(bot, event, "Ev1")
    wait_until(lambda: bot.siit.messages, what="the requester's reply in Siit")
    bot.siit.agent_says(uid, agent, "Only the agents should see this", note=True)
    bot.siit.agent_says(uid, agent, "Try tray 2 <b>now</b>", attachments=["https://files.siit.io/manual.pdf"])
    wait_until(lambda: any("Try tray 2" in t for t in thread_texts(bot, ticket)), what="the agent's reply in Slack")
    done = checks(bot)
    wait_until(lambda: checks(bot) >= done + 5, what="more checks")

    texts = thread_texts(bot, ticket)
    shown = [t for t in texts if "Try tray 2" in t]
    assert len(shown) == 1
    assert shown[0].startswith("*Greg House*: Try tray 2 &lt;b&gt;now&lt;/b&gt;")
    assert "https://files.siit.io/manual.pdf" in shown[0]
    assert not any("Only the agents" in t for t in texts)
    assert not any("It still beeps" in t for t in texts)


def test_an_agents_reply_sent_from_slack_is_not_echoed_back(start_bot: StartBot) -> None:
    bot = start_bot(**FAST_POLLING, reply_sync="everyone")
    add_agent(bot)
    ticket = file_ticket(bot)
    event, _ = reply(bot, ticket, "On my way with toner", user="U900")
    send(bot, event, "Ev1")
    wait_until(lambda: bot.siit.messages, what="the agent's reply in Siit")
    assert bot.siit.messages[0]["sent_by_uid"] == "u_greg"
    done = checks(bot)
    wait_until(lambda: checks(bot) >= done + 5, what="more checks")
    assert not any("toner" in t and m_from_bot(t) for t in thread_texts(bot, ticket))


def test_our_reply_is_known_by_the_uid_siit_gave_it_even_when_siit_renders_its_words_differently(
    start_bot: StartBot,
) -> None:
    bot = start_bot(**FAST_POLLING, reply_sync="everyone")
    add_agent(bot)
    bot.siit.renders = lambda text: text.replace("&", "&amp;")  # Siit keeps its own rendering
    ticket = file_ticket(bot)
    event, _ = reply(bot, ticket, "Fish & chips at noon", user="U900")
    send(bot, event, "Ev1")
    wait_until(lambda: bot.siit.messages, what="the agent's reply in Siit")
    assert bot.siit.messages[0]["body_text"] == "Fish &amp; chips at noon"
    done = messages_read(bot)
    bot.siit.agent_says(bot.siit.requests[0]["_uid"], "u_greg", "marker")  # moves updated_at: a read follows
    wait_until(lambda: any("marker" in t for t in thread_texts(bot, ticket)), what="the marker shown")
    assert messages_read(bot) > done
    assert not any("chips" in t and m_from_bot(t) for t in thread_texts(bot, ticket))


def test_with_chat_write_customize_an_agent_reply_shows_under_the_agents_name(start_bot: StartBot) -> None:
    bot = start_bot(**FAST_POLLING)
    bot.slack.scopes.add("chat:write.customize")
    agent = add_agent(bot)
    ticket = file_ticket(bot)
    bot.siit.agent_says(bot.siit.requests[0]["_uid"], agent, "Toner <b>replaced</b>")
    wait_until(lambda: any("Toner" in t for t in thread_texts(bot, ticket)), what="the agent's reply")
    [shown] = [m for m in bot.slack.thread(ticket["channel"], ticket["ts"]) if "Toner" in m["text"]]
    assert shown["username"] == "Greg House"
    assert shown["text"] == "Toner &lt;b&gt;replaced&lt;/b&gt;"


def m_from_bot(text: str) -> bool:
    return text.startswith("*")


def test_two_instances_show_each_agent_reply_once(start_bot: StartBot, tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'shared.db'}"
    first = start_bot(database_url=database, **FAST_POLLING)
    start_bot(database_url=database, **FAST_POLLING)
    agent = add_agent(first)
    ticket = file_ticket(first)
    uid = first.siit.requests[0]["_uid"]
    for n in range(3):
        first.siit.agent_says(uid, agent, f"step {n}")
    wait_until(lambda: sum("step" in t for t in thread_texts(first, ticket)) == 3, what="three agent replies")
    done = checks(first)
    wait_until(lambda: checks(first) >= done + 5, what="more checks by both instances")
    assert sorted(t for t in thread_texts(first, ticket) if "step" in t) == [
        "*Greg House*: step 0",
        "*Greg House*: step 1",
        "*Greg House*: step 2",
    ]


def test_a_ticket_filed_before_replies_were_read_back_shows_only_what_comes_after(
    start_bot: StartBot, tmp_path: Path
) -> None:
    database = tmp_path / "old.db"
    bot = start_bot(database_url=f"sqlite:///{database}", status_poll_seconds=3600)
    agent = add_agent(bot)
    ticket = file_ticket(bot)
    uid = bot.siit.requests[0]["_uid"]
    bot.siit.agent_says(uid, agent, "an answer from last week")
    with sqlite3.connect(database) as connection:  # as migration 0004 leaves an older ticket
        connection.execute("UPDATE tickets SET replies_from = NULL, active_until = NULL, checked_at = NULL")
    later = start_bot(database_url=f"sqlite:///{database}", **FAST_POLLING)
    wait_until(lambda: messages_read(later) >= 1, what="the first read")
    time.sleep(0.3)
    bot.siit.agent_says(uid, agent, "a new answer")
    wait_until(lambda: any("a new answer" in t for t in thread_texts(bot, ticket)), what="the new answer")
    assert not any("last week" in t for t in thread_texts(bot, ticket))
