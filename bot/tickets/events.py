"""An in-process event bus: handlers subscribe to an event type; ``publish`` awaits each in the
order they subscribed. A handler's exception reaches the publisher (a webhook answers 500 and is
sent again, a poll round retries), so handlers do their own best-effort catching."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

Event = TypeVar("Event")


class EventBus:
    def __init__(self) -> None:
        self._handlers: defaultdict[type[Any], list[Callable[[Any], Awaitable[None]]]] = defaultdict(list)

    def subscribe(self, event_type: type[Event], handler: Callable[[Event], Awaitable[None]]) -> None:
        self._handlers[event_type].append(handler)

    async def publish(self, event: object) -> None:
        for handler in self._handlers.get(type(event), ()):
            await handler(event)
