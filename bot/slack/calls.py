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


async def best_effort(call: Awaitable[Response], what: str) -> Response | None:
    try:
        return await call
    except SlackApiError as exc:
        log.info("%s: Slack said %s", what, exc.response.get("error"))
        return None
