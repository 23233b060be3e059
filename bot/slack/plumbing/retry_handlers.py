"""slack_sdk's retry handlers, minus blind resends of a write Slack may already have made.

A 5xx, or a connection lost after the request went out, says nothing of whether Slack posted the
message. A post or an ephemeral sent again on such an answer is a second post. Those are left to
the caller: the outbox looks for an earlier post before posting again (``bot.slack.thread.announce``).
A connection that was never made, and every read or update (the same call twice leaves the same
state), are retried as slack_sdk would."""

from __future__ import annotations

from aiohttp import ClientConnectorError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

NOT_RESENT_BLINDLY = frozenset({"chat.postMessage", "chat.postEphemeral", "chat.scheduleMessage", "chat.meMessage"})
"""Web API methods whose second call makes a second message."""


def api_method(url: str) -> str:
    """``https://slack.com/api/chat.postMessage?x=1`` -> ``chat.postMessage``."""
    return url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]


class _LooksBeforeResending(AsyncRetryHandler):
    """A handler whose resend of a post happens only where ``resend_is_safe`` says so."""

    def resend_is_safe(self, error: Exception | None) -> bool:
        return False

    async def _can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if api_method(request.url) in NOT_RESENT_BLINDLY and not self.resend_is_safe(error):
            return False
        return await super()._can_retry_async(state=state, request=request, response=response, error=error)


class _WritesLooked(_LooksBeforeResending, AsyncServerErrorRetryHandler):
    """A 5xx says nothing of whether the post was made."""


class _ConnectionsLooked(_LooksBeforeResending, AsyncConnectionErrorRetryHandler):
    def resend_is_safe(self, error: Exception | None) -> bool:
        return isinstance(error, ClientConnectorError)  # never reached Slack


def retry_handlers(*, max_retry_count: int = 2) -> list[AsyncRetryHandler]:
    """Connection errors, rate limits and 5xx answers, each retried up to ``max_retry_count``
    times, except where a resend could post twice."""
    return [
        _ConnectionsLooked(max_retry_count=max_retry_count),
        AsyncRateLimitErrorRetryHandler(max_retry_count=max_retry_count),
        _WritesLooked(max_retry_count=max_retry_count),
    ]
