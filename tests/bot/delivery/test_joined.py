"""A help channel's messages joined into one held ticket (``bot.delivery.joined``): pure
payload changes, stated as properties."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from bot.delivery.joined import with_detail, with_first_text, without
from bot.delivery.request import Detail, SlackOrigin, TicketRequest
from bot.domain.filing import Person
from bot.domain.forms import DESCRIPTION_MAX_LENGTH, Draft

ROOT_TS = "1700000000.000100"


def held(text: str = "VPN is down") -> dict[str, object]:
    origin = SlackOrigin(
        user_id="U1", team_id="T1", channel_id="C1", thread_ts=ROOT_TS, message_ts=ROOT_TS, auto_created=True
    )
    request = TicketRequest(
        form_id="wa_1",
        draft=Draft("wa_1", text.splitlines()[0], text),
        requester=Person("U1"),
        reporter=Person("U1"),
        origin=origin,
        message_link="https://x/p1",
        reference="ref-1",
    )
    return request.to_payload()


def through_json(payload: dict[str, object]) -> dict[str, object]:
    return json.loads(json.dumps(payload))  # type: ignore[no-any-return]


later_ts = st.integers(min_value=0, max_value=999_999).map(lambda n: f"1700000001.{n:06d}")
texts = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40).filter(str.strip)


@given(st.dictionaries(later_ts, texts, min_size=1, max_size=6))
def test_joined_messages_are_filed_after_the_first_in_the_order_they_were_posted(joined: dict[str, str]) -> None:
    payload = held()
    for ts, text in reversed(list(joined.items())):  # in any order they arrive
        payload = through_json(with_detail(payload, ts=ts, text=text))
    request = TicketRequest.from_payload(payload)
    in_order = [joined[ts] for ts in sorted(joined, key=float)]
    assert request.description() == "\n\n".join(["VPN is down", *in_order])


@given(st.dictionaries(later_ts, texts, min_size=1, max_size=6), st.data())
def test_taking_a_joined_message_out_is_the_same_as_never_joining_it(
    joined: dict[str, str], data: st.DataObject
) -> None:
    gone = data.draw(st.sampled_from(sorted(joined)))
    payload = held()
    for ts, text in joined.items():
        payload = with_detail(payload, ts=ts, text=text)
    never = held()
    for ts, text in joined.items():
        if ts != gone:
            never = with_detail(never, ts=ts, text=text)
    assert without(payload, ts=gone) == never


@given(later_ts, texts, texts)
def test_an_edit_replaces_a_joined_message_and_joins_nothing_twice(ts: str, before: str, after: str) -> None:
    once = with_detail(with_detail(held(), ts=ts, text=before), ts=ts, text=after)
    assert TicketRequest.from_payload(once).details == (Detail(ts, after),)


def test_the_first_message_edited_keeps_what_joined_it() -> None:
    payload = with_detail(held(), ts="1700000001.000000", text="since 9am")
    edited = TicketRequest.from_payload(with_first_text(payload, title="VPN drops", text="VPN drops often"))
    assert (edited.draft.title, edited.description()) == ("VPN drops", "VPN drops often\n\nsince 9am")


def test_the_first_message_taken_out_hands_the_ticket_to_the_next_or_leaves_nothing() -> None:
    assert without(held(), ts=ROOT_TS) is None
    payload = with_detail(held(), ts="1700000001.000000", text="Printer on floor 3\njams")
    payload = with_detail(payload, ts="1700000002.000000", text="every page")
    promoted = without(payload, ts=ROOT_TS)
    assert promoted is not None
    request = TicketRequest.from_payload(promoted)
    assert request.thread_key() is not None and request.thread_key().thread_ts == "1700000001.000000"  # type: ignore[union-attr]
    assert request.origin.message_ts == "1700000001.000000"
    assert request.draft.title == "Printer on floor 3"
    assert request.description() == "Printer on floor 3\njams\n\nevery page"
    assert request.message_link is None  # it named the message taken out


def test_the_joined_description_is_cut_to_the_helpdesks_limit() -> None:
    payload = with_detail(held("x" * (DESCRIPTION_MAX_LENGTH - 10)), ts="1700000001.000000", text="y" * 100)
    request = TicketRequest.from_payload(payload)
    assert len(request.description()) == DESCRIPTION_MAX_LENGTH
    assert request.description().startswith("x" * (DESCRIPTION_MAX_LENGTH - 10))
