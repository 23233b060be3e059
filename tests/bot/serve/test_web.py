from __future__ import annotations

import json
import time

import pytest

from tests.conftest import RunningBot


def test_healthz(bot: RunningBot) -> None:
    response = bot.sender.http.get(bot.url + "/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


def test_a_wrong_signature_is_refused(bot: RunningBot) -> None:
    response, _ = bot.sender.slash_command("x"), None
    assert response[0].status_code == 200
    forged = bot.sender.form({"command": "/ticket", "text": "x", "trigger_id": "1.1.trigger"}, secret="not-the-secret")
    assert forged.status_code == 401
    assert len(bot.slack.calls_to("views.open")) == 1


def test_a_stale_timestamp_is_refused(bot: RunningBot) -> None:
    replayed = bot.sender.form({"command": "/ticket", "text": "x"}, timestamp=time.time() - 600)
    assert replayed.status_code == 401


def test_an_unsigned_request_is_refused(bot: RunningBot) -> None:
    response = bot.sender.http.post(bot.url + "/slack/events", data={"command": "/ticket"})
    assert response.status_code == 401


MALFORMED: list[tuple[bytes, str]] = [
    (b"\xff\xfe not utf-8", "application/x-www-form-urlencoded"),
    (b"payload=%7Bnot-json", "application/x-www-form-urlencoded"),
    (b"payload=%5B1%2C2%5D", "application/x-www-form-urlencoded"),
    (b"hello=world", "application/x-www-form-urlencoded"),
    (b"{not json", "application/json"),
    (b"[1, 2]", "application/json"),
    (json.dumps({"type": "event_callback", "event": None}).encode(), "application/json"),
]


@pytest.mark.parametrize(("body", "content_type"), MALFORMED)
def test_malformed_bodies_get_a_4xx_and_the_server_keeps_serving(
    bot: RunningBot, body: bytes, content_type: str
) -> None:
    response = bot.sender.send(body, content_type)
    assert 400 <= response.status_code < 500
    assert bot.sender.http.get(bot.url + "/healthz").status_code == 200


def test_oversized_bodies_are_refused_before_parsing(bot: RunningBot) -> None:
    response = bot.sender.send(b"text=" + b"a" * 2_000_000, "application/x-www-form-urlencoded")
    assert response.status_code == 413


def test_an_unknown_callback_does_not_crash(bot: RunningBot) -> None:
    response = bot.sender.interaction(
        {"type": "block_actions", "user": {"id": "U100"}, "team": {"id": "T0001"}, "actions": [{"action_id": "nope"}]}
    )
    assert response.status_code in (200, 404)
    stray = bot.sender.interaction(
        {
            "type": "view_submission",
            "user": {"id": "U100"},
            "view": {"id": "V1", "type": "modal", "callback_id": "ticket_form", "private_metadata": "junk"},
        }
    )
    assert stray.status_code == 200
    assert stray.json()["response_action"] == "errors"
    shapeless = bot.sender.interaction({"type": "view_submission", "user": {"id": "U100"}, "view": {"id": "V1"}})
    assert shapeless.status_code == 400
    assert bot.sender.http.get(bot.url + "/healthz").status_code == 200
