"""Slack request bodies encoded by orjson mean what the standard encoder's meant: any JSON value
reads back equal, and what orjson refuses is still encoded as before."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from bot.slack.plumbing.json_body import json_text

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(), inner, max_size=5),
    max_leaves=30,
)


@given(json_values)
def test_any_json_value_reads_back_as_the_standard_encoder_wrote_it(value: Any) -> None:
    assert json.loads(json_text(value)) == json.loads(json.dumps(value))


def test_what_orjson_refuses_is_encoded_as_the_standard_encoder_does() -> None:
    for value in ({1: "one"}, {"big": 2**70}):
        assert json_text(value) == json.dumps(value)


def test_a_modal_with_non_ascii_text_is_sent_as_utf_8_json() -> None:
    view = {"type": "modal", "title": {"type": "plain_text", "text": "Café ☕ \u2028"}}
    assert json.loads(json_text({"view": view})) == {"view": view}
