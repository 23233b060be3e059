"""The one way a Slack call that may fail without harm is made: Slack's refusal (``not_in_channel``,
``message_not_found``, a closed modal...) costs only what the call would have shown; it is
logged at INFO with what was attempted, and ``None`` comes back. A lost connection is not
swallowed here: it reaches the caller, whose step is retried."""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from typing import TypeVar

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_slack_response import AsyncSlackResponse

log = logging.getLogger(__name__)

Response = TypeVar("Response", bound=AsyncSlackResponse)


PASSING_ERRORS = frozenset({"ratelimited", "internal_error", "fatal_error", "request_timeout", "service_unavailable"})
"""Slack's own trouble, which passes: worth trying again later."""


def passing(exc: SlackApiError) -> bool:
    """Slack rate limiting or in trouble (429, 5xx), not refusing."""
    status = getattr(exc.response, "status_code", 200)
    return status == 429 or status >= 500 or slack_error(exc) in PASSING_ERRORS


def slack_error(exc: SlackApiError) -> str:
    """Slack's error code, or the HTTP status when the answer was not Slack's JSON (a 5xx page)."""
    data = exc.response.data
    error = data.get("error") if isinstance(data, dict) else None
    return str(error) if error else f"HTTP {exc.response.status_code}"


async def best_effort(call: Awaitable[Response], what: str, *, needed: bool = False) -> Response | None:
    """``needed``: the caller cannot go on without the answer, so Slack's passing trouble
    (``passing``) is raised, for the caller's step to be tried again, not taken for a refusal."""
    try:
        return await call
    except SlackApiError as exc:
        if needed and passing(exc):
            raise
        log.info("%s: Slack said %s", what, slack_error(exc))
        return None
