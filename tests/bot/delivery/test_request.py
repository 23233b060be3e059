from __future__ import annotations

import json

from bot.delivery.request import CloseRequest, ReplyRequest, SlackOrigin, TicketRequest, write_from_payload
from bot.domain.filing import Person
from bot.domain.forms import Draft

ORIGIN = SlackOrigin(user_id="U1", team_id="T1", channel_id="C1", view_id="V1", thread_ts="1.0", via_reaction=True)


def test_every_write_survives_the_outbox_json_round_trip() -> None:
    writes = [
        TicketRequest(
            form_id="wa_1",
            draft=Draft("wa_1", "Title", "Body", {"n": 2.0, "tags": ["a", "b"], "ok": True}),
            requester=Person("U1", "a@x", "A"),
            reporter=Person("U2"),
            origin=ORIGIN,
            people={"U3": Person("U3", None, "C")},
            message_link="https://x/p1",
        ),
        ReplyRequest(ticket_id="req_1", text="hello", author=Person("U1"), origin=ORIGIN, internal=True),
        CloseRequest(ticket_id="req_1", origin=ORIGIN),
    ]
    for write in writes:
        assert write_from_payload(json.loads(json.dumps(write.to_payload()))) == write
