"""The triage message, for any ticket: blocks Slack accepts, the agents' four controls naming the
ticket, its status preselected when it is one of the workflow's, and the assignee shown."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st
from slack_sdk.models.blocks import Block

from bot.domain.ticket import Ticket
from bot.slack.views.ticket_message import parse_ticket_ref, thread_link
from bot.slack.views.triage_message import TRIAGE_STATUS, ticket_of_block, triage_message
from bot.testing.block_kit import view_problems

WORKFLOW = ("open", "in_progress", "waiting", "resolved")
text = st.text(st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), max_size=600)


@st.composite
def tickets(draw: st.DrawFn) -> Ticket:
    return Ticket(
        backend="siit",
        ticket_id=draw(st.from_regex(r"req_[0-9]{1,6}", fullmatch=True)),
        friendly_id=draw(text.filter(str.strip)),
        url=draw(st.none() | st.just("https://app.siit.io/requests/1")),
        title=draw(text),
        form_id="wa_1",
        form_name=draw(text),
        status=draw(st.none() | st.sampled_from([*WORKFLOW, "archived"])),
        team_id="T1",
        channel_id=draw(st.none() | st.just("C1")),
        message_ts=draw(st.none() | st.just("1700000000.000100")),
        thread_ts=None,
        requester_id="U1",
        reporter_id="U1",
        assignee_id=draw(st.none() | st.just("U9")),
        summary=draw(text),
    )


@given(tickets())
def test_any_triage_message_is_valid_and_names_its_ticket(record: Ticket) -> None:
    _, blocks = triage_message(record, workflow=WORKFLOW, helpdesk="Siit", workspace_url="https://t.slack.com/")
    as_view = {"type": "modal", "title": {"type": "plain_text", "text": "t"}, "blocks": [_dict(b) for b in blocks]}
    assert view_problems(as_view) == []
    actions = next(b for b in as_view["blocks"] if b["type"] == "actions")
    assert parse_ticket_ref(ticket_of_block(actions["block_id"])) == ("siit", record.ticket_id)
    select = next(e for e in actions["elements"] if e["action_id"] == TRIAGE_STATUS)
    chosen = (select.get("initial_option") or {}).get("value")
    assert chosen == (record.status if record.status in WORKFLOW else None)
    fields = str(as_view["blocks"][0]["fields"])
    assert ("<@U9>" in fields) == (record.assignee_id == "U9") and ("Unassigned" in fields) != (
        record.assignee_id == "U9"
    )


def _dict(block: Block) -> dict[str, object]:
    return block.to_dict()


def test_the_requesters_thread_link_opens_the_message_the_thread_starts_with() -> None:
    reacted = Ticket(
        "siit",
        "req_1",
        "REQ-1",
        None,
        "T",
        "f",
        "F",
        None,
        "T1",
        "C1",
        "1700000009.000200",
        "1700000000.000100",
        "U1",
        "U1",
    )  # the ticket message is a reply in the requester's message's thread
    assert thread_link(reacted, "https://test.slack.com/") == "https://test.slack.com/archives/C1/p1700000000000100"
    from_command = replace(reacted, thread_ts=None)  # the ticket message started the thread
    assert thread_link(from_command, "https://test.slack.com") == "https://test.slack.com/archives/C1/p1700000009000200"
    assert thread_link(reacted, None) is None
