from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest

from bot.testing.servers import wait_until
from bot.testing.suptask_api import FakeSuptask
from bot.testing.suptask_data import IMPACT_FIELD
from tests.conftest import RunningBot, StartBot

HR_CHANNEL = "C0HRHRHR1"  # routed to the HR form, so a reaction there files a ticket

_ts = itertools.count(100)


def file_ticket(bot: RunningBot, answers: dict[str, Any] | None = None) -> dict[str, Any]:
    """File a ticket through /ticket; returns the ticket message as the fake Slack stores it."""
    view = bot.open_modal("printer jams")
    bot.sender.submit(view, answers if answers is not None else {"field:ci_floor": "3"})
    # The filed view comes after the ticket's thread is recorded.
    wait_until(lambda: "Filed" in str(bot.slack.views[view["id"]]["blocks"]), what="the filed view")
    posted = bot.slack.calls_to("chat.postMessage")[0].args
    return next(m for m in bot.slack.messages.values() if m["channel"] == posted["channel"] and not m.get("thread_ts"))


def reply(bot: RunningBot, ticket: dict[str, Any], text: str, **extra: Any) -> tuple[dict[str, Any], str]:
    ts = f"1800000000.{next(_ts):06d}"
    event = {
        "type": "message",
        "channel": ticket["channel"],
        "user": "U100",
        "text": text,
        "ts": ts,
        "thread_ts": ticket["ts"],
        **extra,
    }
    return event, ts


def send(bot: RunningBot, event: dict[str, Any], event_id: str, retry_num: int | None = None) -> None:
    assert bot.sender.event(event, event_id=event_id, retry_num=retry_num).status_code == 200


def action_of(message: dict[str, Any], action_id: str) -> dict[str, Any]:
    return next(
        e for b in message["blocks"] if b["type"] == "actions" for e in b["elements"] if e["action_id"] == action_id
    )


def test_a_requesters_reply_reaches_siit_once_and_bot_messages_never(bot: RunningBot) -> None:
    ticket = file_ticket(bot)
    event, _ = reply(bot, ticket, "It still beeps")
    send(bot, event, "Ev1")
    send(bot, event, "Ev1", retry_num=1)
    send(bot, {**event, "ts": "1800000001.000001", "bot_id": "B1", "text": "bot chatter"}, "Ev2")
    wait_until(lambda: bot.siit.messages, what="the reply in Siit")
    send(bot, reply(bot, ticket, "marker")[0], "Ev3")
    wait_until(lambda: len(bot.siit.messages) == 2, what="the marker reply")
    assert [(m["body_text"], m["sent_by_uid"], m["private"]) for m in bot.siit.messages] == [
        ("It still beeps", "u_ada", False),
        ("marker", "u_ada", False),
    ]


def test_reply_policy_requester_only_by_default_and_everyone_when_configured(
    start_bot: StartBot, tmp_path: Path
) -> None:
    bot = start_bot()
    ticket = file_ticket(bot)
    other, _ = reply(bot, ticket, "me too")
    send(bot, {**other, "user": "U555"}, "Ev1")
    send(bot, reply(bot, ticket, "requester says")[0], "Ev2")
    wait_until(lambda: bot.siit.messages, what="the requester's reply")
    assert [m["body_text"] for m in bot.siit.messages] == ["requester says"]

    everyone = start_bot(reply_sync="everyone")
    send(everyone, {**reply(everyone, ticket, "a colleague adds")[0], "user": "U555"}, "Ev3")
    wait_until(lambda: len(bot.siit.messages) == 2, what="the colleague's reply")
    assert "a colleague adds" in bot.siit.messages[1]["body_text"]  # U555 has no Siit user: named in the text


def test_files_go_as_links_and_edits_as_new_replies(bot: RunningBot) -> None:
    ticket = file_ticket(bot)
    shared, _ = reply(
        bot,
        ticket,
        "screenshot",
        subtype="file_share",
        files=[{"name": "error.png", "permalink": "https://test.slack.com/files/U100/F1/error.png"}],
    )
    send(bot, shared, "Ev1")
    edited = {
        "type": "message",
        "subtype": "message_changed",
        "channel": ticket["channel"],
        "message": {**shared, "text": "screenshot attached", "edited": {"ts": "1800000009.000001"}},
        "previous_message": shared,
    }
    send(bot, edited, "Ev2")
    send(bot, edited, "Ev2", retry_num=1)
    wait_until(lambda: len(bot.siit.messages) == 2, what="the file and the edit")
    texts = sorted(m["body_text"] for m in bot.siit.messages)
    assert texts == [
        "(edited) screenshot attached\n[file] error.png https://test.slack.com/files/U100/F1/error.png",
        "screenshot\n[file] error.png https://test.slack.com/files/U100/F1/error.png",
    ]


def test_an_internal_note_goes_to_siits_notes_and_never_to_the_thread(bot: RunningBot) -> None:
    bot.slack.add_user("U400", email="it-agent@example.com", name="Ivy Agent")
    bot.siit.add_user("u_ivy", "it-agent@example.com", role="agent")  # internal notes are for agents
    ticket = file_ticket(bot)
    opened = len(bot.slack.calls_to("views.open"))
    bot.sender.block_action(action_of(ticket, "ticket_add_details") | {"block_id": "b"}, user="U400")
    wait_until(lambda: len(bot.slack.calls_to("views.open")) > opened, what="the reply modal")
    view = bot.slack.views[max(bot.slack.views)]
    thread_before = len(bot.slack.thread(ticket["channel"], ticket["ts"]))
    response = bot.sender.submit(
        view, {"reply_text": "VIP user, prioritise", "reply_visibility": "internal"}, user="U400"
    )
    assert response.json()["response_action"] == "update"
    wait_until(lambda: bot.siit.messages, what="the note in Siit")
    assert bot.siit.messages[0]["private"] is True
    assert bot.siit.messages[0]["body_markdown"] == "VIP user, prioritise"
    wait_until(lambda: "Internal note added" in str(bot.slack.views[view["id"]]["blocks"]), what="the result")
    assert len(bot.slack.thread(ticket["channel"], ticket["ts"])) == thread_before


def test_a_public_reply_from_the_modal_goes_to_siit_and_shows_in_the_thread(bot: RunningBot) -> None:
    ticket = file_ticket(bot)
    bot.sender.block_action(action_of(ticket, "ticket_add_details") | {"block_id": "b"})
    wait_until(lambda: len(bot.slack.calls_to("views.open")) == 2, what="the reply modal")
    view = bot.slack.views[max(bot.slack.views)]
    bot.sender.submit(view, {"reply_text": "Model HP 400, tray 2"})
    wait_until(lambda: bot.siit.messages, what="the reply in Siit")
    assert bot.siit.messages[0]["private"] is False
    wait_until(lambda: bot.slack.thread(ticket["channel"], ticket["ts"]), what="the reply in the thread")
    assert "Model HP 400, tray 2" in bot.slack.thread(ticket["channel"], ticket["ts"])[0]["text"]


def test_the_requester_closes_the_ticket_and_the_message_updates_in_place(bot: RunningBot) -> None:
    ticket = file_ticket(bot)
    bot.sender.block_action(action_of(ticket, "ticket_close") | {"block_id": "b"}, user="U555")
    bot.sender.block_action(action_of(ticket, "ticket_close") | {"block_id": "b"}, user="U100")
    wait_until(lambda: bot.slack.calls_to("chat.update"), what="chat.update")
    assert bot.siit.requests[0]["status"] == "resolved"
    assert len(bot.siit.calls_to("PATCH", "/v1/requests/")) == 1  # U555 was refused
    update = bot.slack.calls_to("chat.update")[0].args
    assert (update["channel"], update["ts"]) == (ticket["channel"], ticket["ts"])
    assert "Resolved" in str(update["blocks"]) and "ticket_close" not in str(update["blocks"])


def test_a_closed_ticket_is_reopened_from_its_message_by_the_people_allowed(bot: RunningBot) -> None:
    ticket = file_ticket(bot)
    bot.sender.block_action(action_of(ticket, "ticket_close") | {"block_id": "b"}, user="U100")
    wait_until(lambda: bot.slack.calls_to("chat.update"), what="the message closed")
    closed = bot.slack.calls_to("chat.update")[0].args
    reopen = next(
        e
        for b in closed["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == "ticket_reopen"
    )
    bot.sender.block_action(reopen | {"block_id": "b"}, user="U555")  # a stranger: refused
    bot.sender.block_action(reopen | {"block_id": "b"}, user="U100")
    wait_until(lambda: len(bot.slack.calls_to("chat.update")) == 2, what="the message reopened")
    assert [c.body["status"] for c in bot.siit.calls_to("PATCH", "/v1/requests/")] == ["resolved", "open"]
    assert bot.siit.requests[0]["status"] == "open"
    reopened = str(bot.slack.calls_to("chat.update")[1].args["blocks"])
    assert "Open" in reopened and "ticket_close" in reopened and "ticket_reopen" not in reopened


def test_a_siit_poll_that_sees_a_new_status_updates_the_message_once(start_bot: StartBot) -> None:
    bot = start_bot(status_poll_seconds=0.1, poll_active_seconds=0.1)
    ticket = file_ticket(bot)
    bot.siit.requests[0]["status"] = "in_progress"  # an agent picked it up in Siit
    wait_until(lambda: bot.slack.calls_to("chat.update"), what="chat.update after the poll")
    wait_until(lambda: len(bot.siit.calls_to("GET", "/v1/requests/")) >= 4, what="more polls")
    assert len(bot.slack.calls_to("chat.update")) == 1
    assert "In progress" in str(bot.slack.calls_to("chat.update")[0].args["blocks"])
    assert "In progress" in bot.slack.thread(ticket["channel"], ticket["ts"])[0]["text"]


WEBHOOK_SECRET = "hook-secret-0123456789abcdef"


@pytest.fixture
def suptask_hooked(start_suptask_bot: StartBot) -> RunningBot:
    return start_suptask_bot(suptask_webhook_secret=WEBHOOK_SECRET)


def test_suptask_webhooks_bring_agent_replies_and_status_back(
    suptask_hooked: RunningBot, fake_suptask: FakeSuptask
) -> None:
    bot = suptask_hooked
    ticket = file_ticket(bot, {f"field:{IMPACT_FIELD}": "Low"})
    ticket_id = next(iter(fake_suptask.tickets))
    url = bot.url + "/webhooks/suptask"
    hook: dict[str, Any] = {"ticket": {"id": ticket_id, "status": "In Progress"}}
    assert bot.sender.http.post(url, json=hook, headers={"X-Webhook-Secret": "wrong"}).status_code == 401
    assert bot.sender.http.post(url, json=hook).status_code == 401
    assert not bot.slack.calls_to("chat.update")

    assert bot.sender.http.post(url, json=hook, headers={"X-Webhook-Secret": WEBHOOK_SECRET}).status_code == 200
    assert "In progress" in str(bot.slack.calls_to("chat.update")[0].args["blocks"])
    answer = {
        "ticket": {"id": ticket_id},
        "reply": {"text": "Try tray 2", "username": "Greg", "channel": ["requester"]},
    }
    internal = {"ticket": {"id": ticket_id}, "reply": {"text": "user is VIP", "channel": ["responder"]}}
    for body in (answer, internal):
        assert bot.sender.http.post(url + f"?secret={WEBHOOK_SECRET}", json=body).status_code == 200
    texts = [m["text"] for m in bot.slack.thread(ticket["channel"], ticket["ts"])]
    assert any("*Greg*: Try tray 2" in t for t in texts)
    assert not any("VIP" in t for t in texts)


def test_our_own_replies_echoed_by_a_webhook_are_not_reposted(
    suptask_hooked: RunningBot, fake_suptask: FakeSuptask
) -> None:
    bot = suptask_hooked
    ticket = file_ticket(bot, {f"field:{IMPACT_FIELD}": "Low"})
    ticket_id = next(iter(fake_suptask.tickets))
    send(bot, reply(bot, ticket, "Any news?")[0], "Ev1")
    wait_until(lambda: fake_suptask.replies, what="the reply in Suptask")
    assert fake_suptask.replies[0]["channel"] == ["requester"]
    echo = {"ticket": {"id": ticket_id}, "reply": {"text": "Any news?", "username": "Ada", "channel": ["requester"]}}
    response = bot.sender.http.post(
        bot.url + "/webhooks/suptask", json=echo, headers={"X-Webhook-Secret": WEBHOOK_SECRET}
    )
    assert response.status_code == 200
    assert bot.slack.thread(ticket["channel"], ticket["ts"]) == []


def test_the_suptask_ticket_number_names_the_ticket_in_slack_once_known(
    suptask_hooked: RunningBot, fake_suptask: FakeSuptask
) -> None:
    bot = suptask_hooked
    ticket = file_ticket(bot, {f"field:{IMPACT_FIELD}": "Low"})
    ticket_id = next(iter(fake_suptask.tickets))
    assert f"Ticket {ticket_id[:8]}" in ticket["text"]
    permalink = "https://test.slack.com/archives/D0SUPTASK/p1800000000000100"
    hook = {"ticket": {"id": ticket_id, "ticketNumber": 1042, "requesterTicketPermalink": permalink}}
    headers = {"X-Webhook-Secret": WEBHOOK_SECRET}
    for _ in range(2):  # the same webhook twice (Suptask sends one per update) changes it once
        assert bot.sender.http.post(bot.url + "/webhooks/suptask", json=hook, headers=headers).status_code == 200
    updates = bot.slack.calls_to("chat.update")
    assert len(updates) == 1
    assert (updates[0].args["channel"], updates[0].args["ts"]) == (ticket["channel"], ticket["ts"])
    assert "#1042" in updates[0].args["text"] and permalink in str(updates[0].args["blocks"])
    assert bot.slack.thread(ticket["channel"], ticket["ts"]) == []  # a new name is no news in the thread

    closed = {"ticket": {"id": ticket_id, "ticketNumber": 1042, "status": "Closed"}}
    assert bot.sender.http.post(bot.url + "/webhooks/suptask", json=closed, headers=headers).status_code == 200
    last = bot.slack.calls_to("chat.update")[-1].args
    assert "#1042" in last["text"] and permalink in str(last["blocks"])  # no permalink now: the old one stays


def test_the_ticket_number_also_names_it_when_its_thread_is_asked_again(
    suptask_hooked: RunningBot, fake_suptask: FakeSuptask
) -> None:
    bot = suptask_hooked
    bot.slack.member_channels.add(HR_CHANNEL)
    root = bot.slack.seed_message(HR_CHANNEL, "1700000000.000100", user="U100", text="wifi down on floor 2")
    bot.sender.reaction(root, event_id="Ev1")
    wait_until(lambda: fake_suptask.tickets and bot.slack.thread(HR_CHANNEL, root["ts"]), what="the ticket")
    hook = {"ticket": {"id": next(iter(fake_suptask.tickets)), "ticketNumber": 77}}
    response = bot.sender.http.post(
        bot.url + "/webhooks/suptask", json=hook, headers={"X-Webhook-Secret": WEBHOOK_SECRET}
    )
    assert response.status_code == 200
    # Whether the webhook beat the ticket message's bookkeeping or not, the message shows the number.
    wait_until(
        lambda: any("#77" in str(c.args.get("text")) for c in bot.slack.calls_to("chat.update")),
        what="the ticket message renamed",
    )
    wait_until(lambda: bot.slack.calls_to("reactions.add"), what="the filing finished (the message marked)")
    again = bot.slack.seed_message(
        HR_CHANNEL, "1700000000.000200", user="U100", text="still down", thread_ts=root["ts"]
    )
    bot.sender.reaction(again, event_id="Ev2")

    def already() -> list[str]:  # told to the person who reacted alone
        return [str(c.args["text"]) for c in bot.slack.calls_to("chat.postEphemeral") if "already" in c.args["text"]]

    wait_until(already, what="the 'already' answer")
    assert "#77" in already()[0]
    assert len(fake_suptask.tickets) == 1


@pytest.mark.parametrize(
    ("body", "status"),
    [(b"{not json", 400), (b'{"ticket": null}', 400), (b"[]", 400), (b'{"ticket": {"id": "nope"}}', 404)],
)
def test_suptask_webhook_bad_bodies_get_4xx(suptask_hooked: RunningBot, body: bytes, status: int) -> None:
    bot = suptask_hooked
    headers = {"X-Webhook-Secret": WEBHOOK_SECRET, "Content-Type": "application/json"}
    assert bot.sender.http.post(bot.url + "/webhooks/suptask", content=body, headers=headers).status_code == status
    assert bot.sender.http.get(bot.url + "/healthz").status_code == 200


def test_a_reply_during_a_siit_outage_is_kept_and_sent_once_siit_is_back(bot: RunningBot) -> None:
    ticket = file_ticket(bot)
    bot.siit.failures.extend([("/v1/requests/", 503)] * 4)  # the first attempt's tries, then one more
    send(bot, reply(bot, ticket, "Still broken after lunch")[0], "Ev1")
    wait_until(lambda: bot.slack.calls_to("chat.postEphemeral"), what="the 'saved' notice")
    notice = bot.slack.calls_to("chat.postEphemeral")[0].args
    assert notice["user"] == "U100" and "saved and will be sent" in notice["text"]
    wait_until(lambda: bot.siit.messages, timeout=10, what="the reply after the outage")
    assert [m["body_text"] for m in bot.siit.messages] == ["Still broken after lunch"]


def test_closing_during_an_outage_closes_once_siit_is_back(bot: RunningBot) -> None:
    ticket = file_ticket(bot)
    bot.siit.failures.extend([("/v1/requests/", 503)] * 4)
    bot.sender.block_action(action_of(ticket, "ticket_close") | {"block_id": "b"}, user="U100")
    wait_until(lambda: bot.slack.calls_to("chat.postEphemeral"), what="the 'saved' notice")
    assert "request to close the ticket is saved" in bot.slack.calls_to("chat.postEphemeral")[0].args["text"]
    wait_until(lambda: bot.slack.calls_to("chat.update"), timeout=10, what="the ticket message closed")
    assert bot.siit.requests[0]["status"] == "resolved"
    assert len(bot.slack.calls_to("chat.update")) == 1


def test_reopening_during_an_outage_reopens_once_siit_is_back_and_a_refusal_shows_siits_reason(
    bot: RunningBot,
) -> None:
    ticket = file_ticket(bot)
    bot.sender.block_action(action_of(ticket, "ticket_close") | {"block_id": "b"}, user="U100")
    wait_until(lambda: bot.slack.calls_to("chat.update"), what="the message closed")
    reopen = action_of(bot.slack.calls_to("chat.update")[0].args, "ticket_reopen")
    bot.siit.failures.extend([("/v1/requests/", 503)] * 4)
    bot.sender.block_action(reopen | {"block_id": "b"}, user="U100")
    wait_until(lambda: bot.slack.calls_to("chat.postEphemeral"), what="the 'saved' notice")
    assert "request to reopen the ticket is saved" in bot.slack.calls_to("chat.postEphemeral")[0].args["text"]
    wait_until(lambda: len(bot.slack.calls_to("chat.update")) == 2, timeout=10, what="the message reopened")
    assert bot.siit.requests[0]["status"] == "open"

    bot.siit.failure_message = "This request is locked."
    bot.siit.failures.append(("/v1/requests/", 422))
    close = action_of(bot.slack.calls_to("chat.update")[1].args, "ticket_close")
    bot.sender.block_action(close | {"block_id": "b"}, user="U100")
    wait_until(lambda: len(bot.slack.calls_to("chat.postEphemeral")) == 2, what="Siit's refusal")
    assert "This request is locked." in bot.slack.calls_to("chat.postEphemeral")[1].args["text"]
    assert bot.siit.requests[0]["status"] == "open"


def test_a_webhook_delivered_five_times_posts_once(suptask_hooked: RunningBot, fake_suptask: FakeSuptask) -> None:
    bot = suptask_hooked
    ticket = file_ticket(bot, {f"field:{IMPACT_FIELD}": "Low"})
    ticket_id = next(iter(fake_suptask.tickets))
    hook = {"ticket": {"id": ticket_id}, "reply": {"text": "Try tray 2", "username": "Greg", "channel": ["requester"]}}
    headers = {"X-Webhook-Secret": WEBHOOK_SECRET}
    for _ in range(5):
        assert bot.sender.http.post(bot.url + "/webhooks/suptask", json=hook, headers=headers).status_code == 200
    texts = [m["text"] for m in bot.slack.thread(ticket["channel"], ticket["ts"])]
    assert texts == ["*Greg*: Try tray 2"]


def test_an_agents_words_identical_to_an_earlier_reply_of_ours_are_shown_once_the_echo_is_seen(
    suptask_hooked: RunningBot, fake_suptask: FakeSuptask
) -> None:
    bot = suptask_hooked
    ticket = file_ticket(bot, {f"field:{IMPACT_FIELD}": "Low"})
    ticket_id = next(iter(fake_suptask.tickets))
    send(bot, reply(bot, ticket, "Thanks!")[0], "Ev1")
    wait_until(lambda: fake_suptask.replies, what="the reply in Suptask")
    headers = {"X-Webhook-Secret": WEBHOOK_SECRET}
    echo = {"ticket": {"id": ticket_id}, "reply": {"text": "Thanks!", "username": "Ada", "channel": ["requester"]}}
    assert bot.sender.http.post(bot.url + "/webhooks/suptask", json=echo, headers=headers).status_code == 200
    agent = {"ticket": {"id": ticket_id}, "reply": {"text": "Thanks!", "username": "Greg", "channel": ["requester"]}}
    assert bot.sender.http.post(bot.url + "/webhooks/suptask", json=agent, headers=headers).status_code == 200
    assert [m["text"] for m in bot.slack.thread(ticket["channel"], ticket["ts"])] == ["*Greg*: Thanks!"]


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 100_000 + b"]" * 100_000,
        b'{"ticket": {"id": "\\ud800"}}',
        b'{"ticket": {"id": "x", "status": "\\udfff"}}',
    ],
    ids=["deep", "lone-surrogate-id", "lone-surrogate-status"],
)
def test_webhook_bodies_nested_too_deep_or_not_unicode_get_400(suptask_hooked: RunningBot, body: bytes) -> None:
    headers = {"X-Webhook-Secret": WEBHOOK_SECRET, "Content-Type": "application/json"}
    response = suptask_hooked.sender.http.post(suptask_hooked.url + "/webhooks/suptask", content=body, headers=headers)
    assert response.status_code == 400
