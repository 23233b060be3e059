"""slack_sdk's retries, minus blind resends of a post."""

from __future__ import annotations

import asyncio

import pytest
from aiohttp import ClientConnectorError, ServerDisconnectedError
from aiohttp.client_reqrep import ConnectionKey
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

from bot.slack.plumbing.retry_handlers import api_method, retry_handlers


def can_retry(method: str, *, status: int | None = None, error: Exception | None = None) -> bool:
    request = HttpRequest(method="POST", url=f"https://slack.com/api/{method}", headers={})
    response = HttpResponse(status_code=status, headers={}, data=b"") if status else None

    async def ask() -> bool:
        answers = [
            await h.can_retry_async(state=RetryState(), request=request, response=response, error=error)
            for h in retry_handlers()
        ]
        return any(answers)

    return asyncio.run(ask())


def refused_connection() -> ClientConnectorError:
    key = ConnectionKey("slack.com", 443, True, None, None, None, None)
    return ClientConnectorError(key, OSError(111, "Connection refused"))


@pytest.mark.parametrize("method", ["chat.postMessage", "chat.postEphemeral"])
def test_a_post_is_not_resent_when_it_may_have_been_made(method: str) -> None:
    assert not can_retry(method, status=500)
    assert not can_retry(method, error=ServerDisconnectedError())
    assert can_retry(method, error=refused_connection())  # never reached Slack
    assert can_retry(method, status=429)  # refused by the rate limit: not made


@pytest.mark.parametrize("method", ["conversations.replies", "users.info", "chat.update", "views.publish"])
def test_reads_and_updates_are_retried_as_slack_sdk_would(method: str) -> None:
    assert can_retry(method, status=503)
    assert can_retry(method, error=ServerDisconnectedError())
    assert can_retry(method, status=429)
    assert not can_retry(method, status=400)


def test_the_api_method_is_read_from_the_url() -> None:
    assert api_method("https://slack.com/api/chat.postMessage") == "chat.postMessage"
    assert api_method("http://127.0.0.1:9/api/chat.postMessage?x=1") == "chat.postMessage"
    assert api_method("http://127.0.0.1:9/api/users.info/") == "users.info"
