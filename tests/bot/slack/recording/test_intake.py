"""Which of Slack's requests are recorded before their ack: those that may write to the helpdesk
or post in Slack, and nothing else."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bot.config.routing import Routing
from bot.domain.auto_create import AutoCreateRules
from bot.domain.ticket import Ticket
from bot.slack.recording.intake import Intake
from bot.slack.views.ticket_message import CLOSE_ACTION
from bot.slack.views.triage_message import TRIAGE_ASSIGN, TRIAGE_NOTE

HELP, ROUTED, OTHER = "C0HELP", "C0ROUTED", "C0OTHER"
NOW = 1_700_000_100.0
TICKET = Ticket("siit", "req_1", "REQ-1", None, "T", "f", "F", None, "T1", ROUTED, "1.0", "1.0", "U1", "U1")


class Threads:
    """Ticket threads: one ticket thread in ROUTED at 1.0, one triage thread at 9.0."""

    async def is_ticket_thread(self, channel_id: str, thread_ts: str) -> bool:
        return (channel_id, thread_ts) in {(ROUTED, "1.0"), ("C0TRIAGE", "9.0")}


def intake() -> Intake:
    routing = Routing(
        form_ids=("f",),
        default_form_id="f",
        channel_forms={HELP: "f", ROUTED: "f"},
        auto_create_channels=frozenset({HELP}),
        auto_create=AutoCreateRules(skip_prefix="!", no_ticket_reaction="no_entry_sign", grace_seconds=60.0),
    )
    return Intake(routing=routing, ticket_emoji=("ticket",), tickets=Threads(), clock=lambda: NOW)


def event(**fields: Any) -> dict[str, Any]:
    return {"type": "event_callback", "event": fields}


def reaction(name: str, channel: str) -> dict[str, Any]:
    return event(type="reaction_added", reaction=name, item={"type": "message", "channel": channel, "ts": "5.0"})


def message(channel: str, text: str = "Printer jams", **fields: Any) -> dict[str, Any]:
    return event(type="message", channel=channel, user="U1", text=text, ts="7.0", **fields)


def edit(ts: str, **fields: Any) -> dict[str, Any]:
    changed = {"type": "message", "user": "U1", "text": "Printer jams on floor 2", "ts": ts, **fields}
    return event(type="message", subtype="message_changed", channel=HELP, message=changed)


def deletion(ts: str) -> dict[str, Any]:
    return event(type="message", subtype="message_deleted", channel=HELP, deleted_ts=ts)


def click(action_id: str) -> dict[str, Any]:
    return {"type": "block_actions", "user": {"id": "U1"}, "actions": [{"action_id": action_id}]}


CASES = [
    ("ticket emoji in a routed channel", reaction("ticket", ROUTED), True),
    ("ticket emoji in a channel no route covers", reaction("ticket", OTHER), False),
    ("another emoji", reaction("thumbsup", ROUTED), False),
    ("no-ticket reaction in a help channel", reaction("no_entry_sign", HELP), True),
    ("no-ticket reaction elsewhere", reaction("no_entry_sign", ROUTED), False),
    ("a person's new message in a help channel", message(HELP), True),
    ("a message skipped by its prefix", message(HELP, "!just chatting"), False),
    ("a bot's message in a help channel", message(HELP, bot_id="B1"), False),
    ("a new message in a routed channel", message(ROUTED), False),
    ("a reply in a ticket's thread", message(ROUTED, thread_ts="1.0"), True),
    ("a reply in a triage thread", message("C0TRIAGE", thread_ts="9.0"), True),
    ("a reply in a thread without a ticket", message(ROUTED, thread_ts="3.0"), False),
    ("a bot's reply in a ticket's thread", message(ROUTED, thread_ts="1.0", bot_id="B1"), False),
    ("a channel join", message(HELP, subtype="channel_join"), False),
    ("an edit within the grace period", edit("1700000090.000100"), True),
    ("an edit after it", edit("1700000000.000100"), False),
    ("an edit of a reply in a thread", edit("1700000090.000100", thread_ts="1700000080.000100"), False),
    ("a deletion within the grace period", deletion("1700000090.000100"), True),
    ("app_home_opened", event(type="app_home_opened", user="U1"), False),
    ("Close", click(CLOSE_ACTION), True),
    ("Assign to me", click(TRIAGE_ASSIGN), True),
    ("Note (opens a modal)", click(TRIAGE_NOTE), False),
    ("a shortcut", {"type": "shortcut", "user": {"id": "U1"}}, False),
]


@pytest.mark.parametrize(("body", "recorded"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_only_what_may_write_or_post_is_recorded(body: dict[str, Any], recorded: bool) -> None:
    assert asyncio.run(intake().worth_recording(body)) is recorded
