from __future__ import annotations

from tests.conftest import RunningBot
from tests.fakes.servers import wait_until


def test_ticket_command_opens_the_form_and_files_the_request(bot: RunningBot) -> None:
    wait_until(lambda: len(bot.siit.calls_to("GET", "/v1/services")) == 2, what="form cache warm-up")
    view = bot.open_modal("printer on floor 3 jams")
    title = next(b for b in view["blocks"] if b.get("block_id") == "ticket_title")
    assert title["element"]["initial_value"] == "printer on floor 3 jams"

    response = bot.sender.submit(view, {"field:ci_floor": "3", "field:ci_model": "HP 400"})
    assert response.status_code == 200
    assert response.json()["response_action"] == "update"

    wait_until(lambda: bot.siit.requests, what="the Siit request")
    created = bot.siit.requests[0]
    assert created["target"] == "wa_printers"
    assert created["submitted_from"] == "slack"
    assert created["author"] == created["requested_by"] == "u_ada"
    assert {"uid": "ci_floor", "value": 3} in created["custom_form_inputs"]
    assert {"uid": "ci_model", "value": "HP 400"} in created["custom_form_inputs"]
    wait_until(lambda: bot.slack.calls_to("chat.postMessage"), what="the ticket message")
    message = bot.slack.calls_to("chat.postMessage")[0].args
    assert message["channel"] == "C100"
    assert "REQ-12" in message["text"]
