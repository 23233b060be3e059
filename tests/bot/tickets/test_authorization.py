"""Only the right people act on a ticket: the requester, the person who filed it, and the
helpdesk's agents; internal notes from agents only. A stranger clicks every button on a ticket
message and submits every modal it could reach: nothing reaches the helpdesk."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from bot.testing.servers import wait_until
from tests.bot.slack.thread.test_ticket_threads import action_of, file_ticket
from tests.conftest import RunningBot, StartBot

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


OUTSIDER = "U777"
"""A member of another workspace, in a channel shared with ours (Slack Connect), whose Slack
e-mail is the same as our agent's."""


@pytest.mark.parametrize("how", ["is_stranger", "another team"])
def test_a_person_from_another_workspace_is_never_taken_for_our_agent(people: RunningBot, how: str) -> None:
    bot = people
    if how == "is_stranger":
        bot.slack.add_user(OUTSIDER, email="it-agent@example.com", name="Mallory", team_id="T0OTHER", stranger=True)
    else:
        bot.slack.add_user(OUTSIDER, email="it-agent@example.com", name="Mallory", team_id="T0OTHER")
    ticket = file_ticket(bot)
    before = helpdesk_writes(bot)
    bot.sender.block_action(action_of(ticket, "ticket_close") | {"block_id": "b"}, user=OUTSIDER)
    wait_until(lambda: ephemerals_to(bot, OUTSIDER), what="the outsider told why")
    assert helpdesk_writes(bot) == before
    assert bot.siit.requests[0].get("status") != "resolved"

    # What they file is theirs, by Slack ID alone: never filed as our agent in Siit.
    message = bot.slack.seed_message("C100", "1700000300.000100", user=OUTSIDER, text="Printer jams again")
    bot.sender.reaction(message, user=OUTSIDER, event_id="EvOutsider")
    wait_until(lambda: len(bot.siit.requests) == 2, what="the outsider's ticket")
    filed = bot.siit.requests[1]
    assert "u_ivy" not in json.dumps(filed)


def test_a_demoted_agent_loses_agent_rights_within_the_agent_cache_time_even_when_siit_cannot_say(
    start_bot: StartBot,
) -> None:
    bot = start_bot(agent_cache_seconds=1.0)
    bot.slack.add_user(AGENT, email="it-agent@example.com", name="Ivy Agent")
    bot.siit.add_user("u_ivy", "it-agent@example.com", role="agent")
    ticket = file_ticket(bot)
    opened = len(bot.slack.calls_to("views.open"))
    bot.sender.block_action(action_of(ticket, "ticket_add_details") | {"block_id": "b"}, user=AGENT)
    wait_until(lambda: len(bot.slack.calls_to("views.open")) > opened, what="the agent's reply modal")

    next(u for u in bot.siit.users if u["uid"] == "u_ivy")["role_name"] = "employee"  # demoted in Siit
    bot.siit.failures.extend([("/v1/users", 503)] * 50)  # and Siit's directory cannot be read
    time.sleep(1.5)  # past AGENT_CACHE_SECONDS
    before = helpdesk_writes(bot)
    bot.sender.block_action(action_of(ticket, "ticket_close") | {"block_id": "b"}, user=AGENT)
    wait_until(lambda: len(ephemerals_to(bot, AGENT)) >= 1, timeout=15, what="the former agent told why")
    assert helpdesk_writes(bot) == before
    assert bot.siit.requests[0].get("status") != "resolved"
    # The requester's own rights do not depend on Siit's directory.
    bot.sender.block_action(action_of(ticket, "ticket_close") | {"block_id": "b"}, user=REQUESTER)
    wait_until(lambda: bot.siit.requests[0].get("status") == "resolved", what="the requester's close")


IT_AGENT, HR_AGENT, HR_GROUP, HR = "U900", "U901", "S0HRTEAM", "C0HR0001"


def test_a_route_with_its_own_agents_is_theirs_alone(start_bot: StartBot, tmp_path: Path) -> None:
    forms = tmp_path / "forms.yml"
    forms.write_text(
        "forms: [{form_id: wa_printers, name: Printers}, {form_id: wa_access, name: Access}]\n"
        "routing:\n"
        "  channels:\n"
        f"    C100: {{form: wa_printers, agents: [{IT_AGENT}]}}\n"
        f"    {HR}: {{form: wa_access, agents: [{HR_GROUP}]}}\n"
    )
    bot = start_bot(forms_file=forms, siit_services="")
    bot.slack.member_channels.add(HR)
    bot.slack.usergroups[HR_GROUP] = [HR_AGENT]
    for user, email in ((IT_AGENT, "it@example.com"), (HR_AGENT, "hr@example.com"), (AGENT, "it-agent@example.com")):
        bot.slack.add_user(user, email=email, name=user)
    bot.siit.add_user("u_ivy", "it-agent@example.com", role="agent")  # Siit's agent, in neither team
    wait_until(lambda: len(bot.siit.calls_to("GET", "/v1/services")) >= 2, what="warm-up")
    printer = bot.slack.seed_message("C100", "1700000800.000100", user=REQUESTER, text="Printer jams")
    payroll = bot.slack.seed_message(HR, "1700000801.000100", user=REQUESTER, text="Payroll question")
    bot.sender.reaction(printer, user=REQUESTER, event_id="EvIT")
    bot.sender.reaction(payroll, user=REQUESTER, event_id="EvHR")
    wait_until(lambda: len(bot.siit.requests) == 2, what="both tickets")
    wait_until(lambda: all(announced(bot, m) for m in (printer, payroll)), what="both announced")

    it_queue, hr_queue = queue_titles(bot, IT_AGENT), queue_titles(bot, HR_AGENT)
    assert len(it_queue) == 1 and "Printer jams" in it_queue[0]
    assert len(hr_queue) == 1 and "Payroll question" in hr_queue[0]
    assert queue_titles(bot, AGENT) == []  # an agent of Siit's, in neither team

    before = helpdesk_writes(bot)
    for user in (IT_AGENT, AGENT):  # neither is in HR's team
        bot.sender.block_action(action_of(announced(bot, payroll), "ticket_close") | {"block_id": "b"}, user=user)
    wait_until(lambda: len(ephemerals_to(bot, IT_AGENT)) >= 1 and len(ephemerals_to(bot, AGENT)) >= 1, what="told why")
    assert helpdesk_writes(bot) == before
    bot.sender.block_action(action_of(announced(bot, payroll), "ticket_close") | {"block_id": "b"}, user=HR_AGENT)
    payroll_uid = next(r["_uid"] for r in bot.siit.requests if "Payroll" in r["title"])
    wait_until(lambda: bot.siit.request(payroll_uid).get("status") == "resolved", what="HR's agent closes it")


def announced(bot: RunningBot, message: dict[str, Any]) -> dict[str, Any]:
    return next((m for m in bot.slack.thread(message["channel"], message["ts"]) if m.get("blocks")), {"blocks": []})


def queue_titles(bot: RunningBot, user: str) -> list[str]:
    """The agents' queue in the person's App Home (empty when they see none)."""
    before = len([c for c in bot.slack.calls_to("views.publish") if c.args.get("user_id") == user])
    event = {"type": "app_home_opened", "user": user, "channel": "D" + user[1:], "tab": "home"}
    assert bot.sender.event(event, event_id=f"EvHome{user}{time.time()}").status_code == 200
    wait_until(
        lambda: len([c for c in bot.slack.calls_to("views.publish") if c.args.get("user_id") == user]) > before,
        what=f"the Home of {user}",
    )
    blocks = bot.slack.homes[user]["blocks"]
    start = next((i for i, b in enumerate(blocks) if b["type"] == "header" and "agents" in b["text"]["text"]), None)
    if start is None:
        return []
    return [b["text"]["text"] for b in blocks[start:] if b["type"] == "section" and "*" in b["text"]["text"]]
