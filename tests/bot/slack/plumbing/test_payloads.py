"""The payload readers, table-driven: every shape Slack sends, and the malformed ones."""

from __future__ import annotations

from typing import Any

import pytest

from bot.domain.thread import ThreadKey
from bot.slack.plumbing.payloads import team_id, thread_of, user_id


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"user": {"id": "U1", "team_id": "T9"}, "team": {"id": "T1"}}, ("U1", "T1")),
        ({"user": {"id": "U1", "team_id": "T9"}}, ("U1", "T9")),  # only the member's own workspace
        ({"user": {"id": "U1"}, "team": {"id": ""}}, ("U1", "")),
        ({"user": "U1", "team": "T1"}, ("", "")),  # not objects
        ({"user": {"id": 5}, "team": {"id": None}}, ("", "")),
        ({}, ("", "")),
    ],
)
def test_who_acted_and_where(body: dict[str, Any], expected: tuple[str, str]) -> None:
    assert (user_id(body), team_id(body)) == expected


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("T1", "C1", "5.1", None), ThreadKey("T1", "C1", "5.1")),  # a message is its own root
        (("T1", "C1", "5.2", "5.1"), ThreadKey("T1", "C1", "5.1")),  # a reply: its thread's root
        (("T1", None, "5.1", None), None),
        (("T1", "C1", None, None), None),
    ],
)
def test_the_thread_of_a_message(args: tuple[Any, ...], expected: ThreadKey | None) -> None:
    assert thread_of(*args) == expected
