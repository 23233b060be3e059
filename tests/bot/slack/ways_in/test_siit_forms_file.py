from __future__ import annotations

from pathlib import Path

from bot.testing.servers import wait_until
from tests.conftest import StartBot

SIIT_FORMS = """
forms:
  - form_id: wa_printers
    name: Printers
    fields:
      - field_id: building
        label: Building
        type: select
        options: [North, South]
        required: true
  - form_id: wa_access
    name: Access
routing:
  channels:
    C0ACCESS1: wa_access
"""


def test_a_siit_deployment_routes_channels_and_adds_labelled_fields(start_bot: StartBot, tmp_path: Path) -> None:
    forms_file = tmp_path / "forms.yml"
    forms_file.write_text(SIIT_FORMS)
    bot = start_bot(forms_file=forms_file, siit_services="")
    wait_until(lambda: len(bot.siit.calls_to("GET", "/v1/services")) >= 2, what="form cache warm-up")

    routed = bot.open_modal("need access", channel="C0ACCESS1")
    picker = next(b for b in routed["blocks"] if b.get("block_id") == "ticket_form_picker")
    assert picker["element"]["initial_option"]["value"] == "wa_access"

    view = bot.open_modal("printer", channel="C100")
    assert "field:label:building" in {b.get("block_id") for b in view["blocks"]}
    bot.sender.submit(view, {"field:ci_floor": "2", "field:label:building": "South"})
    wait_until(lambda: bot.siit.requests, what="the Siit request")
    inputs = bot.siit.requests[0]["custom_form_inputs"]
    assert {"label": "Building", "value": "South"} in inputs
    assert {"uid": "ci_floor", "value": 2} in inputs
