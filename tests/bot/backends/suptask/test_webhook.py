from __future__ import annotations

from typing import Any

import pytest

from bot.backends.suptask.webhook import helpdesk_identity

LINK = "https://test.slack.com/archives/D1/p1"


@pytest.mark.parametrize(
    ("ticket", "expected"),
    [
        ({"ticketNumber": 42, "requesterTicketPermalink": LINK}, ("#42", LINK)),
        ({"ticketNumber": " 42 "}, ("#42", None)),
        ({"ticketNumber": 42, "requesterTicketPermalink": "javascript:alert(1)"}, ("#42", None)),
        ({"ticketNumber": 42, "requesterTicketPermalink": "https://x/" + "a" * 3000}, ("#42", None)),
        ({"ticketNumber": True}, None),
        ({"ticketNumber": None}, None),
        ({"ticketNumber": ""}, None),
        ({"ticketNumber": {"n": 1}}, None),
        ({}, None),
    ],
)
def test_helpdesk_identity(ticket: dict[str, Any], expected: tuple[str, str | None] | None) -> None:
    assert helpdesk_identity(ticket) == expected
