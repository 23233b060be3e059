"""Zendesk behind the running app, over HTTP against the fake Slack and the fake Zendesk: ``/ticket``
with a Zendesk form of every field kind; a create whose answer is lost makes one ticket; the
signed webhook: replayed three times -> one thread post, a private comment never shown, a bad or
stale signature refused with nothing posted."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.testing.servers import wait_until
from bot.testing.zendesk_api import FakeZendesk
from bot.testing.zendesk_data import AGENT, EMAIL, FORM_ID, REQUESTER
from tests.conftest import ZENDESK_TOKEN as TOKEN
from tests.conftest import RunningBot, StartBot

SECRET = "zendesk-webhook-secret-0123456789"


@pytest.fixture
def zendesk_bot(start_bot: StartBot, fake_zendesk: FakeZendesk, tmp_path: Path) -> RunningBot:
    bot = start_bot(
        ticket_backend="zendesk",
        zendesk_api_url=fake_zendesk.url + "/api/v2",  # type: ignore[attr-defined]
        zendesk_email=EMAIL,
        zendesk_api_token=TOKEN,
        zendesk_forms=str(FORM_ID),
        zendesk_webhook_secret=SECRET,
        forms_file=tmp_path / "none.yml",
    )
    wait_until(lambda: fake_zendesk.calls_to("GET", "/ticket_forms"), what="the form cache warm-up")
    return bot


def file_ticket(bot: RunningBot, zendesk: FakeZendesk, answers: dict[str, Any]) -> dict[str, Any]:
    view = bot.open_modal("Laptop will not boot", user=REQUESTER[0])
    assert bot.sender.submit(view, answers, user=REQUESTER[0]).status_code == 200
    wait_until(lambda: zendesk.tickets, what="the Zendesk ticket")
    wait_until(lambda: bot.slack.calls_to("chat.postMessage"), what="the ticket message")
    return zendesk.tickets[-1]


EVERY_KIND = {
    "ticket_description": "Black screen since the update",
    "field:101": "TAG-7",
    "field:102": "1. Power on\n2. Nothing",
    "field:103": "3",
    "field:104": "12.5",
    "field:105": "hardware",
    "field:106": ["vpn", "mail"],
    "field:107": ["true"],
    "field:108": "2026-12-24",
    "field:109": "E1234",
}


def test_ticket_command_files_a_zendesk_ticket_with_a_field_of_every_kind(
    zendesk_bot: RunningBot, fake_zendesk: FakeZendesk
) -> None:
    ticket = file_ticket(zendesk_bot, fake_zendesk, EVERY_KIND)
    assert ticket["subject"] == "Laptop will not boot"
    assert ticket["description"].startswith("Black screen since the update")
    assert ticket["ticket_form_id"] == FORM_ID
    assert ticket["requester"] == {"name": REQUESTER[2], "email": REQUESTER[1]}
    assert ticket["external_id"].startswith("slack:")
    values = {c["id"]: c["value"] for c in ticket["custom_fields"]}
    assert values == {
        101: "TAG-7",
        102: "1. Power on\n2. Nothing",
        103: 3,
        104: 12.5,
        105: "hardware",
        106: ["vpn", "mail"],
        107: True,
        108: "2026-12-24",
        109: "E1234",
    }
    [create] = fake_zendesk.calls_to("POST", "/tickets")
    assert create.headers.get("idempotency-key") == ticket["external_id"].removeprefix("slack:")
    posted = zendesk_bot.slack.calls_to("chat.postMessage")[0].args
    assert f"#{ticket['id']}" in str(posted)


def test_zendesks_refusal_reaches_the_person_in_its_own_words(
    zendesk_bot: RunningBot, fake_zendesk: FakeZendesk
) -> None:
    view = zendesk_bot.open_modal("Badge", user=REQUESTER[0])
    answers = {**EVERY_KIND, "field:109": "nope"}
    assert zendesk_bot.sender.submit(view, answers, user=REQUESTER[0]).status_code == 200
    wait_until(lambda: "expected format" in str(zendesk_bot.slack.views), what="Zendesk's reason shown")
    assert fake_zendesk.tickets == []


def test_a_create_whose_answer_is_lost_makes_one_ticket(zendesk_bot: RunningBot, fake_zendesk: FakeZendesk) -> None:
    fake_zendesk.after_create.append(503)
    ticket = file_ticket(zendesk_bot, fake_zendesk, EVERY_KIND)
    time.sleep(0.5)
    assert len(fake_zendesk.tickets) == 1
    keys = {c.headers.get("idempotency-key") for c in fake_zendesk.calls_to("POST", "/tickets")}
    assert keys == {ticket["external_id"].removeprefix("slack:")}
    assert len(zendesk_bot.slack.calls_to("chat.postMessage")) == 1


def deliver(bot: RunningBot, body: bytes, headers: dict[str, str]) -> int:
    return httpx.post(bot.url + "/webhooks/zendesk", content=body, headers=headers, timeout=10).status_code


def thread_lines(bot: RunningBot) -> list[str]:
    return [str(c.args.get("text")) for c in bot.slack.calls_to("chat.postMessage") if c.args.get("thread_ts")]


def test_the_webhook_brings_an_agents_reply_back_once_and_never_a_private_comment(
    zendesk_bot: RunningBot, fake_zendesk: FakeZendesk
) -> None:
    ticket = file_ticket(zendesk_bot, fake_zendesk, EVERY_KIND)
    staff = {"id": 9001, "name": AGENT[2], "is_staff": True}
    note = {"comment": {"id": "c1", "body": "Internal: check the warranty", "is_public": False, "author": staff}}
    reply = {"comment": {"id": "c2", "body": "Please hold the power button 10 s", "is_public": True, "author": staff}}
    body, headers = fake_zendesk.event(SECRET, "comment_added", str(ticket["id"]), note)
    assert deliver(zendesk_bot, body, headers) == 200
    body, headers = fake_zendesk.event(SECRET, "comment_added", str(ticket["id"]), reply)
    for _ in range(3):  # Zendesk resends a delivery it did not see answered
        assert deliver(zendesk_bot, body, headers) == 200
    wait_until(lambda: any("power button" in line for line in thread_lines(zendesk_bot)), what="the agent's reply")
    time.sleep(0.5)
    lines = thread_lines(zendesk_bot)
    assert sum("power button" in line for line in lines) == 1
    assert not any("warranty" in line for line in lines)


def test_a_status_change_comes_back_and_a_bad_or_stale_signature_is_refused(
    zendesk_bot: RunningBot, fake_zendesk: FakeZendesk
) -> None:
    ticket = file_ticket(zendesk_bot, fake_zendesk, EVERY_KIND)
    solved = {"previous": "OPEN", "current": "SOLVED"}
    body, headers = fake_zendesk.event(SECRET, "status_changed", str(ticket["id"]), solved)
    forged = {
        **headers,
        "X-Zendesk-Webhook-Signature": fake_zendesk.signed("not-the-secret-at-all!", body)[
            "X-Zendesk-Webhook-Signature"
        ],
    }
    stale = fake_zendesk.signed(SECRET, body, at=datetime.now(UTC) - timedelta(minutes=10))
    assert deliver(zendesk_bot, body, forged) == 401
    assert deliver(zendesk_bot, body, stale) == 401
    assert deliver(zendesk_bot, body, {**headers, "X-Zendesk-Webhook-Signature": ""}) == 401
    time.sleep(0.3)
    assert not any("olved" in line for line in thread_lines(zendesk_bot))
    assert deliver(zendesk_bot, body, headers) == 200
    wait_until(lambda: any("olved" in line for line in thread_lines(zendesk_bot)), what="the status line")
