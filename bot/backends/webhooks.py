"""What every helpdesk's webhook route shares: its outcome reported to the metrics by the route
itself (``WebhookOutcomes``), an error included."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response

from bot.tickets.ports import WebhookOutcomes

Answer = Callable[[Request], Awaitable[tuple[Response, str]]]
"""A route's handler that says what it did (``applied``, ``duplicate``, ...) with its answer."""


def reporting(answer: Answer, outcomes: WebhookOutcomes) -> Callable[[Request], Awaitable[Response]]:
    """The route's handler: answers the sender and reports the outcome."""

    async def handle(request: Request) -> Response:
        try:
            response, outcome = await answer(request)
        except Exception:
            outcomes.webhook("error")
            raise
        outcomes.webhook(outcome)
        return response

    return handle
