from __future__ import annotations

import json
from dataclasses import replace
from urllib.parse import parse_qs, urlencode

import pytest

from bot.serve.request_shape import RequestShape, read_shape

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


def interaction(payload: object) -> str:
    return urlencode({"payload": json.dumps(payload)})


USER = {"id": "U1"}
VIEW = {"id": "V1", "type": "modal"}

CASES: list[tuple[str, str, str, RequestShape]] = [
    ("slash command", urlencode({"command": "/ticket", "text": "x"}), FORM, RequestShape(answer_is_ignored=True)),
    ("ssl check", "ssl_check=1&token=x", FORM, RequestShape()),
    (
        "event",
        json.dumps({"type": "event_callback", "event": {"type": "reaction_added"}}),
        JSON,
        RequestShape(answer_is_ignored=True),
    ),
    ("url verification", json.dumps({"type": "url_verification", "challenge": "c"}), JSON, RequestShape()),
    (
        "button click",
        interaction({"type": "block_actions", "user": USER, "actions": [{"action_id": "a"}]}),
        FORM,
        RequestShape(answer_is_ignored=True),
    ),
    ("global shortcut", interaction({"type": "shortcut", "user": USER}), FORM, RequestShape(answer_is_ignored=True)),
    (
        "message shortcut",
        interaction({"type": "message_action", "user": USER}),
        FORM,
        RequestShape(answer_is_ignored=True),
    ),
    (
        "view closed",
        interaction({"type": "view_closed", "user": USER, "view": VIEW}),
        FORM,
        RequestShape(answer_is_ignored=True),
    ),
    ("view submission", interaction({"type": "view_submission", "user": USER, "view": VIEW}), FORM, RequestShape()),
    ("options", interaction({"type": "block_suggestion", "user": USER, "value": "pr"}), FORM, RequestShape()),
    ("payload not JSON", "payload=%7Bnot-json", FORM, RequestShape("payload is not JSON")),
    ("payload a list", interaction([1, 2]), FORM, RequestShape("payload is not a Slack interaction")),
    ("no user", interaction({"type": "shortcut"}), FORM, RequestShape("payload has no user")),
    (
        "submission without view",
        interaction({"type": "view_submission", "user": USER}),
        FORM,
        RequestShape("view payload without a view"),
    ),
    (
        "view without id",
        interaction({"type": "view_submission", "user": USER, "view": {"type": "modal"}}),
        FORM,
        RequestShape("payload has a malformed view"),
    ),
    (
        "click without actions",
        interaction({"type": "block_actions", "user": USER, "actions": []}),
        FORM,
        RequestShape("block_actions without actions"),
    ),
    ("unknown form", "hello=world", FORM, RequestShape("not a Slack request")),
    ("JSON not parseable", "{not json", JSON, RequestShape("body is not JSON")),
    ("JSON a list", "[1, 2]", JSON, RequestShape("body is not a JSON object")),
    (
        "event without event",
        json.dumps({"type": "event_callback", "event": None}),
        JSON,
        RequestShape("event_callback without an event"),
    ),
]


@pytest.mark.parametrize(("text", "content_type", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_read_shape(text: str, content_type: str, expected: RequestShape) -> None:
    assert replace(read_shape(text, content_type), payload=None) == expected


@pytest.mark.parametrize(("text", "content_type"), [c[1:3] for c in CASES], ids=[c[0] for c in CASES])
def test_the_payload_read_is_the_event_envelope_or_the_interaction_and_only_for_a_slack_request(
    text: str, content_type: str
) -> None:
    shape = read_shape(text, content_type)
    form = parse_qs(text)
    if shape.problem or (content_type == FORM and "payload" not in form):
        assert shape.payload is None  # commands and checks carry none; refused bodies are not read on
    elif content_type == JSON:
        parsed = json.loads(text)
        assert shape.payload == (parsed if parsed["type"] != "url_verification" else None)
    else:
        assert shape.payload == json.loads(form["payload"][0])
