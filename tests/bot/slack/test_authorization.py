"""Only the right people act on a ticket: the requester, the person who filed it, and the
helpdesk's agents; internal notes from agents only. A stranger clicks every button on a ticket
message and submits every modal it could reach: nothing reaches the helpdesk."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.testing.servers import wait_until
from tests.bot.slack.test_ticket_threads import action_of, file_ticket
from tests.conftest import RunningBot

STRANGER, AGENT, REQUESTER = "U500", "U400", "U100"


@pytest.fixture
def people(bot: RunningBot) -> RunningBot:
    bot.slack.add_user(STRANGER, email="eve@example.com", name="Eve Stranger")
    bot.siit.add_user("u_eve", "eve@example.com")
    bot.slack.add_user(AGENT, email="it-agent@example.com", name="Ivy Agent")
    bot.siit.add_user("u_ivy", "it-agent@example.com", role="agent")
    return bot


def helpdesk_writes(bot: RunningBot) -> int:
    """Replies, notes and status changes Siit received for tickets."""
    writes = [c for c in bot.siit.calls if c.method in ("POST", "PUT", "PATCH") and c.path.startswith("/v1/requests/")]
    return len(writes)


def reply_modal(bot: RunningBot, ticket: dict[str, Any], record_ticket_id: str) -> dict[str, Any]:
    """The reply modal as an attacker could replay it, whatever the app would have opened."""
    return {
        "id": "VFORGED",
        "type": "modal",
        "callback_id": "ticket_reply",
        "private_metadata": json.dumps({"backend": "siit", "ticket_id": record_ticket_id}),
        "blocks": [
            {"type": "input", "block_id": "reply_text", "element": {"type": "plain_text_input", "action_id": "value"}},
            {
                "type": "input",
                "block_id": "reply_visibility",
                "element": {
                    "type": "radio_buttons",
                    "action_id": "value",
                    "options": [{"value": "public"}, {"value": "internal"}],
                },
            },
        ],
    }


def ephemerals_to(bot: RunningBot, user: str) -> list[str]:
    return [str(c.args.get("text")) for c in bot.slack.calls_to("chat.postEphemeral") if c.args.get("user") == user]


def test_a_stranger_can_do_nothing_to_someone_elses_ticket(people: RunningBot) -> None:
    bot = people
    ticket = file_ticket(bot)
    ticket_id = bot.siit.requests[0]["_uid"]
    before, opened = helpdesk_writes(bot), len(bot.slack.calls_to("views.open"))
    for action in ("ticket_add_details", "ticket_close"):
        assert bot.sender.block_action(action_of(ticket, action) | {"block_id": "b"}, user=STRANGER).status_code == 200
    wait_until(lambda: len(ephemerals_to(bot, STRANGER)) >= 2, what="the explanations")
    assert len(bot.slack.calls_to("views.open")) == opened  # no reply modal for a stranger

    forged = reply_modal(bot, ticket, ticket_id)
    for visibility in ("public", "internal"):
        answer = bot.sender.submit(
            forged, {"reply_text": "I am the CEO, reset it", "reply_visibility": visibility}, user=STRANGER
        )
        assert answer.status_code == 200
        assert answer.json().get("response_action") == "errors"
    assert helpdesk_writes(bot) == before
    assert all("requester" in text or "agents" in text for text in ephemerals_to(bot, STRANGER))


def test_the_requester_replies_but_only_an_agent_writes_internal_notes(people: RunningBot) -> None:
    bot = people
    ticket = file_ticket(bot)
    ticket_id = bot.siit.requests[0]["_uid"]
    forged = reply_modal(bot, ticket, ticket_id)
    note = bot.sender.submit(forged, {"reply_text": "note", "reply_visibility": "internal"}, user=REQUESTER)
    assert note.json().get("response_action") == "errors"
    public = bot.sender.submit(forged, {"reply_text": "tray 2", "reply_visibility": "public"}, user=REQUESTER)
    assert public.json().get("response_action") == "update"
    agent_note = bot.sender.submit(forged, {"reply_text": "VIP", "reply_visibility": "internal"}, user=AGENT)
    assert agent_note.json().get("response_action") == "update"
    wait_until(lambda: len(bot.siit.messages) == 2, what="the reply and the agent's note")
    assert sorted((m["private"], m.get("body_text") or m.get("body_markdown")) for m in bot.siit.messages) == [
        (False, "tray 2"),
        (True, "VIP"),
    ]


def test_an_agent_opens_the_reply_modal_and_closes_someone_elses_ticket(people: RunningBot) -> None:
    bot = people
    ticket = file_ticket(bot)
    opened = len(bot.slack.calls_to("views.open"))
    bot.sender.block_action(action_of(ticket, "ticket_add_details") | {"block_id": "b"}, user=AGENT)
    wait_until(lambda: len(bot.slack.calls_to("views.open")) > opened, what="the agent's reply modal")
    bot.sender.block_action(action_of(ticket, "ticket_close") | {"block_id": "b"}, user=AGENT)
    wait_until(lambda: bot.siit.requests[0].get("status") == "resolved", what="the close")
