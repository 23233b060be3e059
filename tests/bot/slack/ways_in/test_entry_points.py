from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from bot.testing.servers import wait_until
from tests.conftest import RunningBot, StartBot

MESSAGE_TS = "1700000000.000100"


@pytest.fixture
def people(bot: RunningBot) -> RunningBot:
    bot.slack.add_user("U300", email="bob@example.com", name="Bob Reporter")
    bot.siit.add_user("u_bob", "bob@example.com")
    bot.slack.add_user("U400", email="it-admin@example.com", name="Ivy Admin")
    bot.siit.add_user("u_ivy", "it-admin@example.com", role="admin")
    return bot


def help_message(bot: RunningBot, *, ts: str = MESSAGE_TS, thread_ts: str | None = None) -> dict[str, Any]:
    text = "Printer on floor 3 jams\nIt beeps twice and stops."
    return bot.slack.seed_message("C100", ts, user="U100", text=text, thread_ts=thread_ts)


def blocks_by_id(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {b["block_id"]: b for b in view["blocks"] if b.get("block_id")}


def shortcut_modal(bot: RunningBot, message: dict[str, Any], user: str) -> dict[str, Any]:
    opened = len(bot.slack.calls_to("views.open"))
    assert bot.sender.message_shortcut(message, user=user).status_code == 200
    wait_until(lambda: len(bot.slack.calls_to("views.open")) > opened, what="views.open")
    view_id = max(bot.slack.views)
    wait_until(lambda: bot.slack.views[view_id].get("submit") is not None, what="the form")
    return bot.slack.views[view_id]


def test_message_shortcut_files_for_the_author_and_answers_in_the_thread(people: RunningBot) -> None:
    bot = people
    message = help_message(bot)
    view = shortcut_modal(bot, message, user="U300")
    blocks = blocks_by_id(view)
    assert blocks["ticket_title"]["element"]["initial_value"] == "Printer on floor 3 jams"
    assert blocks["ticket_description"]["element"]["initial_value"] == message["text"]
    notice = view["blocks"][0]["elements"][0]["text"]
    assert "<@U100>" in notice and "in their name" in notice

    bot.sender.submit(view, {"field:ci_floor": "3"}, user="U300")
    wait_until(lambda: bot.siit.requests, what="the Siit request")
    created = bot.siit.requests[0]
    assert created["requested_by"] == created["author"] == "u_ada"  # a non-admin files as the requester
    assert created["slack_direct_link"] == f"https://test.slack.com/archives/C100/p{MESSAGE_TS.replace('.', '')}"
    wait_until(lambda: bot.slack.thread("C100", MESSAGE_TS), what="the confirmation in the thread")
    assert "REQ-12" in bot.slack.thread("C100", MESSAGE_TS)[0]["text"]


def test_an_admin_filing_for_someone_is_the_author(people: RunningBot) -> None:
    bot = people
    view = shortcut_modal(bot, help_message(bot), user="U400")
    bot.sender.submit(view, {"field:ci_floor": "3"}, user="U400")
    wait_until(lambda: bot.siit.requests, what="the Siit request")
    assert (bot.siit.requests[0]["author"], bot.siit.requests[0]["requested_by"]) == ("u_ivy", "u_ada")


def test_global_shortcut_opens_an_empty_form_and_confirms_by_dm(bot: RunningBot) -> None:
    assert bot.sender.global_shortcut().status_code == 200
    wait_until(lambda: bot.slack.views and next(iter(bot.slack.views.values())).get("submit"), what="the form")
    view = next(iter(bot.slack.views.values()))
    assert "initial_value" not in blocks_by_id(view)["ticket_title"]["element"]
    bot.sender.submit(view, {"ticket_title": "VPN drops", "field:ci_floor": "1"})
    wait_until(lambda: bot.slack.calls_to("chat.postMessage"), what="the DM")
    assert bot.slack.calls_to("chat.postMessage")[0].args["channel"] == "U100"


def test_a_reaction_files_once_whatever_slack_and_people_do(people: RunningBot) -> None:
    bot = people
    message = help_message(bot)
    deliveries = [
        lambda: bot.sender.reaction(message, user="U300", event_id="Ev1"),
        lambda: bot.sender.reaction(message, user="U300", event_id="Ev1", retry_num=1),
        lambda: bot.sender.reaction(message, user="U300", event_id="Ev1", retry_num=2),
        lambda: bot.sender.reaction(message, user="U400", event_id="Ev2"),
        lambda: bot.sender.reaction(message, user="U100", event_id="Ev3"),
    ]
    with ThreadPoolExecutor(max_workers=len(deliveries)) as pool:
        statuses = [f.result().status_code for f in [pool.submit(d) for d in deliveries]]
    assert statuses == [200] * len(deliveries)
    wait_until(lambda: bot.slack.thread("C100", MESSAGE_TS), what="the confirmation in the thread")
    wait_until(lambda: bot.slack.messages[("C100", MESSAGE_TS)].get("reactions"), what="the bot's mark")
    assert len(bot.siit.calls_to("POST", "/v1/requests")) == 1
    created = bot.siit.requests[0]
    assert created["title"] == "Printer on floor 3 jams"
    assert created["description"] == message["text"]
    assert created["requested_by"] == "u_ada"
    assert bot.slack.messages[("C100", MESSAGE_TS)]["reactions"] == ["white_check_mark"]
    assert len(bot.slack.thread("C100", MESSAGE_TS)) == 1


def test_reactions_on_a_reply_in_a_ticketed_thread_answer_each_person_alone(people: RunningBot) -> None:
    bot = people
    bot.sender.reaction(help_message(bot), event_id="Ev1")
    wait_until(lambda: bot.slack.thread("C100", MESSAGE_TS), what="the first ticket")
    reply = bot.slack.seed_message("C100", "1700000000.000200", user="U100", text="still broken", thread_ts=MESSAGE_TS)
    reactors = [f"U9{n:02d}" for n in range(10)]
    for n, user in enumerate(reactors):
        bot.sender.reaction(reply, user=user, event_id=f"Ev9{n}")
    wait_until(lambda: len(bot.slack.calls_to("chat.postEphemeral")) >= 10, what="the 'already' answers")
    answers = bot.slack.calls_to("chat.postEphemeral")
    assert sorted(str(c.args["user"]) for c in answers) == reactors
    assert all("already has ticket" in str(c.args["text"]) and "REQ-12" in str(c.args["text"]) for c in answers)
    assert len(bot.slack.thread("C100", MESSAGE_TS)) == 2  # the reply and the ticket message: nothing public
    assert len(bot.siit.requests) == 1


@pytest.mark.parametrize(
    "case",
    ["bot message", "other emoji", "bot's own message"],
)
def test_reactions_that_are_not_requests_are_ignored(people: RunningBot, case: str) -> None:
    bot = people
    if case == "bot message":
        message = bot.slack.seed_message("C100", MESSAGE_TS, user="U999", text="deploy done", bot_id="B1")
        bot.sender.reaction(message)
    elif case == "other emoji":
        bot.sender.reaction(help_message(bot), reaction="thumbsup")
    else:
        message = bot.slack.seed_message("C100", MESSAGE_TS, user="UBOT", text="REQ-1 filed")
        bot.sender.reaction(message)
    bot.sender.reaction(help_message(bot, ts="1700000099.000100"), event_id="Ev-control")
    wait_until(lambda: bot.siit.requests, what="the control ticket")
    assert [r["title"] for r in bot.siit.requests] == ["Printer on floor 3 jams"]
    assert len(bot.siit.requests) == 1


def test_once_routing_names_channels_reactions_elsewhere_are_ignored(start_bot: StartBot, tmp_path: Path) -> None:
    forms = tmp_path / "forms.yml"
    forms.write_text(
        "forms: [{form_id: wa_printers, name: P}, {form_id: wa_access, name: A}]\n"
        "routing: {channels: {C0ACCESS1: wa_access}}\n"
    )
    bot = start_bot(forms_file=forms, siit_services="")
    bot.slack.member_channels.add("C0ACCESS1")
    bot.sender.reaction(help_message(bot), event_id="Ev1")
    routed = bot.slack.seed_message("C0ACCESS1", MESSAGE_TS, user="U100", text="Need Figma access")
    bot.sender.reaction(routed, event_id="Ev2")
    wait_until(lambda: bot.siit.requests, what="the routed ticket")
    assert [(r["title"], r["target"]) for r in bot.siit.requests] == [("Need Figma access", "wa_access")]


def test_the_shortcut_and_a_reaction_racing_file_one_ticket(people: RunningBot) -> None:
    bot = people
    message = help_message(bot)
    view = shortcut_modal(bot, message, user="U300")
    with ThreadPoolExecutor(max_workers=2) as pool:
        submitted = pool.submit(bot.sender.submit, view, {"field:ci_floor": "3"}, user="U300")
        reacted = pool.submit(bot.sender.reaction, message, user="U400", event_id="Ev1")
        answer, _ = submitted.result().json(), reacted.result()
    wait_until(lambda: bot.siit.requests, what="a ticket")
    wait_until(lambda: bot.slack.thread("C100", MESSAGE_TS), what="the confirmation")
    assert len(bot.siit.calls_to("POST", "/v1/requests")) == 1
    if "already" in str(answer):  # the reaction won: the modal says so instead of filing again
        assert answer["response_action"] == "update"


def test_two_app_processes_sharing_a_database_file_once(people: RunningBot, start_bot: StartBot) -> None:
    first = people
    second = start_bot()  # same DATABASE_URL, its own process state
    message = help_message(first)
    with ThreadPoolExecutor(max_workers=4) as pool:
        for index, app in enumerate([first, second, first, second]):
            pool.submit(app.sender.reaction, message, user="U300", event_id=f"Ev{index}")
    wait_until(lambda: first.slack.thread("C100", MESSAGE_TS), what="the confirmation")
    assert len(first.siit.calls_to("POST", "/v1/requests")) == 1
