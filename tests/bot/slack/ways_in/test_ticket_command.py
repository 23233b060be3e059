from __future__ import annotations

import time

from bot.testing.servers import wait_until
from bot.testing.siit_api import FakeSiit
from tests.conftest import RunningBot, StartBot


def blocks_by_id(view: dict[str, object]) -> dict[str, dict[str, object]]:
    return {b["block_id"]: b for b in view["blocks"] if isinstance(b, dict) and b.get("block_id")}  # type: ignore[attr-defined]


def test_ticket_command_opens_the_form_and_files_the_request(bot: RunningBot) -> None:
    view = bot.open_modal("printer on floor 3 jams")
    blocks = blocks_by_id(view)
    assert view["title"]["text"] == "New ticket"
    assert blocks["ticket_title"]["element"]["initial_value"] == "printer on floor 3 jams"  # type: ignore[index]
    assert blocks["ticket_form_picker"]["element"]["initial_option"]["value"] == "wa_printers"  # type: ignore[index]
    assert "field:ci_floor" in blocks and "field:ci_photo" in blocks

    response = bot.sender.submit(view, {"field:ci_floor": "3", "field:ci_model": "HP 400"})
    assert response.status_code == 200
    assert response.json()["response_action"] == "update"
    assert "Filing your ticket" in str(response.json()["view"])

    wait_until(lambda: bot.siit.requests, what="the Siit request")
    created = bot.siit.requests[0]
    assert (created["target"], created["submitted_from"], created["title"]) == (
        "wa_printers",
        "slack",
        "printer on floor 3 jams",
    )
    assert created["author"] == created["requested_by"] == "u_ada"
    assert {"uid": "ci_floor", "value": 3} in created["custom_form_inputs"]
    assert {"uid": "ci_model", "value": "HP 400"} in created["custom_form_inputs"]

    wait_until(lambda: bot.slack.calls_to("chat.postMessage"), what="the ticket message")
    message = bot.slack.calls_to("chat.postMessage")[0].args
    assert message["channel"] == "C100"
    assert "REQ-12" in message["text"]
    assert "Printer problem" in str(message["blocks"]) and "https://app.siit.io/requests/" in str(message["blocks"])
    wait_until(lambda: "Filed" in str(bot.slack.views[view["id"]]["blocks"]), what="the filed view")
    assert len(bot.siit.requests) == 1


def test_a_warm_open_costs_no_siit_call(bot: RunningBot) -> None:
    before = len(bot.siit.calls)
    bot.open_modal("x")
    bot.open_modal("y")
    assert len(bot.siit.calls) == before


def test_a_cold_cache_with_a_slow_siit_still_opens_within_the_trigger(start_bot: StartBot, fake_siit: FakeSiit) -> None:
    fake_siit.latency = 2.5
    slow = start_bot(backend_timeout_seconds=5)  # starts with an empty cache while Siit takes 2.5 s
    started = time.time()
    response, _ = slow.sender.slash_command("slow printer")
    assert response.status_code == 200
    wait_until(lambda: slow.slack.calls_to("views.open"), what="views.open")
    opened = slow.slack.calls_to("views.open")[0]
    print(f"slash command -> views.open with 2.5 s Siit latency: {(opened.at - started) * 1000:.0f} ms")
    assert opened.at - started < 1.0
    view_id = next(iter(slow.slack.views))
    assert "Loading" in str(slow.slack.views[view_id]["blocks"])
    wait_until(lambda: slow.slack.views[view_id].get("submit"), timeout=8, what="the form replacing the loading view")
    assert blocks_by_id(slow.slack.views[view_id])["ticket_title"]["element"]["initial_value"] == "slow printer"  # type: ignore[index]


def test_choosing_another_service_updates_the_modal_keeping_title_and_description(bot: RunningBot) -> None:
    view = bot.open_modal("need access")
    picked = {
        "type": "static_select",
        "selected_option": {"text": {"type": "plain_text", "text": "Access request"}, "value": "wa_access"},
    }
    response = bot.sender.block_action(
        {"action_id": "pick_form", "block_id": "ticket_form_picker", **picked},
        view=view,
        answers={"ticket_form_picker": "wa_access", "ticket_description": "to the finance drive"},
    )
    assert response.status_code == 200
    wait_until(lambda: bot.slack.calls_to("views.update"), what="views.update")
    update = bot.slack.calls_to("views.update")[0].args
    assert update["hash"] == view["hash"]
    updated = blocks_by_id(bot.slack.views[view["id"]])
    assert "field:ci_app" in updated and "field:ci_floor" not in updated
    assert updated["ticket_title"]["element"]["initial_value"] == "need access"  # type: ignore[index]
    assert updated["ticket_description"]["element"]["initial_value"] == "to the finance drive"  # type: ignore[index]


def test_selects_with_more_than_100_options_are_served_filtered(start_bot: StartBot, fake_siit: FakeSiit) -> None:
    fake_siit.services["wa_printers"] = {
        "uid": "wa_printers",
        "name": "Office moves",
        "custom_form_input_configuration": [
            {"uid": "ci_office", "label": "Office", "kind": "select", "options": [f"Office {i}" for i in range(250)]}
        ],
    }
    fresh = start_bot()
    view = fresh.open_modal()
    element = blocks_by_id(view)["field:ci_office"]["element"]
    assert element["type"] == "external_select"  # type: ignore[index]
    response = fresh.sender.block_suggestion(view, "field:ci_office", "office 24")
    assert response.status_code == 200
    values = [o["value"] for o in response.json()["options"]]
    assert values == ["Office 24"] + [f"Office {i}" for i in range(240, 250)]
