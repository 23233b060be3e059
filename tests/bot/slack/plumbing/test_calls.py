"""``best_effort`` against the fake Slack over HTTP: Slack's refusal is logged and read as
nothing; a lost connection is not swallowed (the caller's step is retried)."""

from __future__ import annotations

import asyncio
import logging

import aiohttp
import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.plumbing.calls import best_effort
from bot.testing.slack_api import FakeSlack
from tests.conftest import SLACK_TOKEN


def client_of(fake_slack: FakeSlack) -> AsyncWebClient:
    return AsyncWebClient(token=SLACK_TOKEN, base_url=fake_slack.url + "/api/")  # type: ignore[attr-defined]


def test_a_refusal_is_logged_with_what_was_attempted_and_reads_as_none(
    fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    fake_slack.errors["chat.postEphemeral"] = ["channel_not_found"]
    client = client_of(fake_slack)
    with caplog.at_level(logging.INFO, logger="bot.slack.plumbing.calls"):
        refused = asyncio.run(
            best_effort(client.chat_postEphemeral(channel="C9", user="U1", text="hi"), "answering U1")
        )
    assert refused is None
    assert "answering U1: Slack said channel_not_found" in caplog.text
    answered = asyncio.run(best_effort(client.auth_test(), "asking"))
    assert answered is not None and answered["ok"] is True


def test_a_lost_answer_reaches_the_caller(fake_slack: FakeSlack) -> None:
    fake_slack.drops["chat.update"] = 1
    client = client_of(fake_slack)
    with pytest.raises(aiohttp.ClientError):
        asyncio.run(best_effort(client.chat_update(channel="C100", ts="1.1", text="x"), "updating"))
