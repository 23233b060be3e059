"""Properties of App Home's view: whatever the tickets hold (any title, status, name, URL) and
however many a page was given, the view is one Slack accepts (100 blocks at most, every text
within its limit); its state and its pager buttons read back as written."""

from __future__ import annotations

import json

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bot.domain.ticket import Ticket
from bot.slack.views.home import MAX_PAGE, PAGE_SIZE, HomeContext, HomeState, Queue, TicketPage, home_view, parse_page
from bot.testing.block_kit import view_problems

text = st.text(st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), max_size=400)
ids = st.from_regex(r"[A-Z0-9]{1,12}", fullmatch=True)


@st.composite
def tickets(draw: st.DrawFn) -> Ticket:
    return Ticket(
        backend="siit",
        ticket_id=draw(ids),
        friendly_id=draw(text.filter(str.strip)),
        url=draw(st.none() | st.just("https://app.siit.io/r/1") | st.text(min_size=3001, max_size=3001)),
        title=draw(text),
        form_id="f",
        form_name=draw(text),
        status=draw(st.none() | st.sampled_from(["open", "resolved", "in_progress"]) | text),
        team_id="T1",
        channel_id=draw(st.none() | st.just("C1")),
        message_ts=draw(st.none() | st.just("1700000000.000100")),
        thread_ts=None,
        requester_id="U1",
        reporter_id="U2",
    )


pages = st.builds(
    TicketPage,
    tickets=st.lists(tickets(), max_size=PAGE_SIZE + 3),
    page=st.integers(0, 50),
    has_more=st.booleans(),
)
states = st.builds(
    HomeState, mine_page=st.integers(0, MAX_PAGE), queue_page=st.integers(0, MAX_PAGE), queue_status=st.none() | text
)


@settings(max_examples=150, deadline=None)
@given(
    mine=pages,
    queue=st.none() | st.builds(Queue, page=pages, statuses=st.lists(text, max_size=120), status=st.none() | text),
    state=states,
)
def test_any_home_is_a_view_slack_accepts(mine: TicketPage, queue: Queue | None, state: HomeState) -> None:
    context = HomeContext(helpdesk="Siit", closed_statuses={"resolved"}, workspace_url="https://t.slack.com/")
    view = home_view(mine=mine, queue=queue, state=state, context=context).to_dict()
    assert view_problems(view, view_type="home") == []
    assert len(view["blocks"]) <= 100
    shown = sum(1 for b in view["blocks"] if b["type"] == "actions" and b.get("block_id") is None)
    assert shown == min(len(mine.tickets), PAGE_SIZE) + (min(len(queue.page.tickets), PAGE_SIZE) if queue else 0)


@given(states)
def test_the_state_kept_in_the_view_reads_back_as_written(state: HomeState) -> None:
    expected = state if state.queue_status else HomeState(state.mine_page, state.queue_page, None)
    assert HomeState.load(state.dump()) == expected


@given(st.text(max_size=50) | st.none() | st.integers())
def test_unreadable_state_is_the_first_pages(raw: object) -> None:
    loaded = HomeState.load(raw)
    assert loaded.mine_page >= 0 and loaded.queue_page >= 0
    if not isinstance(raw, str) or not raw.startswith("{"):
        assert loaded == HomeState()


@given(st.sampled_from(["mine", "queue"]), st.integers(0, MAX_PAGE))
def test_a_pager_value_reads_back(which: str, page: int) -> None:
    assert parse_page(f"{which}:{page}") == (which, page)


@given(st.sampled_from(["mine", "queue"]), st.integers(MAX_PAGE + 1) | st.integers(max_value=-1) | st.text())
def test_any_other_pager_value_is_the_first_page(which: str, page: object) -> None:
    assume(not (isinstance(page, str) and page.isascii() and page.isdigit() and int(page) <= MAX_PAGE))
    assert parse_page(f"{which}:{page}") == (which, 0)


@given(st.integers() | st.floats() | st.text() | st.booleans() | st.none())
def test_a_page_kept_in_the_view_is_within_bounds_whatever_it_holds(page: object) -> None:
    loaded = HomeState.load(json.dumps({"mine_page": page, "queue_page": page}))
    assert 0 <= loaded.mine_page <= MAX_PAGE and 0 <= loaded.queue_page <= MAX_PAGE


def test_pager_buttons_name_the_neighbouring_pages() -> None:
    context = HomeContext(helpdesk="Siit", closed_statuses=(), workspace_url=None)
    view = home_view(mine=TicketPage((), 3, True), queue=None, state=HomeState(), context=context).to_dict()
    values = [e["value"] for b in view["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [parse_page(v) for v in values if ":" in v] == [("mine", 2), ("mine", 4)]
    assert json.loads(view["private_metadata"]) == {"mine_page": 0, "queue_page": 0, "queue_status": None}
