from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any

import pytest

from bot.testing.servers import wait_until
from tests.conftest import RunningBot, StartBot
from tests.fakes.postgres import admin_sql, fresh_postgres_database


def blocks_by_id(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {b["block_id"]: b for b in view["blocks"] if b.get("block_id")}


def test_invalid_answers_are_shown_inline_and_nothing_is_filed(bot: RunningBot) -> None:
    view = bot.open_modal("")
    response = bot.sender.submit(view, {"field:ci_floor": "40"})
    assert response.status_code == 200
    body = response.json()
    assert body["response_action"] == "errors"
    assert body["errors"] == {
        "ticket_title": "Give the ticket a title.",
        "field:ci_floor": "Enter a number of at most 12.",
    }
    assert not bot.siit.calls_to("POST", "/v1/requests")


def test_a_refusal_shows_siits_reason_and_try_again_restores_every_value(bot: RunningBot) -> None:
    bot.siit.services["wa_printers"]["custom_form_input_configuration"].append(
        {"uid": "ci_hidden", "label": "Cost center", "kind": "string", "required": True}
    )  # Siit now requires a field this (cached) form does not show: Siit refuses
    view = bot.open_modal("printer jams")
    answers = {"ticket_description": "It beeps", "field:ci_floor": "3", "field:ci_since": "2026-11-20"}
    assert bot.sender.submit(view, answers).json()["response_action"] == "update"
    wait_until(lambda: "did not accept" in str(bot.slack.views[view["id"]]["blocks"]), what="the failure view")
    failed = bot.slack.views[view["id"]]
    assert "Cost center is required." in str(failed["blocks"])
    retry_button = failed["blocks"][-1]["elements"][0]
    assert retry_button["text"]["text"] == "Try again"

    bot.sender.block_action({"action_id": "retry_ticket", "block_id": "x", "value": retry_button["value"]}, view=failed)
    wait_until(lambda: bot.slack.views[view["id"]].get("submit"), what="the form again")
    reopened = blocks_by_id(bot.slack.views[view["id"]])
    assert reopened["ticket_title"]["element"]["initial_value"] == "printer jams"
    assert reopened["ticket_description"]["element"]["initial_value"] == "It beeps"
    assert reopened["field:ci_floor"]["element"]["initial_value"] == "3"
    assert reopened["field:ci_since"]["element"]["initial_date"] == "2026-11-20"
    assert bot.siit.requests == []


def test_another_person_cannot_reopen_a_draft(bot: RunningBot) -> None:
    bot.siit.failures.extend([("/v1/requests", 400)])
    view = bot.open_modal("secret stuff")
    bot.sender.submit(view, {"field:ci_floor": "1"})
    wait_until(lambda: "Try again" in str(bot.slack.views[view["id"]]["blocks"]), what="the failure view")
    button = bot.slack.views[view["id"]]["blocks"][-1]["elements"][0]
    opens = len(bot.slack.calls_to("views.open"))
    response = bot.sender.block_action({"action_id": "retry_ticket", "value": button["value"]}, user="U666")
    assert response.status_code == 200
    assert len(bot.slack.calls_to("views.open")) == opens


def test_server_errors_are_retried_and_file_exactly_one_ticket(bot: RunningBot) -> None:
    bot.siit.failures.extend([("/v1/requests", 502), ("/v1/requests", 500)])
    view = bot.open_modal("retry me")
    bot.sender.submit(view, {"field:ci_floor": "1"})
    wait_until(lambda: bot.slack.calls_to("chat.postMessage"), what="the ticket message")
    assert len(bot.siit.requests) == 1
    # A 5xx on a create may hide a request made: Siit's list is read before the create is sent again.
    posts = bot.siit.calls_to("POST", "/v1/requests")
    lookups = [c for c in bot.siit.calls_to("GET", "/v1/requests") if c.path == "/v1/requests"]
    assert len(posts) == 2 and lookups and posts[0].at < lookups[0].at < posts[1].at


def test_a_siit_outage_saves_the_ticket_tells_the_person_and_files_it_once_siit_is_back(bot: RunningBot) -> None:
    bot.siit.failures.extend([("/v1/requests", 503)] * 5)  # the first attempt's 3 tries, then 2 more
    view = bot.open_modal("outage")
    bot.sender.submit(view, {"field:ci_floor": "1"})
    wait_until(lambda: "saved and will be filed automatically" in str(bot.slack.views[view["id"]]["blocks"]))
    wait_until(lambda: bot.siit.requests, timeout=10, what="the ticket filed after the outage")
    wait_until(lambda: "Filed" in str(bot.slack.views[view["id"]]["blocks"]), what="the filed view")
    assert len(bot.siit.requests) == 1
    assert len(bot.slack.calls_to("chat.postMessage")) == 1


def test_a_person_who_closed_the_modal_is_told_by_dm_with_a_way_back(bot: RunningBot) -> None:
    bot.siit.failures.append(("/v1/requests", 400))
    view = bot.open_modal("closed modal")
    bot.slack.errors["views.update"] = ["not_found"]
    bot.sender.submit(view, {"field:ci_floor": "1"})
    wait_until(lambda: bot.slack.calls_to("chat.postMessage"), what="the DM")
    dm = bot.slack.calls_to("chat.postMessage")[0].args
    assert dm["channel"] == "U100"
    assert "Try again" in str(dm["blocks"])
    button = next(e for b in dm["blocks"] if b["type"] == "actions" for e in b["elements"])
    bot.sender.block_action({"action_id": "retry_ticket", "value": button["value"]})
    wait_until(lambda: len(bot.slack.calls_to("views.open")) == 2, what="the form reopened from the DM")
    reopened = bot.slack.views[max(bot.slack.views)]
    assert blocks_by_id(reopened)["ticket_title"]["element"]["initial_value"] == "closed modal"


def test_the_ticket_message_goes_by_dm_when_the_bot_is_not_in_the_channel(bot: RunningBot) -> None:
    view = bot.open_modal("from a private channel", channel="C999")
    bot.sender.submit(view, {"field:ci_floor": "1"})
    wait_until(lambda: len(bot.slack.calls_to("chat.postMessage")) == 2, what="the DM after not_in_channel")
    assert [c.args["channel"] for c in bot.slack.calls_to("chat.postMessage")] == ["C999", "U100"]
    assert bot.siit.requests[0]["title"] == "from a private channel"


def test_a_person_without_a_siit_account_is_filed_with_their_slack_id(bot: RunningBot) -> None:
    bot.slack.add_user("U200", email="newhire@example.com", name="New Hire")
    view = bot.open_modal("first day", user="U200")
    bot.sender.submit(view, {"field:ci_floor": "2", "field:ci_model": "Canon X"}, user="U200")
    wait_until(lambda: bot.siit.requests, what="the Siit request")
    created = bot.siit.requests[0]
    assert bot.siit.calls_to("POST", "/v1/requests/slack")
    assert created["slack_user_id"] == "U200"
    assert {"label": "Printer model", "value": "Canon X"} in created["custom_form_inputs"]


def test_titles_are_escaped_in_the_ticket_message(bot: RunningBot) -> None:
    view = bot.open_modal("<!channel> see <https://evil.example|this> & that")
    bot.sender.submit(view, {"field:ci_floor": "1"})
    wait_until(lambda: bot.slack.calls_to("chat.postMessage"), what="the ticket message")
    posted = str(bot.slack.calls_to("chat.postMessage")[0].args["blocks"])
    assert "<!channel>" not in posted and "<https://evil" not in posted
    assert "&lt;!channel&gt;" in posted and "&amp; that" in posted


def test_the_ticket_record_remembers_where_the_ticket_lives(bot: RunningBot, bot_settings: dict[str, Any]) -> None:
    view = bot.open_modal("record me")
    bot.sender.submit(view, {"field:ci_floor": "1"})
    wait_until(lambda: "Filed" in str(bot.slack.views[view["id"]]["blocks"]), what="the filed view")
    posted = bot.slack.calls_to("chat.postMessage")[0]
    database = bot_settings["database_url"].removeprefix("sqlite:///")

    def count(table: str) -> int:
        with sqlite3.connect(database) as connection:
            return int(connection.execute(f"select count(*) from {table}").fetchone()[0])

    wait_until(lambda: count("drafts") == 0, what="the draft discarded once filed")
    # The item is marked done just after the announcement (which discards the draft).
    wait_until(lambda: count("outbox where status = 'done'") == 1, what="the outbox item done")
    with sqlite3.connect(database) as connection:
        connection.row_factory = sqlite3.Row
        (row,) = connection.execute("select * from tickets").fetchall()
        outbox = connection.execute("select status, ticket_id from outbox").fetchall()
    assert (row["backend"], row["ticket_id"], row["friendly_id"]) == ("siit", "req_000012", "REQ-12")
    assert row["url"] == "https://app.siit.io/requests/req_000012"
    assert (row["team_id"], row["channel_id"], row["requester_id"]) == ("T0001", "C100", "U100")
    assert row["thread_ts"] == row["message_ts"] != None  # noqa: E711
    assert posted.args["channel"] == row["channel_id"]
    assert [tuple(item) for item in outbox] == [("done", "req_000012")]


def test_slack_rate_limiting_chat_post_message_is_retried(bot: RunningBot) -> None:
    bot.slack.rate_limits["chat.postMessage"] = 1
    view = bot.open_modal("rate limited by Slack")
    bot.sender.submit(view, {"field:ci_floor": "1"})
    wait_until(lambda: "Filed" in str(bot.slack.views[view["id"]]["blocks"]), timeout=10, what="the filed view")
    calls = bot.slack.calls_to("chat.postMessage")
    assert len(calls) == 2 and calls[1].at - calls[0].at >= 0.9  # waited for Retry-After: 1
    assert calls[1].args["channel"] == "C100"


def test_a_refusal_told_by_dm_when_the_modal_is_gone_is_escaped(bot: RunningBot) -> None:
    bot.siit.failure_message = "<!channel> <@U999> refused"
    bot.siit.failures.append(("/v1/requests", 422))
    view = bot.open_modal("printer")
    bot.slack.errors["views.update"] = ["not_found"] * 5  # the person closed the modal
    bot.sender.submit(view, {"field:ci_floor": "1"})
    wait_until(lambda: bot.slack.calls_to("chat.postMessage"), what="the DM")
    dm = bot.slack.calls_to("chat.postMessage")[0].args
    shown = str(dm["text"]) + str(dm.get("blocks"))
    assert "<!channel>" not in shown and "<@U999>" not in shown
    assert "&lt;!channel&gt;" in shown


@pytest.fixture
def postgres_url() -> Iterator[str]:
    with fresh_postgres_database() as url:
        yield url


def test_a_read_only_database_keeps_the_form_and_everything_typed(postgres_url: str, start_bot: StartBot) -> None:
    bot = start_bot(database_url=postgres_url)
    view = bot.open_modal("printer on fire")
    name = postgres_url.rsplit("/", 1)[1]

    def read_only(on: bool) -> None:  # new connections only: the pool's are ended
        admin_sql(f'ALTER DATABASE "{name}" SET default_transaction_read_only = {"on" if on else "off"}')
        admin_sql(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'")

    assert bot.sender.http.get(bot.url + "/readyz").status_code == 200
    read_only(True)
    not_ready = bot.sender.http.get(bot.url + "/readyz")
    assert not_ready.status_code == 503 and "database" in not_ready.json()["reason"]
    answer = bot.sender.submit(view, {"field:ci_floor": "4"})
    assert answer.json()["response_action"] == "update"  # "Filing…", then the draft cannot be kept:
    wait_until(lambda: "could not be saved" in str(bot.slack.views[view["id"]]["blocks"]), what="the form back")
    again = bot.slack.views[view["id"]]
    assert "printer on fire" in str(again["blocks"]) and again.get("submit") is not None
    assert bot.siit.requests == []

    read_only(False)
    wait_until(lambda: bot.sender.http.get(bot.url + "/readyz").status_code == 200, what="ready again")
    bot.sender.submit(bot.slack.views[view["id"]], {"field:ci_floor": "4"})
    wait_until(lambda: bot.siit.requests, timeout=15, what="the ticket once the database is back")
    assert [r["title"] for r in bot.siit.requests] == ["printer on fire"]


def test_slack_refusing_the_announcement_once_never_says_the_helpdesk_is_slow(bot: RunningBot) -> None:
    """The ticket is filed; only its announcement waits for Slack. Telling the person that the
    helpdesk is not answering would be false (and they might file again)."""
    bot.slack.errors["chat.postMessage"] = ["ratelimited"]
    view = bot.open_modal("printer jams")
    bot.sender.submit(view, {"field:ci_floor": "3"})
    wait_until(lambda: "Filed" in str(bot.slack.views[view["id"]]["blocks"]), timeout=10, what="filed after the retry")
    shown = [str(c.args) for c in bot.slack.calls_to("views.update")] + [
        str(c.args.get("text")) for c in bot.slack.calls_to("chat.postMessage")
    ]
    assert not any("not answering" in s or "slow down" in s for s in shown)
    assert len(bot.siit.requests) == 1
