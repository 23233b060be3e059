"""``python -m bot.testing [--suptask FORMS_FILE]``: try the app without a Slack workspace or a
helpdesk account. Serves the fake Slack (Web API and Socket Mode) and a fake Siit (two sample
services) or a fake Suptask (the forms of FORMS_FILE), prints the settings that point the app at
them, then, once the app has connected, runs ``/ticket``, fills the form's required fields,
submits it, and prints what the helpdesk received and the ticket message Slack got."""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import sys
import time
from pathlib import Path
from typing import Any

from bot.config.forms_file import FormsFileError, load_forms_file
from bot.testing.servers import ServerLoop, wait_until
from bot.testing.siit_api import FakeSiit
from bot.testing.siit_data import ACCESS_SERVICE, PRINTER_SERVICE, REQUESTER
from bot.testing.slack_api import APP_TOKEN, TEAM_ID, FakeSlack, mint_trigger_id
from bot.testing.slack_ui import state_for
from bot.testing.suptask_api import FakeSuptask

BOT_TOKEN = "xoxb-fake-workspace-token"
HELPDESK_TOKEN = "fake-helpdesk-token"
CHANNEL = "C100"


def answer(element: dict[str, Any]) -> Any:
    """A valid answer for a required input, by element type."""
    kind = element["type"]
    if kind == "number_input":
        return str(element.get("min_value") or "1").removesuffix(".0")
    if kind in ("static_select", "radio_buttons"):
        return element["options"][0]["value"]
    if kind in ("multi_static_select", "checkboxes"):
        return [element["options"][0]["value"]]
    if kind == "datepicker":
        return dt.date.today().isoformat()
    if kind == "users_select":
        return REQUESTER[0]
    if kind == "multi_users_select":
        return [REQUESTER[0]]
    return "Filled in by python -m bot.testing"


def required_answers(view: dict[str, Any]) -> dict[str, Any]:
    blocks = [b for b in view.get("blocks", []) if b.get("type") == "input" and not b.get("optional")]
    return {b["block_id"]: answer(b["element"]) for b in blocks if b["block_id"] != "ticket_title"}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.testing", description=__doc__)
    parser.add_argument("--suptask", type=Path, metavar="FORMS_FILE", help="a fake Suptask with these forms")
    parser.add_argument("--wait", type=float, default=300, help="seconds to wait for the app to connect")
    options = parser.parse_args(argv)
    loop = ServerLoop()
    slack = FakeSlack(token=BOT_TOKEN, member_channels={CHANNEL})
    slack.add_user(REQUESTER[0], email=REQUESTER[1], name="Ada Lovelace")
    slack_url = loop.serve(slack.asgi()).url
    slack.url = slack_url  # type: ignore[attr-defined]  # the fake hands out ws:// URLs under it
    env = {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_APP_TOKEN": APP_TOKEN, "SLACK_API_URL": slack_url + "/api/"}
    helpdesk: FakeSiit | FakeSuptask
    if options.suptask:
        try:
            forms_file = load_forms_file(options.suptask)
        except FormsFileError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        suptask = FakeSuptask(token=HELPDESK_TOKEN)
        suptask.forms = {
            f.form_id: {"channels": [*f.channels, CHANNEL], "fields": [x.field_id for x in f.fields]}
            for f in forms_file.forms
        }
        suptask_url = loop.serve(suptask.asgi()).url
        env |= {"TICKET_BACKEND": "suptask", "SUPTASK_API_TOKEN": HELPDESK_TOKEN, "FORMS_FILE": str(options.suptask)}
        env["SUPTASK_API_URL"] = suptask_url + "/api/v2/public"
        helpdesk = suptask
    else:
        siit = FakeSiit(token=HELPDESK_TOKEN)
        siit.services = {s["uid"]: copy.deepcopy(s) for s in (PRINTER_SERVICE, ACCESS_SERVICE)}
        siit.add_user(REQUESTER[2], REQUESTER[1], slack_user_id=REQUESTER[0])
        siit_url = loop.serve(siit.asgi()).url
        env |= {
            "SIIT_API_TOKEN": HELPDESK_TOKEN,
            "SIIT_API_URL": siit_url + "/v1",
            "SIIT_SERVICES": ",".join(siit.services),
        }
        helpdesk = siit
    print("Fakes are up. Start the app against them, in another terminal:\n")
    print("  " + " ".join(f"{name}={value}" for name, value in env.items()) + " python -m bot\n", flush=True)
    try:
        slack.socket_mode.wait_connected(timeout=options.wait)
    except AssertionError:
        print("error: the app did not connect over Socket Mode", file=sys.stderr)
        return 1
    print("The app connected. Running /ticket in #help ...", flush=True)
    command = {"team_id": TEAM_ID, "channel_id": CHANNEL, "user_id": REQUESTER[0], "command": "/ticket"}
    command |= {"text": "Printer on floor 3 jams", "trigger_id": mint_trigger_id(), "api_app_id": "A1"}
    slack.socket_mode.ack_of(slack.socket_mode.send("slash_commands", command, accepts_response_payload=True))
    wait_until(lambda: any(v.get("submit") for v in slack.views.values()), timeout=10, what="the form")
    view = next(v for v in slack.views.values() if v.get("submit"))
    print(f"The form opened with {sum(b.get('type') == 'input' for b in view['blocks'])} inputs; submitting it.")
    submission = {"type": "view_submission", "team": {"id": TEAM_ID}, "user": {"id": REQUESTER[0], "team_id": TEAM_ID}}
    submission["view"] = {**view, "state": {"values": state_for(view, required_answers(view))}}
    ack = slack.socket_mode.ack_of(slack.socket_mode.send("interactive", submission, accepts_response_payload=True))
    if (ack.get("payload") or {}).get("response_action") == "errors":
        print(f"error: the form refused the answers: {ack['payload']['errors']}", file=sys.stderr)
        return 1
    wait_until(lambda: bool(slack.calls_to("chat.postMessage")), timeout=30, what="the ticket message")
    time.sleep(0.5)
    filed = helpdesk.requests if isinstance(helpdesk, FakeSiit) else list(helpdesk.tickets.values())
    print(f"\nThe helpdesk received:\n  {filed[-1]}")
    print(f"Slack received the ticket message:\n  {slack.calls_to('chat.postMessage')[-1].args.get('text')}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
