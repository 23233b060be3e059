from __future__ import annotations

import json
import time
from typing import Any

from bot.testing.servers import wait_until
from bot.testing.slack_api import mint_trigger_id
from tests.conftest import RunningBot


def button_in(blocks: list[dict[str, Any]]) -> dict[str, Any]:
    return next(e for b in blocks if b["type"] == "actions" for e in b["elements"])


def form_title(bot: RunningBot, before: int) -> str:
    wait_until(lambda: len(bot.slack.calls_to("views.open")) > before, what="views.open")
    view_id = max(bot.slack.views)
    wait_until(lambda: bot.slack.views[view_id].get("submit") is not None, what="the form view")
    title = next(b for b in bot.slack.views[view_id]["blocks"] if b.get("block_id") == "ticket_title")
    return str(title["element"].get("initial_value", ""))


def test_an_expired_trigger_keeps_what_was_typed_behind_a_button(bot: RunningBot) -> None:
    stale = mint_trigger_id(issued_at=time.time() - 10)
    response, _ = bot.sender.slash_command(
        "vpn drops every hour", trigger_id=stale, response_url=bot.slack.response_url("cmd")
    )
    assert response.status_code == 200
    wait_until(lambda: bot.slack.responses, what="the answer on the response URL")
    answer = bot.slack.responses[0]
    assert answer["response_type"] == "ephemeral" and answer["key"] == "cmd"
    assert "too slow" in answer["text"] and "kept" in answer["text"]
    button = button_in(answer["blocks"])
    assert button["text"]["text"] == "Open the form"

    before = len(bot.slack.calls_to("views.open"))
    bot.sender.block_action({"action_id": button["action_id"], "block_id": "b", "value": button["value"]})
    assert form_title(bot, before) == "vpn drops every hour"


def test_an_expired_trigger_of_the_global_shortcut_sends_the_button_by_dm(bot: RunningBot) -> None:
    response = bot.sender.global_shortcut(trigger_id=mint_trigger_id(issued_at=time.time() - 10))
    assert response.status_code == 200
    wait_until(lambda: bot.slack.calls_to("chat.postMessage"), what="the DM")
    dm = bot.slack.calls_to("chat.postMessage")[0].args
    assert dm["channel"] == "U100"
    button = button_in(dm["blocks"] if isinstance(dm["blocks"], list) else json.loads(dm["blocks"]))

    before = len(bot.slack.calls_to("views.open"))
    bot.sender.block_action({"action_id": button["action_id"], "block_id": "b", "value": button["value"]})
    assert form_title(bot, before) == ""
    assert bot.slack.responses == []


def test_a_button_clicked_too_late_again_offers_the_same_draft(bot: RunningBot) -> None:
    response, _ = bot.sender.slash_command(
        "badge reader dead",
        trigger_id=mint_trigger_id(issued_at=time.time() - 10),
        response_url=bot.slack.response_url("cmd"),
    )
    assert response.status_code == 200
    wait_until(lambda: bot.slack.responses, what="the first answer")
    first = button_in(bot.slack.responses[0]["blocks"])

    bot.sender.block_action(
        {"action_id": first["action_id"], "block_id": "b", "value": first["value"]},
        trigger_id=mint_trigger_id(issued_at=time.time() - 10),
        response_url=bot.slack.response_url("click"),
    )
    wait_until(lambda: len(bot.slack.responses) == 2, what="the second answer")
    again = bot.slack.responses[1]
    assert again["key"] == "click" and button_in(again["blocks"])["value"] == first["value"]

    before = len(bot.slack.calls_to("views.open"))
    bot.sender.block_action({"action_id": first["action_id"], "block_id": "b", "value": first["value"]})
    assert form_title(bot, before) == "badge reader dead"
