"""The agents' triage channel, end to end against the fake Slack and fake Siit: each new ticket
posted there once; Assign to me, the status select, Reply and Note for agents only; the message
kept current from the buttons and from Siit's polling, once per change; agents' messages in its
thread become internal notes, never reaching the requester's thread."""

from __future__ import annotations

import os
import signal
import sqlite3
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.testing.servers import wait_until
from bot.testing.siit_api import FakeSiit
from bot.testing.slack_api import FakeSlack, mint_trigger_id
from bot.testing.slack_client import SlackSender
from bot.testing.suptask_api import FakeSuptask
from bot.testing.suptask_data import IMPACT_FIELD
from tests.bot.slack.thread.test_siit_replies import FAST_POLLING, add_agent, thread_texts
from tests.bot.slack.thread.test_ticket_threads import WEBHOOK_SECRET, file_ticket, send
from tests.conftest import SIGNING_SECRET, RunningBot, StartBot
from tests.fakes.bot_process import BotProcess, env_of, free_port

TRIAGE = "C0TRIAGE1"


@pytest.fixture
def desk(start_bot: StartBot) -> RunningBot:
    bot = start_bot(triage_channel=TRIAGE)
    bot.slack.member_channels.add(TRIAGE)
    add_agent(bot)
    return bot


def triage_posts(bot: RunningBot) -> list[dict[str, Any]]:
    return [m for m in bot.slack.messages.values() if m["channel"] == TRIAGE and not m.get("thread_ts")]


def wait_for_triage(bot: RunningBot, bot_settings: dict[str, Any]) -> None:
    """Until the triage message is posted and the app has recorded where (a reply in its thread
    is known as one from then on)."""
    database = bot_settings["database_url"].removeprefix("sqlite:///")

    def recorded() -> bool:
        with sqlite3.connect(database) as connection:
            return (
                connection.execute("SELECT triage_ts FROM tickets WHERE triage_ts IS NOT NULL").fetchone() is not None
            )

    wait_until(lambda: triage_posts(bot) and recorded(), what="the triage message")


def triage_updates(bot: RunningBot) -> list[dict[str, Any]]:
    return [c.args for c in bot.slack.calls_to("chat.update") if c.args.get("channel") == TRIAGE]


def element(message: dict[str, Any], action_id: str) -> tuple[dict[str, Any], str]:
    """The element and its block's id."""
    return next(
        (e, b.get("block_id", ""))
        for b in message["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == action_id
    )


def click(bot: RunningBot, message: dict[str, Any], action_id: str, user: str, **extra: Any) -> None:
    found, block_id = element(message, action_id)
    action = {**found, "block_id": block_id, **extra}
    payload_extra = {"channel": {"id": TRIAGE}, "message": {"ts": message["ts"]}}
    response = bot.sender.interaction(
        {
            "type": "block_actions",
            "team": {"id": "T0001"},
            "user": {"id": user, "team_id": "T0001"},
            "api_app_id": "A1",
            "trigger_id": mint_trigger_id(),
            "container": {"type": "message", "channel_id": TRIAGE, "message_ts": message["ts"]},
            "actions": [action],
            **payload_extra,
        }
    )
    assert response.status_code == 200


def test_each_new_ticket_is_posted_in_triage_once_with_who_what_and_links(
    desk: RunningBot, bot_settings: dict[str, Any]
) -> None:
    ticket = file_ticket(desk)
    wait_for_triage(desk, bot_settings)
    [posted] = triage_posts(desk)
    text = str(posted["blocks"])
    assert "<@U100>" in text and "Printer problem" in text and "printer jams" in text
    assert f"https://test.slack.com/archives/{ticket['channel']}/p{ticket['ts'].replace('.', '')}" in text
    assert "https://app.siit.io/requests/" in text and "Unassigned" in text
    assert {e["action_id"] for b in posted["blocks"] if b["type"] == "actions" for e in b["elements"]} == {
        "triage_assign",
        "triage_status",
        "triage_reply",
        "triage_note",
    }


def test_assign_to_me_is_for_agents_and_updates_the_triage_message(
    desk: RunningBot, bot_settings: dict[str, Any]
) -> None:
    file_ticket(desk)
    wait_for_triage(desk, bot_settings)
    [posted] = triage_posts(desk)
    click(desk, posted, "triage_assign", user="U555")  # not an agent: told why, nothing sent
    click(desk, posted, "triage_assign", user="U900")
    wait_until(lambda: desk.siit.requests[0].get("assignee_admin") == "u_greg", what="the assignee in Siit")
    wait_until(lambda: triage_updates(desk), what="the triage message updated")
    assert len(desk.siit.calls_to("PATCH", "/v1/requests/")) == 1
    assert "<@U900>" in str(triage_updates(desk)[-1]["blocks"])
    refusals = [c.args for c in desk.slack.calls_to("chat.postEphemeral") if c.args.get("user") == "U555"]
    assert refusals and "Only Siit agents" in refusals[0]["text"]


def test_the_status_select_changes_siit_and_both_messages_once(desk: RunningBot, bot_settings: dict[str, Any]) -> None:
    ticket = file_ticket(desk)
    wait_for_triage(desk, bot_settings)
    [posted] = triage_posts(desk)
    select, _ = element(posted, "triage_status")
    in_progress = next(o for o in select["options"] if o["value"] == "in_progress")
    click(desk, posted, "triage_status", user="U555", selected_option=in_progress)
    click(desk, posted, "triage_status", user="U900", selected_option=in_progress)
    wait_until(lambda: desk.siit.requests[0].get("status") == "in_progress", what="the status in Siit")
    wait_until(lambda: triage_updates(desk), what="the triage message updated")
    wait_until(
        lambda: any(c.args["ts"] == ticket["ts"] for c in desk.slack.calls_to("chat.update")),
        what="the ticket message updated",
    )
    assert len(desk.siit.calls_to("PATCH", "/v1/requests/")) == 1
    assert len(triage_updates(desk)) == 1
    assert "In progress" in str(triage_updates(desk)[0]["blocks"])


def test_a_status_change_seen_by_polling_updates_triage_once(start_bot: StartBot, bot_settings: dict[str, Any]) -> None:
    bot = start_bot(triage_channel=TRIAGE, **FAST_POLLING)
    bot.slack.member_channels.add(TRIAGE)
    file_ticket(bot)
    wait_for_triage(bot, bot_settings)
    uid = bot.siit.requests[0]["_uid"]
    bot.siit.request(uid)["status"] = "waiting"  # type: ignore[index]
    wait_until(lambda: triage_updates(bot), what="the triage message updated")
    polls = len(bot.siit.calls_to("GET", "/v1/requests/"))
    wait_until(lambda: len(bot.siit.calls_to("GET", "/v1/requests/")) > polls + 5, what="more polls")
    assert len(triage_updates(bot)) == 1
    assert "Waiting" in str(triage_updates(bot)[0]["blocks"])


def test_reply_and_note_open_the_reply_modal_for_agents_only(desk: RunningBot, bot_settings: dict[str, Any]) -> None:
    file_ticket(desk)
    wait_for_triage(desk, bot_settings)
    [posted] = triage_posts(desk)
    opened = len(desk.slack.calls_to("views.open"))
    click(desk, posted, "triage_note", user="U555")
    click(desk, posted, "triage_note", user="U900")
    wait_until(lambda: len(desk.slack.calls_to("views.open")) > opened, what="the note modal")
    click(desk, posted, "triage_reply", user="U900")
    wait_until(lambda: len(desk.slack.calls_to("views.open")) > opened + 1, what="the reply modal")
    views = [c.args["view"] for c in desk.slack.calls_to("views.open")[opened:]]
    assert len(views) == 2
    visibility = [next(b for b in v["blocks"] if b.get("block_id") == "reply_visibility") for v in views]
    assert [b["element"]["initial_option"]["value"] for b in visibility] == ["internal", "public"]


def test_agents_messages_in_the_triage_thread_become_internal_notes(
    desk: RunningBot, bot_settings: dict[str, Any]
) -> None:
    ticket = file_ticket(desk)
    wait_for_triage(desk, bot_settings)
    [posted] = triage_posts(desk)
    note = {"type": "message", "channel": TRIAGE, "user": "U900", "text": "VIP, call them", "ts": "1800000001.000001"}
    chatter = {**note, "user": "U555", "text": "what is this?", "ts": "1800000001.000002"}
    send(desk, {**note, "thread_ts": posted["ts"]}, "EvT1")
    send(desk, {**chatter, "thread_ts": posted["ts"]}, "EvT2")
    wait_until(lambda: desk.siit.messages, what="the note in Siit")
    marker = {**note, "text": "marker", "ts": "1800000001.000003", "thread_ts": posted["ts"]}
    send(desk, marker, "EvT3")
    wait_until(lambda: len(desk.siit.messages) == 2, what="the marker note")
    assert [(m["body_markdown"], m["private"]) for m in desk.siit.messages] == [
        ("VIP, call them", True),
        ("marker", True),
    ]
    assert not any("VIP" in t for t in thread_texts(desk, ticket))


def test_suptask_webhooks_keep_triage_current_once_per_change_and_assign_by_member_id(
    start_suptask_bot: StartBot, fake_suptask: FakeSuptask, bot_settings: dict[str, Any]
) -> None:
    bot = start_suptask_bot(suptask_webhook_secret=WEBHOOK_SECRET, triage_channel=TRIAGE, agent_slack_ids="U900")
    bot.slack.member_channels.add(TRIAGE)
    file_ticket(bot, {f"field:{IMPACT_FIELD}": "Low"})
    wait_for_triage(bot, bot_settings)
    ticket_id = next(iter(fake_suptask.tickets))
    hook = {"ticket": {"id": ticket_id, "status": "In Progress"}}
    for _ in range(3):  # the same change delivered three times
        response = bot.sender.http.post(
            bot.url + "/webhooks/suptask", json=hook, headers={"X-Webhook-Secret": WEBHOOK_SECRET}
        )
        assert response.status_code == 200
    wait_until(lambda: triage_updates(bot), what="the triage message updated")
    [posted] = triage_posts(bot)
    click(bot, posted, "triage_assign", user="U900")
    wait_until(lambda: fake_suptask.tickets[ticket_id].get("assignee") == "U900", what="the assignee in Suptask")
    wait_until(lambda: len(triage_updates(bot)) == 2, what="the assignee shown")
    assert "In progress" in str(triage_updates(bot)[0]["blocks"])
    assert "<@U900>" in str(triage_updates(bot)[1]["blocks"])


def test_an_assignment_during_an_outage_is_kept_and_one_siit_refuses_shows_why_in_triage(
    start_bot: StartBot, bot_settings: dict[str, Any]
) -> None:
    bot = start_bot(triage_channel=TRIAGE, agent_slack_ids="U901")  # U901: an agent with no Siit user
    bot.slack.member_channels.add(TRIAGE)
    bot.slack.add_user("U901", email="temp@example.com", name="Tess Temp")
    add_agent(bot)
    file_ticket(bot)
    wait_for_triage(bot, bot_settings)
    [posted] = triage_posts(bot)
    bot.siit.failures.extend([("/v1/requests/", 503)] * 4)
    click(bot, posted, "triage_assign", user="U900")
    told = lambda: [c.args for c in bot.slack.calls_to("chat.postEphemeral") if c.args.get("channel") == TRIAGE]  # noqa: E731
    wait_until(told, what="the 'saved' notice")
    assert "your assignment is saved" in told()[0]["text"] and told()[0]["user"] == "U900"
    assert told()[0]["thread_ts"] == posted["ts"]
    wait_until(lambda: bot.siit.requests[0].get("assignee_admin") == "u_greg", timeout=10, what="assigned once back")

    click(bot, posted, "triage_assign", user="U901")
    wait_until(lambda: len(told()) == 2, what="the refusal")
    assert "Siit did not accept it" in told()[1]["text"] and "has no Siit user" in told()[1]["text"]
    assert bot.siit.requests[0]["assignee_admin"] == "u_greg"


@pytest.mark.parametrize("when", ["before the post", "after the post"])
def test_a_kill_between_the_triage_claim_and_its_record_leaves_one_triage_message_after_restart(
    bot_settings: dict[str, Any],
    fake_slack: FakeSlack,
    fake_siit: FakeSiit,
    tmp_path: Path,
    processes: list[BotProcess],
    when: str,
) -> None:
    fake_slack.member_channels.add(TRIAGE)
    env = env_of(bot_settings, port=free_port(), triage_channel=TRIAGE, triage_claim_seconds=1)
    first = BotProcess(env, tmp_path)
    processes.append(first)

    def kill_at_the_triage_post(message: dict[str, Any]) -> None:
        if message.get("channel") == TRIAGE:
            os.kill(first.process.pid, signal.SIGKILL)

    if when == "before the post":  # the claim is committed; the post never reaches Slack

        def kill_before_the_triage_post() -> bool:
            triage = [c for c in fake_slack.calls_to("chat.postMessage") if c.args.get("channel") == TRIAGE]
            if triage and first.process.poll() is None:
                os.kill(first.process.pid, signal.SIGKILL)
                return True
            return False

        fake_slack.on_call = kill_before_the_triage_post
    else:  # posted; the app never hears where
        fake_slack.on_post = kill_at_the_triage_post
    wait_until(lambda: len(fake_siit.calls_to("GET", "/v1/services")) >= 2, what="warm-up")
    with httpx.Client(timeout=10) as http:
        sender = SlackSender(first.url, SIGNING_SECRET, http)
        message = fake_slack.seed_message("C100", "1700000000.000100", user="U100", text="Printer jams")
        sender.reaction(message, user="U100")
        wait_until(lambda: first.process.poll() is not None, timeout=20, what="the kill at the triage post")
    fake_slack.on_call = fake_slack.on_post = None
    posted_before = len([m for m in fake_slack.messages.values() if m["channel"] == TRIAGE])

    processes.append(BotProcess(env, tmp_path))
    wait_until(
        lambda: [m for m in fake_slack.messages.values() if m["channel"] == TRIAGE], timeout=30, what="triage post"
    )
    time.sleep(2.5)  # past another claim's lease: nothing is posted again
    posts = [m for m in fake_slack.messages.values() if m["channel"] == TRIAGE]
    assert posted_before == (0 if when == "before the post" else 1)
    assert len(posts) == 1, f"{len(posts)} triage messages"
    database = str(bot_settings["database_url"]).removeprefix("sqlite:///")
    with sqlite3.connect(database) as connection:  # where it is known: agents' notes in its thread work
        assert connection.execute("SELECT triage_ts FROM tickets").fetchall() == [(posts[0]["ts"],)]


def test_a_forged_status_the_select_never_offered_reaches_nobody(
    desk: RunningBot, bot_settings: dict[str, Any]
) -> None:
    file_ticket(desk)
    wait_for_triage(desk, bot_settings)
    [posted] = triage_posts(desk)
    forged = {"text": {"type": "plain_text", "text": "Gone"}, "value": "deleted"}
    click(desk, posted, "triage_status", user="U900", selected_option=forged)
    wait_until(
        lambda: any(c.args.get("user") == "U900" for c in desk.slack.calls_to("chat.postEphemeral")),
        what="the agent told the status is not one offered",
    )
    assert desk.siit.calls_to("PATCH", "/v1/requests/") == []
