"""What the app acknowledges, it has recorded.

Slack sends an acknowledged request again never, so a request that leads to a helpdesk write or a
Slack post (``bot.slack.recording.intake`` says which) is recorded before the ack, and its id rides in the
Bolt context (``INBOX_ID``). It is forgotten in the same transaction as the outbox item that acts
on it (``TicketDelivery.submit(settles=...)``), or when its listener ends with nothing to do
(``settling``). What a crash left is replayed through the same listeners (``InboxReplay``), marked
as Slack's retry, so that the keys that hold for Slack's retries (the thread's claim, the
message sent once, the recorded request itself) hold for replays too."""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Protocol

from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_bolt.util.utils import get_arg_names_of_callable

from bot.delivery.recorded import RecordedRequest
from bot.stopping import pause

log = logging.getLogger(__name__)

INBOX_ID = "inbox_id"
"""The Bolt context key of the recorded request being handled (a ``RecordedRequest``)."""

MAX_REPLAYS = 5
"""A request whose listener failed this many times is dropped (with a warning): it cannot pass."""


class Inbox(Protocol):
    async def record(self, body: dict[str, Any]) -> str: ...

    async def settle(self, entry_id: str) -> bool: ...

    async def take_due(
        self, *, limit: int = 20, leased_before: float | None = None
    ) -> list[tuple[str, dict[str, Any], int]]: ...


Listener = Callable[..., Awaitable[None]]


def settling(inbox: Inbox, listener: Listener) -> Listener:
    """The listener, then its recorded request forgotten if nothing else did. A listener that
    raises leaves it recorded: replayed once its lease runs out. The listener must take
    ``context`` (Bolt passes only the arguments a listener names)."""
    if "context" not in get_arg_names_of_callable(listener):
        raise TypeError(f"{listener.__name__} must take `context` to settle its recorded request")

    @functools.wraps(listener)
    async def run(**kwargs: Any) -> None:
        await listener(**kwargs)
        await settle(inbox, kwargs["context"].get(INBOX_ID))

    return run


class WorthRecording(Protocol):
    async def worth_recording(self, body: Mapping[str, Any]) -> bool: ...


class Recorder:
    """Used at the edge, before the ack: the request recorded when it is worth it (its id), else
    ``None``. Raises when the database cannot take it: then it must not be acknowledged."""

    def __init__(self, *, intake: WorthRecording, inbox: Inbox) -> None:
        self._intake = intake
        self._inbox = inbox

    async def __call__(self, body: Mapping[str, Any]) -> str | None:
        if not await self._intake.worth_recording(body):
            return None
        return await self._inbox.record(dict(body))


def dispatcher(app: AsyncApp, inbox: Inbox) -> Callable[[AsyncBoltRequest], Awaitable[BoltResponse]]:
    """Bolt's dispatch; a recorded request that no listener takes is forgotten at once."""

    async def dispatch(request: AsyncBoltRequest) -> BoltResponse:
        response = await app.async_dispatch(request)
        if response.status == 404:
            await settle(inbox, request.context.get(INBOX_ID))
        return response

    return dispatch


async def settle(inbox: Inbox, recorded: RecordedRequest | None) -> None:
    """Forget the recorded request, unless something forgot it already."""
    if recorded is not None and not recorded.settled:
        await inbox.settle(recorded.id)
        recorded.settled = True


def replayed_request(entry_id: str, body: dict[str, Any]) -> AsyncBoltRequest:
    """The recorded request as Bolt takes it (a parsed body, as in Socket Mode: nothing to
    verify), marked as Slack's retry so that nobody is told twice."""
    return AsyncBoltRequest(
        body=body,
        mode="socket_mode",
        headers={"x-slack-retry-num": "1", "x-slack-retry-reason": "recorded"},
        context={INBOX_ID: RecordedRequest(entry_id)},
    )


class InboxReplay:
    """Replays what a crash (or a listener that failed) left recorded: at start, everything
    recorded before (its process is gone, or the keys make a second run harmless), then what
    outlived its lease."""

    def __init__(
        self,
        *,
        app: AsyncApp,
        inbox: Inbox,
        poll_seconds: float = 5.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._dispatch = dispatcher(app, inbox)
        self._inbox = inbox
        self._poll = poll_seconds
        self._clock = clock

    async def run(self, stop: asyncio.Event) -> None:
        started = self._clock()
        first = True
        while not stop.is_set():
            try:
                await self.replay_due(leased_before=started if first else None)
                first = False
            except Exception:
                log.exception("inbox replay pass failed; retrying on the next pass")
            await pause(stop, self._poll)

    async def replay_due(self, *, leased_before: float | None = None) -> int:
        """One pass; how many requests were replayed."""
        replayed = 0
        while taken := await self._inbox.take_due(leased_before=leased_before):
            for entry_id, body, attempts in taken:
                if attempts >= MAX_REPLAYS:
                    log.warning("dropped recorded Slack request %s after %d failed attempts", entry_id, attempts)
                    await self._inbox.settle(entry_id)
                    continue
                await self._dispatch(replayed_request(entry_id, body))
                replayed += 1
        return replayed
