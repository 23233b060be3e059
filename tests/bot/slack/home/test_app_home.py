"""App Home "My tickets", end to end against the fake Slack and fake Siit: the requester's
tickets with their buttons, refreshed (debounced) when one changes, the agents' queue and its
status filter, paging past Block Kit's 100 blocks, and "New ticket" opening the form."""

from __future__ import annotations

import itertools
import sqlite3
import time
from pathlib import Path
from typing import Any

from bot.testing.servers import wait_until
from tests.bot.slack.thread.test_ticket_threads import file_ticket
from tests.conftest import RunningBot, StartBot

_events = itertools.count(1)


def publishes(bot: RunningBot, user: str) -> int:
    return len([c for c in bot.slack.calls_to("views.publish") if c.args.get("user_id") == user])


def open_home(bot: RunningBot, user: str, *, showing: str = "") -> dict[str, Any]:
    """The person opens the Home tab; returns the view published for it (the first one that
    shows ``showing``: a refresh for an earlier change may come meanwhile)."""
    before = publishes(bot, user)
    event = {"type": "app_home_opened", "user": user, "channel": "D" + user[1:], "tab": "home"}
    assert bot.sender.event(event, event_id=f"EvHome{next(_events)}").status_code == 200
    shown: list[dict[str, Any]] = []

    def published() -> bool:
        # The view that showed it, kept: a refresh computed earlier may land after it (on a busy
        # machine, it did), and reading the Home again would return that one.
        home = bot.slack.homes.get(user)
        if publishes(bot, user) > before and home is not None and showing in str(home["blocks"]):
            shown.append(home)
            return True
        return False

    wait_until(published, timeout=15, what=f"the Home of {user}")
    return shown[-1]


def click(bot: RunningBot, home: dict[str, Any], action_id: str, *, user: str, **extra: Any) -> None:
    action = next(element(home, action_id, **extra))
    assert bot.sender.block_action(action | {"block_id": "b"}, view=home, user=user).status_code == 200


def element(home: dict[str, Any], action_id: str, **extra: Any) -> Any:
    for block in home["blocks"]:
        for item in block.get("elements") or [block.get("accessory") or {}]:
            if item.get("action_id") == action_id and all(item.get(k) == v for k, v in extra.items()):
                yield item


def titles(home: dict[str, Any]) -> list[str]:
    return [b["text"]["text"] for b in home["blocks"] if b["type"] == "section" and "*" in b["text"]["text"]]


def my_titles(home: dict[str, Any]) -> list[str]:
    """The person's own list: the tickets above the agents' queue."""
    blocks = home["blocks"]
    end = next((i for i, b in enumerate(blocks) if b["type"] == "header" and "agents" in b["text"]["text"]), None)
    return titles({"blocks": blocks[:end]})


def test_the_requester_sees_their_ticket_with_its_links_and_buttons(bot: RunningBot) -> None:
    empty = open_home(bot, "U100")
    assert "no Siit tickets" in str(empty["blocks"])
    ticket = file_ticket(bot)
    request = bot.siit.requests[0]

    home = open_home(bot, "U100", showing="printer jams")
    assert home["type"] == "home"
    [line] = titles(home)
    assert "printer jams" in line and "Open" in line
    assert (
        f"<https://test.slack.com/archives/{ticket['channel']}/p{ticket['ts'].replace('.', '')}|Slack thread>" in line
    )
    [link] = element(home, "open_ticket_link")
    assert link["url"] == ticket["blocks"][0]["accessory"]["url"] == f"https://app.siit.io/requests/{request['_uid']}"
    assert len(list(element(home, "ticket_add_details"))) == 1
    assert len(list(element(home, "ticket_close"))) == 1
    assert "Open tickets (agents)" not in str(home["blocks"])  # U100 is not an agent

    stranger = open_home(bot, "U555")
    assert titles(stranger) == []


def test_closing_from_home_refreshes_it_and_a_stranger_cannot(start_bot: StartBot) -> None:
    bot = start_bot(home_refresh_seconds=0.2)
    file_ticket(bot)
    home = open_home(bot, "U100", showing="printer jams")
    click(bot, home, "ticket_close", user="U555")  # not theirs: refused, nothing reaches Siit
    click(bot, home, "ticket_close", user="U100")
    wait_until(lambda: bot.siit.requests[0].get("status") == "resolved", what="the ticket closed in Siit")
    wait_until(lambda: any(element(bot.slack.homes["U100"], "ticket_reopen")), what="the Home refreshed")
    assert len(bot.siit.calls_to("PATCH", "/v1/requests/")) == 1
    assert "Resolved" in titles(bot.slack.homes["U100"])[0]


def test_refreshes_are_debounced_per_person(start_bot: StartBot, tmp_path: Path) -> None:
    bot = start_bot(home_refresh_seconds=1.5)
    for _ in range(3):
        file_ticket_again(bot)
    time.sleep(2.0)  # the filings' own refreshes are done
    home = open_home(bot, "U100")
    opened = publishes(bot, "U100")
    for action in list(element(home, "ticket_close")):  # three changes within a moment
        assert bot.sender.block_action(action | {"block_id": "b"}, view=home, user="U100").status_code == 200
    wait_until(lambda: all(r.get("status") == "resolved" for r in bot.siit.requests), what="three tickets closed")
    wait_until(lambda: len(list(element(bot.slack.homes["U100"], "ticket_reopen"))) == 3, what="all shown closed")
    time.sleep(2.0)
    # Opened just before: the first refresh waits out the 1.5 s, the rest fold into one or two.
    assert 1 <= publishes(bot, "U100") - opened <= 2


def file_ticket_again(bot: RunningBot) -> None:
    """Another ticket through /ticket (``file_ticket`` reads the first ticket message only)."""
    view = bot.open_modal("printer jams")
    bot.sender.submit(view, {"field:ci_floor": "3"})
    wait_until(lambda: "Filed" in str(bot.slack.views[view["id"]]["blocks"]), what="the filed view")


def test_agents_see_the_open_queue_and_filter_it_by_status(start_bot: StartBot, tmp_path: Path) -> None:
    database = tmp_path / "home.db"
    bot = start_bot(database_url=f"sqlite:///{database}", agent_slack_ids="U900")
    file_ticket(bot)
    file_ticket_again(bot)
    with sqlite3.connect(database) as connection:
        connection.execute("UPDATE tickets SET status = 'in_progress' WHERE id = 2")
    home = open_home(bot, "U900", showing="In progress")
    assert "Open tickets (agents)" in str(home["blocks"])
    assert len(titles(home)) == 2 and all("<@U100>" in t for t in titles(home))
    [select] = element(home, "home_status_filter")
    assert [o["value"] for o in select["options"]] == ["*", "in_progress", "open"]

    in_progress = next(o for o in select["options"] if o["value"] == "in_progress")
    action = {**select, "selected_option": in_progress}
    assert bot.sender.block_action(action | {"block_id": "home_filter"}, view=home, user="U900").status_code == 200
    wait_until(lambda: len(titles(bot.slack.homes["U900"])) == 1, what="the filtered Home")
    filtered = bot.slack.homes["U900"]
    assert len(titles(filtered)) == 1 and "In progress" in titles(filtered)[0]
    assert next(element(filtered, "home_status_filter"))["initial_option"]["value"] == "in_progress"


def test_pages_keep_every_view_within_100_blocks(start_bot: StartBot, tmp_path: Path) -> None:
    database = tmp_path / "many.db"
    bot = start_bot(database_url=f"sqlite:///{database}", agent_slack_ids="U100")
    file_ticket(bot)
    with sqlite3.connect(database) as connection:  # 60 more tickets of U100's, as filed earlier
        row = connection.execute("SELECT * FROM tickets").fetchone()
        names = [d[0] for d in connection.execute("SELECT * FROM tickets").description]
        for n in range(60):
            copy = dict(zip(names, row, strict=True)) | {"id": None, "ticket_id": f"t{n}", "title": f"Old {n}"}
            placeholders = ",".join("?" for _ in copy)
            connection.execute(f"INSERT INTO tickets ({','.join(copy)}) VALUES ({placeholders})", list(copy.values()))
    home = open_home(bot, "U100", showing="Old 59")  # an agent too: two lists of 61 tickets each
    # A refresh for the first ticket, begun before the copies were written, may show them in the
    # agents' queue but not in the person's own list: wait for the view that read them in both.
    wait_until(lambda: "Old 59" in str(my_titles(bot.slack.homes["U100"])), what="the own list read after the copies")
    home = bot.slack.homes["U100"]
    seen: list[str] = []
    pages = 0
    while True:
        pages += 1
        assert len(home["blocks"]) <= 100  # and the fake Slack checked every other limit
        seen += my_titles(home)
        older = list(element(home, "home_page_next", value=f"mine:{pages}"))
        if not older:
            break
        click(bot, home, "home_page_next", user="U100", value=f"mine:{pages}")
        shown = f"Page {pages + 1}"
        wait_until(lambda: shown in str(bot.slack.homes["U100"]["blocks"]), what=shown)  # noqa: B023
        home = bot.slack.homes["U100"]
    assert pages == 7
    assert len(seen) == 61 and len(set(seen)) == 61
    assert "Old 59" in seen[0]  # newest first
    assert "Page 7" in str(home["blocks"]) and any(element(home, "home_page_prev"))


def test_new_ticket_from_home_opens_the_form(bot: RunningBot) -> None:
    home = open_home(bot, "U100")
    before = len(bot.slack.calls_to("views.open"))
    click(bot, home, "home_new_ticket", user="U100")
    wait_until(lambda: len(bot.slack.calls_to("views.open")) > before, what="the form")
    view_id = max(bot.slack.views)
    wait_until(lambda: bot.slack.views[view_id].get("submit") is not None, what="the form view")
    assert "Printer problem" in str(bot.slack.views[view_id]["blocks"])


HOSTILE_PAGES = ["mine:99999999999999999999999", "mine:" + "9" * 5000, "queue:9223372036854775807", "mine:²"]


def test_forged_pages_show_the_first_page_and_a_persons_home_is_never_stuck(start_bot: StartBot) -> None:
    bot = start_bot(agent_slack_ids="U100")
    file_ticket(bot)
    home = open_home(bot, "U100")
    for value in HOSTILE_PAGES:  # forged clicks: the buttons never carry these
        before = publishes(bot, "U100")
        action = {"action_id": "home_page_next", "value": value, "block_id": "b"}
        assert bot.sender.block_action(action, view=home, user="U100").status_code == 200
        wait_until(lambda b=before: publishes(bot, "U100") > b, what=f"a Home published after {value[:30]}")
        assert "Page" not in str(bot.slack.homes["U100"]["blocks"])  # the first page: no pager needed
    hostile_metadata = {**home, "private_metadata": '{"mine_page": 9223372036854775807, "queue_page": 1e308}'}
    before = publishes(bot, "U100")
    action = {"action_id": "home_page_prev", "value": "mine:0", "block_id": "b"}
    assert bot.sender.block_action(action, view=hostile_metadata, user="U100").status_code == 200
    wait_until(lambda: publishes(bot, "U100") > before, what="a Home published after forged metadata")
    assert my_titles(open_home(bot, "U100")) != []  # a plain opening shows the tickets again


def test_people_opening_app_home_do_not_hold_back_a_filing_behind_siits_budget(start_bot: StartBot) -> None:
    """Siit allows few requests (here 12 every 3 s): 300 people opening their Home cost one read of
    Siit's agents between them, not one lookup each, so a reaction files at once."""
    bot = start_bot(siit_rate_limit=12, siit_rate_window_seconds=3)
    bot.siit.rate_limit, bot.siit.rate_window = 12, 3.0
    wait_until(lambda: len(bot.siit.calls_to("GET", "/v1/services")) >= 2, what="warm-up")
    people = [f"U{n:04d}" for n in range(300)]
    for user in people:
        bot.slack.add_user(user, email=f"person{user}@example.com", name=f"Person {user}")
    for user in people:
        event = {"type": "app_home_opened", "user": user, "channel": "D" + user[1:], "tab": "home"}
        assert bot.sender.event(event, event_id=f"EvHome{next(_events)}").status_code == 200
    message = bot.slack.seed_message("C100", "1700000700.000100", user="U100", text="Printer jams")
    started = time.monotonic()
    bot.sender.reaction(message, user="U100", event_id="EvFiling")
    wait_until(lambda: bot.siit.requests, timeout=60, what="the ticket at Siit")
    waited = time.monotonic() - started
    user_lookups = [c for c in bot.siit.calls_to("GET", "/v1/users") if "email_in[]" in c.query]
    assert len(user_lookups) <= 2, f"{len(user_lookups)} Siit user lookups for 300 Home openings"
    assert waited < 15, f"the filing waited {waited:.1f} s"
