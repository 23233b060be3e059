"""Socket Mode end to end: the app opens a real WebSocket to the fake Slack (no public URL, no
signing secret), takes envelopes, acknowledges them, files tickets, and reconnects when Slack
asks it to or drops the connection."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from bot.testing.servers import wait_until
from bot.testing.slack_api import APP_TOKEN, TEAM_ID, FakeSlack, mint_trigger_id
from bot.testing.slack_ui import state_for
from tests.conftest import RunningBot, StartBot


@pytest.fixture
def socket_bot(start_bot: StartBot, fake_slack: FakeSlack) -> RunningBot:
    running = start_bot(slack_signing_secret=None, slack_app_token=APP_TOKEN, socket_ping_seconds=0.5)
    fake_slack.socket_mode.wait_connected()
    return running


def command(text: str, *, user: str = "U100", channel: str = "C100") -> dict[str, Any]:
    return {
        "team_id": TEAM_ID,
        "channel_id": channel,
        "user_id": user,
        "command": "/ticket",
        "text": text,
        "api_app_id": "A1",
        "response_url": "https://hooks.slack.invalid/commands/1",
        "trigger_id": mint_trigger_id(),
    }


def submission(view: dict[str, Any], answers: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "view_submission",
        "team": {"id": TEAM_ID, "domain": "test"},
        "user": {"id": "U100", "team_id": TEAM_ID, "name": "person"},
        "api_app_id": "A1",
        "trigger_id": mint_trigger_id(),
        "view": {**view, "state": {"values": state_for(view, answers)}},
    }


def open_form(bot: RunningBot, text: str) -> dict[str, Any]:
    socket = bot.slack.socket_mode
    before = len(bot.slack.calls_to("views.open"))
    envelope = socket.send("slash_commands", command(text), accepts_response_payload=True)
    assert socket.ack_of(envelope) == {"envelope_id": envelope}
    wait_until(lambda: len(bot.slack.calls_to("views.open")) > before, what="views.open")
    view_id = max(bot.slack.views)
    wait_until(lambda: bot.slack.views[view_id].get("submit") is not None, what="the form view")
    return bot.slack.views[view_id]


def test_a_ticket_is_filed_over_socket_mode_without_a_public_url(socket_bot: RunningBot) -> None:
    socket = socket_bot.slack.socket_mode
    # No /slack/events route: nothing reaches the app over HTTP but health, metrics and webhooks.
    assert httpx.post(socket_bot.url + "/slack/events", content=b"{}").status_code == 404
    assert httpx.get(socket_bot.url + "/healthz").status_code == 200

    view = open_form(socket_bot, "printer jams")
    invalid = socket.send("interactive", submission(view, {"field:ci_floor": "40"}), accepts_response_payload=True)
    answer = socket.ack_of(invalid)["payload"]
    assert answer["response_action"] == "errors"  # the listener's answer rides on the ack
    assert "field:ci_floor" in answer["errors"]

    valid = socket.send("interactive", submission(view, {"field:ci_floor": "3"}), accepts_response_payload=True)
    socket.ack_of(valid)
    wait_until(lambda: len(socket_bot.siit.requests) == 1, what="the ticket filed")
    assert socket_bot.siit.requests[0]["title"] == "printer jams"


def test_envelopes_are_acknowledged_before_slow_listeners_run(socket_bot: RunningBot) -> None:
    socket = socket_bot.slack.socket_mode
    socket_bot.siit.latency = 2.5  # every helpdesk call is slow
    envelopes = [socket.send("slash_commands", command(f"burst {i}")) for i in range(20)]
    for envelope in envelopes:
        socket.ack_of(envelope, timeout=3.0)
    slowest = max(socket.acked_at[e] - socket.sent_at[e] for e in envelopes)
    assert slowest < 2.0, f"an ack took {slowest:.2f} s"
    wait_until(lambda: len(socket_bot.slack.calls_to("views.open")) >= 20, what="every form opened")


def test_the_app_reconnects_when_slack_asks_and_when_the_connection_drops(socket_bot: RunningBot) -> None:
    socket = socket_bot.slack.socket_mode
    socket.ask_to_reconnect()
    socket.wait_connected(connections=2)
    assert len(socket_bot.slack.calls_to("apps.connections.open")) == 2
    open_form(socket_bot, "after a refresh")

    socket.drop()
    deadline = time.time() + 20
    while time.time() < deadline and socket.connections_opened < 3:
        time.sleep(0.1)
    socket.wait_connected(connections=3)
    view = open_form(socket_bot, "after a drop")
    socket.ack_of(socket.send("interactive", submission(view, {"field:ci_floor": "1"}), accepts_response_payload=True))
    wait_until(lambda: len(socket_bot.siit.requests) == 1, what="the ticket filed")


def test_a_malformed_envelope_is_acknowledged_and_dropped(socket_bot: RunningBot) -> None:
    socket = socket_bot.slack.socket_mode
    bad = socket.send("interactive", {"type": "block_actions", "user": "not an object"})
    assert socket.ack_of(bad) == {"envelope_id": bad}
    open_form(socket_bot, "still serving")


def test_an_envelope_of_several_megabytes_is_acknowledged_and_dropped_without_a_reconnect(
    socket_bot: RunningBot,
) -> None:
    socket = socket_bot.slack.socket_mode
    event = {"type": "message", "channel": "C100", "user": "U100", "text": "x" * 5_000_000, "ts": "1700000501.000100"}
    envelope = socket.send("events_api", {"type": "event_callback", "team_id": "T0001", "event": event})
    assert socket.ack_of(envelope, timeout=10) == {"envelope_id": envelope}
    assert socket.connections_opened == 1  # the connection held: nothing was cut
    small = socket.send("events_api", {"type": "event_callback", "team_id": "T0001", "event": {**event, "text": "hi"}})
    assert socket.ack_of(small) == {"envelope_id": small}
