"""App Home: each person's tickets, published with ``views.publish`` when they open the tab and,
debounced, when one of their tickets is filed or changes (subscribed to the ticket's events).
Agents (as the one authorization rule knows them) also see the open tickets filed through the
app; those who opened their Home lately are refreshed on any ticket's change."""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections import OrderedDict
from collections.abc import Callable

from slack_sdk.errors import SlackApiError
from slack_sdk.models.views import View
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.events import TicketFiled, TicketRenamed, TicketStatusChanged
from bot.domain.ticket import Ticket
from bot.slack.plumbing.calls import slack_error
from bot.slack.plumbing.token_info import TokenInfo
from bot.slack.views.home import PAGE_SIZE, HomeContext, HomeState, Queue, TicketPage, home_view
from bot.tickets.authorization import TicketAuthorization
from bot.tickets.events import EventBus
from bot.tickets.ports import TicketBackend, TicketListing

log = logging.getLogger(__name__)

AGENT_WATCH_SECONDS = 3600.0
"""An agent who opened their Home this recently gets the queue refreshed as tickets change."""
REMEMBERED_PEOPLE = 10_000
"""Whose pages and filters are kept in memory (the least recent are forgotten: first pages)."""


class HomeTab:
    def __init__(
        self,
        *,
        client: AsyncWebClient,
        token: TokenInfo,
        tickets: TicketListing,
        authorization: TicketAuthorization,
        backend: TicketBackend,
        refresh_seconds: float = 3.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._token = token
        self._tickets = tickets
        self._authorization = authorization
        self._backend = backend
        self._refresh_seconds = refresh_seconds
        self._clock = clock
        self._states: OrderedDict[str, HomeState] = OrderedDict()
        self._agents: dict[str, float] = {}  # agent -> when they last opened their Home
        self._last_published: dict[str, float] = {}
        self._due: dict[str, float] = {}  # person -> when their refresh may be published
        self._wake = asyncio.Event()

    def subscribe(self, events: EventBus) -> None:
        events.subscribe(TicketFiled, self._changed)
        events.subscribe(TicketStatusChanged, self._changed)
        events.subscribe(TicketRenamed, self._changed)

    async def opened(self, user_id: str, state: HomeState | None = None) -> None:
        """The person opened the tab or turned a page: published now."""
        if state is not None:
            self._remember(user_id, state)
        await self._publish(user_id)

    async def view_for(self, user_id: str, state: HomeState) -> View:
        """The person's Home as it stands (read from the database, nothing from Slack but the
        workspace's address, once)."""
        closed = self._backend.closed_statuses
        name = self._backend.name
        # Who they are first (it may wait on the helpdesk), then both lists one right after the
        # other: a ticket written while the helpdesk was asked shows in both lists, not one.
        scope = await self._authorization.queue_scope(user_id)
        mine = await self._tickets.of_person(
            name, user_id, closed=closed, limit=PAGE_SIZE + 1, offset=state.mine_page * PAGE_SIZE
        )
        queue = None
        if scope is not None:
            self._agents[user_id] = self._clock()
            default = self._backend.open_status
            listed = await self._tickets.open_tickets(
                name,
                closed=closed,
                status=state.queue_status,
                default_status=default,
                limit=PAGE_SIZE + 1,
                offset=state.queue_page * PAGE_SIZE,
                scope=scope,
            )
            statuses = await self._tickets.open_statuses(name, closed=closed, default_status=default, scope=scope)
            queue = Queue(page=_page(listed, state.queue_page), statuses=statuses, status=state.queue_status)
        context = HomeContext(
            helpdesk=self._backend.display_name, closed_statuses=closed, workspace_url=await self._token.workspace_url()
        )
        return home_view(mine=_page(mine, state.mine_page), queue=queue, state=state, context=context)

    def state_of(self, user_id: str) -> HomeState:
        return self._states.get(user_id) or HomeState()

    async def run(self, stop: asyncio.Event) -> None:
        """Publishes the refreshes that events asked for, each person at most once per
        ``refresh_seconds``."""
        stopping = asyncio.ensure_future(stop.wait())
        try:
            while not stop.is_set():
                now = self._clock()
                ready = [user for user, at in self._due.items() if at <= now]
                for user_id in ready:
                    del self._due[user_id]
                    await self._publish(user_id)
                if ready:
                    continue
                self._wake.clear()
                wait = min(self._due.values(), default=math.inf) - now
                waking = asyncio.ensure_future(self._wake.wait())
                await asyncio.wait(
                    [stopping, waking],
                    timeout=None if wait == math.inf else wait,
                    return_when=asyncio.FIRST_COMPLETED,
                )
                waking.cancel()
        finally:
            stopping.cancel()

    async def _changed(self, event: TicketFiled | TicketStatusChanged | TicketRenamed) -> None:
        now = self._clock()
        for user_id, seen in list(self._agents.items()):
            if now - seen > AGENT_WATCH_SECONDS:
                del self._agents[user_id]
        if len(self._last_published) > REMEMBERED_PEOPLE:
            for user_id, at in list(self._last_published.items()):
                if now - at > self._refresh_seconds:
                    del self._last_published[user_id]
        for user_id in {event.ticket.requester_id, event.ticket.reporter_id, *self._agents}:
            if user_id not in self._due:
                self._due[user_id] = max(now, self._last_published.get(user_id, -math.inf) + self._refresh_seconds)
        self._wake.set()

    async def _publish(self, user_id: str) -> None:
        self._last_published[user_id] = self._clock()
        try:
            view = await self.view_for(user_id, self.state_of(user_id))
            await self._client.views_publish(user_id=user_id, view=view)
        except SlackApiError as exc:
            log.warning("could not publish the Home of %s: %s", user_id, slack_error(exc))
        except Exception:  # a Home is a view of the database: the next change or opening redraws it
            log.exception("could not publish the Home of %s", user_id)

    def _remember(self, user_id: str, state: HomeState) -> None:
        self._states[user_id] = state
        self._states.move_to_end(user_id)
        while len(self._states) > REMEMBERED_PEOPLE:
            self._states.popitem(last=False)


def _page(tickets: list[Ticket], page: int) -> TicketPage:
    """``tickets`` read with one more than a page: the extra one says there is a next page."""
    return TicketPage(tickets=tickets[:PAGE_SIZE], page=page, has_more=len(tickets) > PAGE_SIZE)
