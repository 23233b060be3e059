"""Hypothesis against the running app's HTTP surface, over raw bytes and headers: no route
answers 5xx, whatever arrives (signed or not, JSON or form, valid UTF-8 or not)."""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import urlencode

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.testing.slack_client import signature
from tests.conftest import SIGNING_SECRET, StartBot

WEBHOOK_SECRET = "webhook-secret-0123456789abcdef"
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=20,
)
SHAPES = ["type", "user", "view", "actions", "event", "team", "ticket", "id", "payload", "command", "trigger_id"]
slackish = st.dictionaries(st.sampled_from(SHAPES), json_values, max_size=6)
bodies = st.one_of(
    st.binary(max_size=400),
    slackish.map(lambda d: json.dumps(d).encode()),
    slackish.map(lambda d: urlencode({"payload": json.dumps(d)}).encode()),
    st.dictionaries(
        st.sampled_from(["command", "text", "user_id", "trigger_id", "channel_id"]), st.text(max_size=20)
    ).map(lambda d: urlencode(d).encode()),
)
content_types = st.sampled_from(
    ["application/json", "application/x-www-form-urlencoded", "text/plain", "", "application/json; charset=latin-1"]
)


def test_no_input_makes_any_route_answer_5xx(start_suptask_bot: StartBot) -> None:
    bot = start_suptask_bot(suptask_webhook_secret=WEBHOOK_SECRET)

    @settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        path=st.sampled_from(["/slack/events", "/webhooks/suptask", "/healthz"]),
        body=bodies,
        content_type=content_types,
        signed=st.booleans(),
        extra=st.dictionaries(
            st.sampled_from(["X-Slack-Retry-Num", "X-Webhook-Secret"]),
            st.text(st.characters(min_codepoint=33, max_codepoint=126), max_size=8),
        ),
    )
    def one_request(path: str, body: bytes, content_type: str, signed: bool, extra: dict[str, str]) -> None:
        headers: dict[str, Any] = {"Content-Type": content_type, **{k: v.encode("utf-8") for k, v in extra.items()}}
        if signed:
            ts = str(int(time.time()))
            headers |= {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": signature(SIGNING_SECRET, ts, body)}
            headers["X-Webhook-Secret"] = WEBHOOK_SECRET
        method = "GET" if path == "/healthz" else "POST"
        response = bot.sender.http.request(method, bot.url + path, content=body, headers=headers)
        assert response.status_code < 500, (path, body[:200], response.status_code, response.text[:200])

    one_request()
