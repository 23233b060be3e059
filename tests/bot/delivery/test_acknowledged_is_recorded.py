"""What the app acknowledges, it has recorded: the app as a real process over HTTP, killed with
SIGKILL after Slack's requests were acknowledged, then restarted. Slack never sends an
acknowledged request again, so each must be acted on exactly once from what was recorded."""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.slack.views.ticket_message import CLOSE_ACTION
from bot.testing.servers import wait_until
from bot.testing.siit_api import FakeSiit
from bot.testing.slack_api import APP_TOKEN, FakeSlack
from bot.testing.slack_client import SlackSender, event_envelope, reaction_event
from tests.bot.delivery.test_exactly_once import (
    all_announced,
    assert_each_filed_and_announced_once,
    database,
    link_of,
    seed_requests,
    ticket_messages,
    wait_for_announcements,
)
from tests.bot.slack.thread.test_ticket_threads import action_of
from tests.conftest import SIGNING_SECRET
from tests.fakes.bot_process import BotProcess, env_of, free_port

__all__ = ["database"]  # the fixture, shared with the exactly-once tests

Send = Callable[[SlackSender], httpx.Response]


def send_all(url: str, requests: list[Send]) -> list[bool]:
    """Each request sent once, all at the same time: whether each was acknowledged (a 200)."""
    with httpx.Client(timeout=20) as http, ThreadPoolExecutor(max_workers=16) as pool:
        sender = SlackSender(url, SIGNING_SECRET, http)

        def acknowledged(send: Send) -> bool:
            with contextlib.suppress(httpx.HTTPError):
                return send(sender).status_code == 200
            return False

        return list(pool.map(acknowledged, requests))


def reaction(message: dict[str, Any], *, retry_num: int | None = None) -> Send:
    return lambda sender: sender.reaction(message, user="U300", event_id=f"Ev{message['ts']}", retry_num=retry_num)


def kill_when(process: BotProcess, condition: Callable[[], bool]) -> Callable[[], None]:
    """A check, to be called from a fake, that kills the process the first time ``condition`` holds."""

    def check() -> None:
        if process.process.poll() is None and condition():
            os.kill(process.process.pid, signal.SIGKILL)

    return check


HELP = "C0HELP0001"


def help_channel_forms(tmp_path: Path) -> Path:
    forms = tmp_path / "forms.yml"
    forms.write_text(
        "forms: [{form_id: wa_printers, name: Printers}, {form_id: wa_access, name: Access}]\n"
        "routing:\n"
        f"  channels: {{{HELP}: {{form: wa_access, auto_create: true}}, C100: wa_printers}}\n"
        "  auto_create: {grace_seconds: 0, coalesce_seconds: 0}\n"
    )
    return forms


def help_message(slack: FakeSlack, i: int) -> dict[str, Any]:
    return slack.seed_message(HELP, f"{1_700_100_000 + i}.000200", user="U100", text=f"VPN {i} drops\nSince today.")


def new_message(message: dict[str, Any], *, retry_num: int | None = None) -> Send:
    event = {"type": "message", "channel": message["channel"], "user": "U100", "text": message["text"]}
    event["ts"] = message["ts"]
    return lambda sender: sender.event(event, event_id=f"EvM{message['ts']}", retry_num=retry_num)


def thread_reply(root: dict[str, Any], i: int, *, retry_num: int | None = None) -> Send:
    ts = f"{float(root['ts']) + 100:.6f}"
    event = {"type": "message", "channel": root["channel"], "user": "U100", "text": f"more details {i}"}
    event.update(ts=ts, thread_ts=root["ts"])
    return lambda sender: sender.event(event, event_id=f"EvR{ts}", retry_num=retry_num)


def close_click(ticket_uid: str) -> Send:
    return lambda sender: sender.block_action({"action_id": CLOSE_ACTION, "value": f"siit|{ticket_uid}"})


def uid_of(siit: FakeSiit, message: dict[str, Any]) -> str:
    links = ("slack_message_link", "slack_direct_link")
    return str(next(r["_uid"] for r in list(siit.requests) if link_of(message) in {str(r.get(k)) for k in links}))


@pytest.mark.parametrize(
    ("database", "kill_after"),
    [("sqlite", 3), ("sqlite", 10), ("sqlite", 20), ("postgresql", 5), ("postgresql", 20)],
    indirect=["database"],
)
def test_a_mixed_burst_acknowledged_before_a_sigkill_is_acted_on_exactly_once_after_restart(
    bot_settings: dict[str, Any],
    database: str,
    fake_slack: FakeSlack,
    fake_siit: FakeSiit,
    tmp_path: Path,
    processes: list[BotProcess],
    kill_after: int,
) -> None:
    fake_slack.member_channels.add(HELP)
    fake_siit.rate_limit = 1000
    env = env_of(
        bot_settings,
        port=free_port(),
        database_url=database,
        delivery_lease_seconds=2,
        siit_rate_limit=1000,
        forms_file=help_channel_forms(tmp_path),
        siit_services="",
    )
    first = BotProcess(env, tmp_path)
    processes.append(first)
    wait_until(lambda: len(fake_siit.calls_to("GET", "/v1/services")) >= 2, what="warm-up")
    # Twenty tickets already filed: ten get a reply in their thread, ten a Close click.
    existing = seed_requests(fake_slack, 50)
    earlier, reacted = existing[:20], existing[20:]
    assert all(send_all(first.url, [reaction(m) for m in earlier]))
    wait_until(lambda: all_announced(fake_slack, earlier), timeout=120, what="the twenty tickets filed first")
    before = len(fake_siit.requests)
    help_messages = [help_message(fake_slack, i) for i in range(30)]
    burst = [
        *[reaction(m) for m in reacted],
        *[new_message(m) for m in help_messages],
        *[thread_reply(root, i) for i, root in enumerate(earlier[:10])],
        *[close_click(uid_of(fake_siit, m)) for m in earlier[10:]],
    ]
    retries = [
        *[reaction(m, retry_num=1) for m in reacted],
        *[new_message(m, retry_num=1) for m in help_messages],
        *[thread_reply(root, i, retry_num=1) for i, root in enumerate(earlier[:10])],
        *[None] * 10,  # Slack does not send a click again: the person sees it failed
    ]
    fake_slack.on_call = kill_when(first, lambda: len(fake_siit.requests) >= before + kill_after)
    acknowledged = send_all(first.url, burst)
    wait_until(lambda: first.process.poll() is not None, timeout=30, what="the kill")
    fake_slack.on_call = None
    filed_before_the_kill = len(fake_siit.requests) - before

    second = BotProcess(env, tmp_path)
    processes.append(second)
    send_all(second.url, [r for r, ok in zip(retries, acknowledged, strict=True) if r is not None and not ok])
    tickets = [*reacted, *help_messages]
    acted_on = [i for i, ok in enumerate(acknowledged) if ok]
    clicked = [m for m, ok in zip(earlier[10:], acknowledged[-10:], strict=True) if ok]

    def replies() -> Counter[str]:
        return Counter(str(m.get("body_text") or m.get("body_markdown")) for m in list(fake_siit.messages))

    def closed() -> list[str]:
        uids = [uid_of(fake_siit, m) for m in clicked]
        return [uid for uid in uids if (fake_siit.request(uid) or {}).get("status") == "resolved"]

    wait_for_announcements(fake_slack, tickets, timeout=120)  # a loaded machine is slow, not wrong
    with contextlib.suppress(AssertionError):
        wait_until(lambda: len(replies()) >= 10 and len(closed()) >= len(clicked), timeout=60, what="the rest")
    time.sleep(3)  # longer than a lease: nothing is done again
    assert filed_before_the_kill < 60, "the kill came too late to test anything"
    assert len(acted_on) > filed_before_the_kill, "nothing acknowledged was left undone at the kill"
    # The twenty filed before the burst are counted with the burst's sixty: each message once.
    assert_each_filed_and_announced_once(fake_slack, fake_siit, [*earlier, *tickets])
    assert replies() == Counter({f"more details {i}": 1 for i in range(10)})
    assert len(closed()) == len(clicked)  # every acknowledged click, once
    # Each close told once in its thread (Siit may be asked twice: a close cut off mid-call is sent
    # again, and asking for the status a ticket has changes nothing).
    status_lines = [[m for m in fake_slack.thread("C100", c["ts"]) if "Status:" in str(m.get("text"))] for c in clicked]
    assert [len(lines) for lines in status_lines] == [1] * len(clicked)


def reaction_envelope(message: dict[str, Any]) -> dict[str, Any]:
    return event_envelope(reaction_event(message), event_id=f"Ev{message['ts']}")


def test_socket_mode_envelopes_acknowledged_before_a_sigkill_are_each_filed_and_announced_once_after_restart(
    bot_settings: dict[str, Any],
    fake_slack: FakeSlack,
    fake_siit: FakeSiit,
    tmp_path: Path,
    processes: list[BotProcess],
) -> None:
    messages = seed_requests(fake_slack, 30)
    fake_siit.rate_limit = 1000
    env = env_of(
        bot_settings,
        port=free_port(),
        delivery_lease_seconds=2,
        siit_rate_limit=1000,
        slack_app_token=APP_TOKEN,
        socket_ping_seconds=0.5,
    )
    env.pop("SLACK_SIGNING_SECRET")  # Socket Mode: nothing is signed
    socket = fake_slack.socket_mode
    first = BotProcess(env, tmp_path)
    processes.append(first)
    socket.wait_connected()
    wait_until(lambda: len(fake_siit.calls_to("GET", "/v1/services")) >= 2, what="warm-up")
    fake_slack.on_call = kill_when(first, lambda: len(fake_siit.requests) >= 10)
    envelopes = {socket.send("events_api", reaction_envelope(m)): m for m in messages}
    wait_until(lambda: first.process.poll() is not None, timeout=30, what="the kill")
    fake_slack.on_call = None
    filed_before_the_kill = len(fake_siit.requests)
    acknowledged = [envelope_id in socket.acks for envelope_id in envelopes]

    processes.append(BotProcess(env, tmp_path))
    socket.wait_connected(connections=2)
    for envelope_id, message in envelopes.items():  # Slack sends again what was not acknowledged
        if envelope_id not in socket.acks:
            socket.send("events_api", reaction_envelope(message))
    wait_for_announcements(fake_slack, messages, timeout=120)
    time.sleep(3)
    assert filed_before_the_kill < 30, "the kill came too late to test anything"
    assert sum(acknowledged) > filed_before_the_kill, "no acknowledged envelope was left unfiled at the kill"
    assert_each_filed_and_announced_once(fake_slack, fake_siit, messages)


def test_a_kill_as_a_close_is_told_in_its_thread_leaves_one_status_line_after_restart(
    bot_settings: dict[str, Any],
    fake_slack: FakeSlack,
    fake_siit: FakeSiit,
    tmp_path: Path,
    processes: list[BotProcess],
) -> None:
    (message,) = seed_requests(fake_slack, 1)
    env = env_of(bot_settings, port=free_port(), delivery_lease_seconds=1)
    first = BotProcess(env, tmp_path)
    processes.append(first)
    wait_until(lambda: len(fake_siit.calls_to("GET", "/v1/services")) >= 2, what="warm-up")
    assert all(send_all(first.url, [reaction(message)]))
    wait_until(lambda: all_announced(fake_slack, [message]), what="the ticket")

    def kill_at_the_status_line() -> bool:
        last = fake_slack.calls[-1]
        if last.method == "chat.postMessage" and "Status:" in str(last.args.get("text")):
            os.kill(first.process.pid, signal.SIGKILL)
            return True  # the line never reaches Slack
        return False

    fake_slack.on_call = kill_at_the_status_line
    assert all(send_all(first.url, [close_click(uid_of(fake_siit, message))]))
    wait_until(lambda: first.process.poll() is not None, timeout=20, what="the kill at the status line")
    fake_slack.on_call = None

    processes.append(BotProcess(env, tmp_path))

    def status_lines() -> list[dict[str, Any]]:
        return [m for m in fake_slack.thread("C100", message["ts"]) if "Status:" in str(m.get("text"))]

    wait_until(lambda: status_lines(), timeout=30, what="the status line after the restart")
    time.sleep(2)  # past another lease: it is not posted twice
    assert len(status_lines()) == 1


def test_a_kill_after_a_reply_is_shown_in_its_thread_leaves_one_added_line_after_restart(
    bot_settings: dict[str, Any],
    fake_slack: FakeSlack,
    fake_siit: FakeSiit,
    tmp_path: Path,
    processes: list[BotProcess],
) -> None:
    """A reply from the modal is made in Siit, shown in the thread ("added: ..."), then the modal is
    updated. Killed between the two, the restarted app tells the reply again: it finds its line
    (by its metadata) and does not post a second one."""
    (message,) = seed_requests(fake_slack, 1)
    env = env_of(bot_settings, port=free_port(), delivery_lease_seconds=1)
    first = BotProcess(env, tmp_path)
    processes.append(first)
    wait_until(lambda: len(fake_siit.calls_to("GET", "/v1/services")) >= 2, what="warm-up")
    assert all(send_all(first.url, [reaction(message)]))
    wait_until(lambda: all_announced(fake_slack, [message]), what="the ticket")
    [ticket] = ticket_messages(fake_slack, message)
    opened = len(fake_slack.calls_to("views.open"))
    with httpx.Client(timeout=20) as http:
        sender = SlackSender(first.url, SIGNING_SECRET, http)
        sender.block_action(action_of(ticket, "ticket_add_details") | {"block_id": "b"})
        wait_until(lambda: len(fake_slack.calls_to("views.open")) > opened, what="the reply modal")
        view = fake_slack.views[max(fake_slack.views)]

        def added_lines() -> list[dict[str, Any]]:
            return [m for m in fake_slack.thread("C100", message["ts"]) if "added:" in str(m.get("text"))]

        def kill_after_the_line() -> bool:
            if fake_slack.calls[-1].method == "views.update" and added_lines():
                os.kill(first.process.pid, signal.SIGKILL)
                return True  # the modal never hears: the reply is told again after the restart
            return False

        fake_slack.on_call = kill_after_the_line
        sender.submit(view, {"reply_text": "Model HP 400, tray 2"})
        wait_until(lambda: first.process.poll() is not None, timeout=20, what="the kill after the added line")
    fake_slack.on_call = None
    told = len(fake_slack.calls_to("views.update"))

    processes.append(BotProcess(env, tmp_path))
    wait_until(lambda: len(fake_slack.calls_to("views.update")) > told, timeout=30, what="the reply told again")
    time.sleep(2)  # past another lease: it is not told a third time
    assert len(added_lines()) == 1
    assert len(fake_siit.messages) == 1  # made once in Siit
