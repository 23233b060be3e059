from __future__ import annotations

import re
from typing import Any

from bot.testing.servers import wait_until
from bot.testing.suptask_api import FakeSuptask
from bot.testing.suptask_data import HR_FORM, IMPACT_FIELD, IT_FORM, LAPTOP_FIELD, WATCHERS_FIELD
from tests.conftest import RunningBot


def blocks_by_id(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {b["block_id"]: b for b in view["blocks"] if b.get("block_id")}


def test_ticket_command_files_a_suptask_ticket(suptask_bot: RunningBot, fake_suptask: FakeSuptask) -> None:
    view = suptask_bot.open_modal("laptop will not boot", channel="C100")
    blocks = blocks_by_id(view)
    assert blocks["ticket_form_picker"]["label"]["text"] == "Form"
    assert blocks["ticket_form_picker"]["element"]["initial_option"]["value"] == IT_FORM
    answers = {
        "ticket_description": "Black screen since the update",
        f"field:{IMPACT_FIELD}": "High Business Impact",
        f"field:{LAPTOP_FIELD}": "SN-42",
        f"field:{WATCHERS_FIELD}": "U777",
    }
    assert suptask_bot.sender.submit(view, answers).json()["response_action"] == "update"
    wait_until(lambda: fake_suptask.tickets, what="the Suptask ticket")
    (ticket,) = fake_suptask.tickets.values()
    # The reference lets Suptask's "Ticket Created" webhook name a ticket whose answer was lost.
    assert re.fullmatch(
        r"laptop will not boot\n\nBlack screen since the update\n\n\(slack-ref:[0-9a-f]{32}\)", ticket["description"]
    )
    assert (ticket["formId"], ticket["requester"], ticket["requesterChannel"]) == (IT_FORM, "U100", "C100")
    assert (ticket["priority"], ticket["tags"]) == ("Medium", ["slack"])
    assert sorted(ticket["customFields"], key=lambda c: c["fieldId"]) == sorted(
        [
            {"fieldId": IMPACT_FIELD, "value": "High Business Impact"},
            {"fieldId": LAPTOP_FIELD, "value": "SN-42"},
            {"fieldId": WATCHERS_FIELD, "value": "U777"},
        ],
        key=lambda c: c["fieldId"],
    )
    wait_until(lambda: suptask_bot.slack.calls_to("chat.postMessage"), what="the ticket message")
    assert suptask_bot.slack.calls_to("chat.postMessage")[0].args["channel"] == "C100"


def test_channel_routing_opens_the_channels_form(suptask_bot: RunningBot, fake_suptask: FakeSuptask) -> None:
    suptask_bot.slack.member_channels.add("C0HRHRHR1")
    view = suptask_bot.open_modal("payslip question", channel="C0HRHRHR1")
    assert blocks_by_id(view)["ticket_form_picker"]["element"]["initial_option"]["value"] == HR_FORM
    suptask_bot.sender.submit(view, {})
    wait_until(lambda: fake_suptask.tickets, what="the Suptask ticket")
    (ticket,) = fake_suptask.tickets.values()
    assert (ticket["formId"], ticket["requesterChannel"]) == (HR_FORM, "C0HRHRHR1")


def test_a_channel_not_assigned_to_the_form_files_through_the_forms_first_channel(
    suptask_bot: RunningBot, fake_suptask: FakeSuptask
) -> None:
    view = suptask_bot.open_modal("from elsewhere", channel="C999")
    suptask_bot.sender.submit(view, {f"field:{IMPACT_FIELD}": "Low"})
    wait_until(lambda: fake_suptask.tickets, what="the Suptask ticket")
    (ticket,) = fake_suptask.tickets.values()
    assert ticket["requesterChannel"] == "C076K6Y74L1"


def test_suptasks_refusal_reaches_the_person(suptask_bot: RunningBot, fake_suptask: FakeSuptask) -> None:
    fake_suptask.forms[IT_FORM]["fields"].remove(LAPTOP_FIELD)  # the admin deleted the field in Suptask
    view = suptask_bot.open_modal("stale forms file", channel="C100")
    suptask_bot.sender.submit(view, {f"field:{IMPACT_FIELD}": "Low", f"field:{LAPTOP_FIELD}": "SN-1"})
    wait_until(lambda: "did not accept" in str(suptask_bot.slack.views[view["id"]]["blocks"]), what="the refusal")
    assert "does not belong to the form" in str(suptask_bot.slack.views[view["id"]]["blocks"])


def test_a_rate_limit_queues_the_ticket_and_delivers_it_after_the_reset(
    suptask_bot: RunningBot, fake_suptask: FakeSuptask
) -> None:
    fake_suptask.rate_limit_reset_seconds = 1
    fake_suptask.failures.append(("/ticket", 429))
    view = suptask_bot.open_modal("during a burst", channel="C100")
    suptask_bot.sender.submit(view, {f"field:{IMPACT_FIELD}": "Low"})
    wait_until(lambda: "queued" in str(suptask_bot.slack.views[view["id"]]["blocks"]), what="the queued notice")
    assert fake_suptask.tickets == {}
    wait_until(lambda: fake_suptask.tickets, timeout=10, what="delivery after the reset")
    wait_until(lambda: "Filed" in str(suptask_bot.slack.views[view["id"]]["blocks"]), what="the filed view")
    creates = fake_suptask.calls_to("POST", "/ticket")
    assert len(creates) == 2 and len(fake_suptask.tickets) == 1
    assert creates[1].at - creates[0].at >= 0.9  # waited for X-RateLimit-Reset before trying again
