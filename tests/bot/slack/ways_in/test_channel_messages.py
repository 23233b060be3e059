"""Help channels where every new message is a ticket (``auto_create`` routes), end to end against
the fake Slack and fake Siit: a person's message files one ticket with the channel's form; each
skip rule; the "no ticket" reaction within the grace period; "Not a ticket" afterwards; and a
burst of 200 messages files exactly 200 tickets, their confirmations paced per channel."""

from __future__ import annotations

import itertools
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from bot.domain.forms import DESCRIPTION_MAX_LENGTH
from bot.slack.ways_in.channel_messages import posted_within
from bot.testing.servers import wait_until
from tests.bot.slack.thread.test_siit_replies import FAST_POLLING
from tests.bot.slack.thread.test_ticket_threads import action_of
from tests.conftest import RunningBot, StartBot

HELP = "C0HELP0001"
ROUTED = "C0ACCESS1"  # routed, but not auto-create
_ts = itertools.count(1)
_events = itertools.count(1)


def help_desk(
    start_bot: StartBot, tmp_path: Path, *, grace: float = 0.0, coalesce: float = 0.0, **settings: Any
) -> RunningBot:
    forms = tmp_path / "forms.yml"
    forms.write_text(
        "forms: [{form_id: wa_printers, name: Printers}, {form_id: wa_access, name: Access}]\n"
        "routing:\n"
        f"  channels: {{{HELP}: {{form: wa_access, auto_create: true}}, {ROUTED}: wa_access}}\n"
        f"  auto_create: {{grace_seconds: {grace}, coalesce_seconds: {coalesce}, skip_prefix: '!',"
        " no_ticket_reaction: no_entry_sign}\n"
    )
    bot = start_bot(forms_file=forms, siit_services="", **settings)
    bot.slack.member_channels.update({HELP, ROUTED})
    wait_until(lambda: len(bot.siit.calls_to("GET", "/v1/services")) >= 2, what="form cache warm-up")
    return bot


def post(bot: RunningBot, text: str, *, channel: str = HELP, user: str = "U100", **extra: Any) -> dict[str, Any]:
    """A message as Slack stores it and sends it (``message.channels``); the event."""
    ts = extra.pop("ts", None) or f"{time.time() + next(_ts) / 1e6:.6f}"
    bot.slack.seed_message(channel, ts, user=user, text=text, thread_ts=extra.get("thread_ts"))
    event = {"type": "message", "channel": channel, "user": user, "text": text, "ts": ts, **extra}
    send(bot, event)
    return event


def send(bot: RunningBot, event: dict[str, Any], *, retry_num: int | None = None, event_id: str | None = None) -> None:
    response = bot.sender.event(event, event_id=event_id or f"EvMsg{next(_events)}", retry_num=retry_num)
    assert response.status_code == 200


def confirmation(bot: RunningBot, event: dict[str, Any]) -> dict[str, Any] | None:
    replies = [m for m in bot.slack.thread(event["channel"], event["ts"]) if m.get("blocks")]
    return replies[0] if replies else None


def test_a_new_message_files_one_ticket_with_the_channels_form_and_offers_not_a_ticket(
    start_bot: StartBot, tmp_path: Path
) -> None:
    bot = help_desk(start_bot, tmp_path)
    log = {"name": "vpn.log", "permalink": "https://files.slack.com/T1/vpn.log"}
    event = post(bot, "VPN is down\nSince 9am, error 809", subtype="file_share", files=[log])
    send(bot, event, retry_num=1)  # Slack's retry of the same message
    wait_until(lambda: confirmation(bot, event), what="the confirmation in the thread")
    [created] = bot.siit.requests
    assert created["title"] == "VPN is down"
    assert (
        created["description"] == "VPN is down\nSince 9am, error 809\n[file] vpn.log https://files.slack.com/T1/vpn.log"
    )
    assert created["target"] == "wa_access"
    assert created["requested_by"] == "u_ada"
    message = confirmation(bot, event)
    assert message is not None
    buttons = {e["action_id"] for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]}
    assert buttons == {"ticket_add_details", "ticket_close", "ticket_withdraw"}
    assert len(bot.siit.calls_to("POST", "/v1/requests")) == 1


@pytest.mark.parametrize(
    "case",
    ["bot", "thread reply", "broadcast reply", "edit", "join", "greeting", "thanks", "skip prefix", "other channel"],
)
def test_messages_that_are_not_tickets_file_nothing(start_bot: StartBot, tmp_path: Path, case: str) -> None:
    bot = help_desk(start_bot, tmp_path)
    root = post(bot, "!not this one either")  # the skip prefix: a thread to reply in
    if case == "bot":
        post(bot, "Deploy finished: printer service restarted", bot_id="B999")
    elif case == "thread reply":
        post(bot, "Still broken here too", thread_ts=root["ts"])
    elif case == "broadcast reply":
        post(bot, "Still broken here too", thread_ts=root["ts"], subtype="thread_broadcast")
    elif case == "edit":
        edited = {"type": "message", "user": "U100", "text": "Printer broken", "ts": root["ts"]}
        send(bot, {"type": "message", "subtype": "message_changed", "channel": HELP, "message": edited})
    elif case == "join":
        post(bot, "<@U100> has joined the channel", subtype="channel_join")
    elif case == "greeting":
        post(bot, "Hi team :wave:")
    elif case == "thanks":
        post(bot, "Thanks so much <@U900>!! :pray:")
    elif case == "skip prefix":
        post(bot, "!fyi the printer on floor 3 is fixed")
    else:
        post(bot, "Printer on floor 2 is broken", channel=ROUTED)
    marker = post(bot, "Need access to Figma")
    wait_until(lambda: confirmation(bot, marker), what="the marker's ticket")
    time.sleep(0.3)
    assert [r["title"] for r in bot.siit.requests] == ["Need access to Figma"]


def test_the_no_ticket_reaction_within_the_grace_period_withdraws_it(start_bot: StartBot, tmp_path: Path) -> None:
    # A grace period far longer than sending three messages and three reactions takes even on a
    # loaded machine: the rule is tested, not a race with the clock (the rule's edge is tested on
    # the pure ``_within`` below).
    bot = help_desk(start_bot, tmp_path, grace=5.0, agent_slack_ids="U900")
    first = post(bot, "Laptop fan is loud")
    second = post(bot, "Monitor flickers")
    third = post(bot, "Keyboard missing keys", user="U300")
    bot.sender.reaction(first, user="U100", reaction="no_entry_sign", event_id="EvR1")  # its author
    bot.sender.reaction(second, user="U555", reaction="no_entry_sign", event_id="EvR2")  # a stranger: ignored
    bot.sender.reaction(third, user="U900", reaction="no_entry_sign", event_id="EvR3")  # an agent
    assert bot.siit.requests == []  # nothing filed during the grace period
    wait_until(lambda: confirmation(bot, second), timeout=30, what="the second message filed after the grace period")
    time.sleep(1.0)
    assert [r["title"] for r in bot.siit.requests] == ["Monitor flickers"]
    late = post(bot, "Mouse is dead")  # a reaction after the ticket is filed changes nothing
    wait_until(lambda: confirmation(bot, late), timeout=10, what="the late message filed")
    bot.sender.reaction(late, user="U100", reaction="no_entry_sign", event_id="EvR4")
    time.sleep(0.3)
    assert [r["title"] for r in bot.siit.requests] == ["Monitor flickers", "Mouse is dead"]


def test_not_a_ticket_withdraws_a_filed_ticket_for_its_author_only(start_bot: StartBot, tmp_path: Path) -> None:
    bot = help_desk(start_bot, tmp_path)
    event = post(bot, "Printer offline")
    wait_until(lambda: confirmation(bot, event), what="the confirmation")
    message = confirmation(bot, event)
    assert message is not None
    withdraw = action_of(message, "ticket_withdraw") | {"block_id": "b"}
    bot.sender.block_action(withdraw, user="U555")  # a stranger: refused, nothing reaches Siit
    bot.sender.block_action(withdraw, user="U100")
    wait_until(lambda: bot.siit.requests[0].get("status") == "archived", what="the ticket archived in Siit")
    wait_until(lambda: bot.slack.calls_to("chat.update"), what="the message updated")
    assert [c.body["status"] for c in bot.siit.calls_to("PATCH", "/v1/requests/")] == ["archived"]
    updated = str(bot.slack.calls_to("chat.update")[-1].args["blocks"])
    assert "Archived" in updated and "ticket_withdraw" not in updated and "ticket_reopen" in updated


def test_a_burst_of_200_messages_files_200_tickets_and_paces_the_confirmations(
    start_bot: StartBot, tmp_path: Path
) -> None:
    bot = help_desk(start_bot, tmp_path, siit_rate_limit=100_000, slack_channel_post_seconds=0.05)
    bot.siit.rate_limit = 100_000  # Siit's 60 a minute would make this take minutes, not change it
    bot.slack.channel_post_seconds = 0.02  # Slack refuses posts in one channel closer than this
    messages = []
    for n in range(200):
        ts = f"1800000000.{n:06d}"
        text = f"Request number {n}: the badge reader rejects my card"
        bot.slack.seed_message(HELP, ts, user="U100", text=text)
        messages.append({"type": "message", "channel": HELP, "user": "U100", "text": text, "ts": ts})
    deliveries = [(m, None, f"EvB{n}") for n, m in enumerate(messages)]
    deliveries += [(m, 1, f"EvB{n}") for n, m in enumerate(messages[:40])]  # Slack's retries
    with ThreadPoolExecutor(max_workers=16) as pool:
        list(pool.map(lambda d: send(bot, d[0], retry_num=d[1], event_id=d[2]), deliveries))
    wait_until(lambda: all(confirmation(bot, m) for m in messages), timeout=60, what="200 confirmations")
    assert len(bot.siit.requests) == 200
    assert sorted(r["title"] for r in bot.siit.requests) == sorted(m["text"] for m in messages)
    assert all(len(bot.slack.thread(HELP, m["ts"])) == 1 for m in messages)
    assert bot.slack.paced_refusals == 0


def test_a_slow_helpdesk_filing_a_burst_of_messages_does_not_hold_back_a_ticket_form(
    start_bot: StartBot, tmp_path: Path
) -> None:
    """Filing a channel's message waits for the helpdesk inside its listener; forty of them
    waiting on Siit (1.5 s a ticket), more than the listener pool has workers, must not keep a
    ``/ticket`` form from opening within its trigger's 3 s (a listener holds a worker only until
    Bolt has dispatched it)."""
    bot = help_desk(start_bot, tmp_path, siit_rate_limit=100_000, listener_workers=4)
    bot.siit.rate_limit = 100_000
    bot.siit.latency = 1.5
    messages = [post(bot, f"Printer {n} on floor 3 is jammed") for n in range(40)]
    filing = lambda: bot.siit.calls_to("POST", "/v1/requests")  # noqa: E731
    wait_until(lambda: len(filing()) >= 10, what="the messages waiting on Siit")
    _, trigger = bot.sender.slash_command("my laptop will not boot")
    issued = float(trigger.split(".trigger")[0].rsplit(".", 1)[0])
    wait_until(
        lambda: any(c.args.get("trigger_id") == trigger for c in bot.slack.calls_to("views.open")),
        timeout=30,
        what="views.open for the /ticket",
    )
    opened = next(c for c in bot.slack.calls_to("views.open") if c.args.get("trigger_id") == trigger)
    assert opened.at - issued < 3.0, f"views.open {opened.at - issued:.1f} s after the click: trigger expired"
    wait_until(lambda: len(bot.siit.requests) == len(messages), timeout=30, what="the 40 tickets")


@pytest.mark.parametrize(
    ("age", "within"), [(0.0, True), (4.999, True), (5.0, True), (5.001, False), (3600.0, False), (-2.0, True)]
)
def test_the_grace_period_holds_for_a_message_up_to_its_length_old(age: float, within: bool) -> None:
    posted = 1_700_000_000.123456
    assert posted_within(f"{posted:.6f}", 5.0, now=posted + age) is within


def test_a_message_ts_that_is_not_a_time_is_never_within_the_grace_period() -> None:
    assert not posted_within("not-a-ts", 5.0, now=1_700_000_000.0)


def test_not_a_ticket_is_refused_once_an_agent_answered_and_on_a_ticket_not_filed_from_a_help_channel(
    start_bot: StartBot, tmp_path: Path
) -> None:
    bot = help_desk(start_bot, tmp_path, **FAST_POLLING)
    bot.siit.rate_limit = 10000
    bot.siit.add_user("u_greg", "greg@example.com", role="agent", full_name="Greg House", slack_user_id="U900")
    event = post(bot, "Printer offline")
    wait_until(lambda: confirmation(bot, event), what="the confirmation")
    message = confirmation(bot, event)
    assert message is not None
    withdraw = action_of(message, "ticket_withdraw") | {"block_id": "b"}
    # An agent answers in Siit (read back by polling): the ticket is no longer a mistake to erase.
    bot.siit.agent_says(bot.siit.requests[0]["_uid"], "u_greg", "Looking at it now")
    wait_until(
        lambda: any("Looking at it now" in str(m.get("text")) for m in bot.slack.thread(HELP, event["ts"])),
        timeout=20,
        what="the agent's reply in the thread",
    )
    bot.sender.block_action(withdraw, user="U100")
    wait_until(
        lambda: any(c.args.get("user") == "U100" for c in bot.slack.calls_to("chat.postEphemeral")),
        what="the author told it can no longer be withdrawn",
    )
    assert bot.siit.requests[0].get("status") != "archived"

    # A ticket filed with the ticket emoji never offered "Not a ticket": a forged click changes nothing.
    reacted = bot.slack.seed_message(ROUTED, f"{time.time():.6f}", user="U100", text="Monitor flickers")
    bot.sender.reaction(reacted, user="U100", event_id="EvReacted")
    wait_until(lambda: confirmation(bot, reacted), what="the reaction's ticket announced")
    forged = {"action_id": "ticket_withdraw", "value": f"siit|{bot.siit.requests[1]['_uid']}", "block_id": "b"}
    bot.sender.block_action(forged, user="U100")
    wait_until(
        lambda: len([c for c in bot.slack.calls_to("chat.postEphemeral") if c.args.get("user") == "U100"]) >= 2,
        timeout=15,
        what="the forged withdraw refused",
    )
    assert bot.siit.requests[1].get("status") != "archived"


def edited(bot: RunningBot, original: dict[str, Any], text: str) -> None:
    bot.slack.seed_message(original["channel"], original["ts"], user=original["user"], text=text)
    message = {**original, "text": text, "edited": {"user": original["user"], "ts": f"{time.time():.6f}"}}
    event = {
        "type": "message",
        "subtype": "message_changed",
        "hidden": True,
        "channel": original["channel"],
        "message": message,
        "previous_message": original,
        "ts": f"{time.time():.6f}",
    }
    send(bot, event)


def deleted(bot: RunningBot, original: dict[str, Any]) -> None:
    event = {
        "type": "message",
        "subtype": "message_deleted",
        "hidden": True,
        "channel": original["channel"],
        "deleted_ts": original["ts"],
        "previous_message": original,
        "ts": f"{time.time():.6f}",
    }
    send(bot, event)


def test_within_the_grace_period_a_deleted_message_is_never_filed_and_an_edited_one_is_filed_as_edited(
    start_bot: StartBot, tmp_path: Path
) -> None:
    bot = help_desk(start_bot, tmp_path, grace=3.0)
    gone = post(bot, "Laptop fan is loud")
    changed = post(bot, "Monitr flickers")
    skipped = post(bot, "VPN drops")
    marker = post(bot, "Keyboard missing keys")
    deleted(bot, gone)
    edited(bot, changed, "Monitor flickers on the 2nd floor")
    edited(bot, skipped, "!never mind, it works")
    wait_until(lambda: confirmation(bot, marker), timeout=30, what="the marker filed after the grace period")
    wait_until(lambda: confirmation(bot, changed), timeout=10, what="the edited message filed")
    time.sleep(1.0)
    assert sorted(r["title"] for r in bot.siit.requests) == [
        "Keyboard missing keys",
        "Monitor flickers on the 2nd floor",
    ]


def test_a_no_ticket_reaction_after_the_grace_period_says_the_message_is_filed_already(
    start_bot: StartBot, tmp_path: Path
) -> None:
    bot = help_desk(start_bot, tmp_path, grace=0.5)
    event = post(bot, "Printer offline")
    wait_until(lambda: confirmation(bot, event), timeout=20, what="the ticket")
    bot.sender.reaction(event, user="U100", reaction="no_entry_sign", event_id="EvLate")
    wait_until(
        lambda: any("Not a ticket" in str(c.args.get("text")) for c in bot.slack.calls_to("chat.postEphemeral")),
        what="the author told to use Not a ticket",
    )
    assert bot.siit.requests[0].get("status") != "archived"


def test_a_message_longer_than_slack_allows_is_filed_cut_to_the_limit(start_bot: StartBot, tmp_path: Path) -> None:
    bot = help_desk(start_bot, tmp_path)
    event = post(bot, "Disk full\n" + "x" * 200_000)  # only a forged or oversized event is this long
    wait_until(lambda: confirmation(bot, event), timeout=20, what="the ticket")
    [filed] = bot.siit.requests
    assert len(str(filed.get("description") or "")) <= DESCRIPTION_MAX_LENGTH
    assert filed["title"] == "Disk full"


def ticket_messages(bot: RunningBot) -> list[dict[str, Any]]:
    """The bot's messages with a ticket's buttons, in every thread of the help channel."""
    return [m for m in bot.slack.calls_to("chat.postMessage") if m.args.get("channel") == HELP and m.args.get("blocks")]


def test_one_persons_messages_within_the_window_are_one_ticket_with_all_their_text(
    start_bot: StartBot, tmp_path: Path
) -> None:
    bot = help_desk(start_bot, tmp_path, coalesce=4.0)
    start = time.time()
    first = post(bot, "VPN is down", ts=f"{start:.6f}")
    second = post(bot, "error 809 since 9am", ts=f"{start + 1:.6f}")
    send(bot, second, retry_num=1)  # Slack's retry of a joined message joins nothing twice
    other = post(bot, "Printer offline", user="U300", ts=f"{start + 1.5:.6f}")  # someone else: their own
    third = post(bot, "[file] screenshot.png", ts=f"{start + 2:.6f}")
    later = post(bot, "Also my mouse is dead", ts=f"{start + 30:.6f}")  # past the window: its own
    wait_until(lambda: confirmation(bot, first) and confirmation(bot, other), timeout=30, what="both tickets")
    wait_until(lambda: confirmation(bot, later), timeout=60, what="the late message's own ticket")
    time.sleep(1.0)
    by_title = {r["title"]: r for r in bot.siit.requests}
    assert sorted(by_title) == ["Also my mouse is dead", "Printer offline", "VPN is down"]
    assert by_title["VPN is down"]["description"] == "VPN is down\n\nerror 809 since 9am\n\n[file] screenshot.png"
    assert len(bot.siit.calls_to("POST", "/v1/requests")) == 3
    # One confirmation for the three messages, in the first one's thread.
    assert confirmation(bot, second) is None and confirmation(bot, third) is None
    assert len(ticket_messages(bot)) == 3


def test_before_filing_a_joined_message_edited_or_deleted_changes_the_ticket_and_the_next_carries_it(
    start_bot: StartBot, tmp_path: Path
) -> None:
    bot = help_desk(start_bot, tmp_path, coalesce=4.0)
    start = time.time()
    first = post(bot, "Laptop is slow", ts=f"{start:.6f}")
    typo = post(bot, "since teh update", ts=f"{start + 1:.6f}")
    oops = post(bot, "my password is hunter2", ts=f"{start + 2:.6f}")
    edited(bot, typo, "since the update")
    deleted(bot, oops)
    wait_until(lambda: confirmation(bot, first), timeout=30, what="the ticket")
    [filed] = bot.siit.requests
    assert filed["description"] == "Laptop is slow\n\nsince the update"

    # The first message deleted while its ticket waits: the next one carries the ticket.
    gone = post(bot, "Wifi keeps dropping", user="U300", ts=f"{start + 100:.6f}")
    kept = post(bot, "in building B", user="U300", ts=f"{start + 101:.6f}")
    deleted(bot, gone)
    wait_until(lambda: confirmation(bot, kept), timeout=30, what="the ticket, in the second message's thread")
    assert confirmation(bot, gone) is None
    assert [(r["title"], r["description"]) for r in bot.siit.requests[1:]] == [("in building B", "in building B")]


def test_a_message_joining_a_ticket_already_taken_for_filing_is_sent_to_it_as_a_reply(
    start_bot: StartBot, tmp_path: Path
) -> None:
    bot = help_desk(start_bot, tmp_path, coalesce=10.0)
    start = time.time() - 9.5  # the first message is almost ten seconds old: filed at once
    first = post(bot, "Printer jams on every page", ts=f"{start:.6f}")
    wait_until(lambda: bot.siit.requests, timeout=20, what="the ticket filed")
    second = post(bot, "the one on floor 3", ts=f"{start + 9:.6f}")
    wait_until(lambda: bot.siit.messages, timeout=20, what="the joined message sent as a reply")
    [ticket] = bot.siit.requests
    [reply] = bot.siit.messages
    assert reply["request_uid"] == ticket["_uid"]
    assert reply["body_text"] == "the one on floor 3" and reply["sent_by_uid"] == "u_ada"
    assert ticket["description"] == "Printer jams on every page"
    wait_until(lambda: confirmation(bot, first), timeout=20, what="the one confirmation")
    assert confirmation(bot, second) is None
