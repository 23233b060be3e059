"""Prometheus metrics (``GET /metrics``): what an on-call engineer asks first. Instruments live
in one registry per app (no module-level state); values read from the database (outbox depth,
parked count, oldest waiting item) are read at scrape time.

Guarded: with ``METRICS_TOKEN`` set, only ``Authorization: Bearer <token>`` is answered; without
one, only clients on loopback or private networks that did not come through a proxy."""

from __future__ import annotations

import hmac
import ipaddress
import re
import time
from collections.abc import Awaitable, Callable

import httpx
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from bot.domain.events import TicketFiled, TicketNotFiled
from bot.storage.outbox import OutboxStore
from bot.tickets.events import EventBus

WORD_SEGMENT = re.compile(r"^([a-z]+(-[a-z]+)*|v\d+)?$")
"""A path segment that is part of a route (``requests``, ``v1``); any other names one thing
(``wa_5f2c...``, ``12``, a UUID) and is replaced by ``{id}``, so that labels stay few."""
FAST_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


def route_of(path: str) -> str:
    return "/".join(part if WORD_SEGMENT.match(part) else "{id}" for part in path.split("/"))


class Metrics:
    def __init__(self, *, backend: str) -> None:
        self.registry = CollectorRegistry()
        self.backend = backend
        self.tickets = Counter(
            "tickets",
            "Tickets by entry point and outcome",
            ["entry_point", "backend", "outcome"],
            registry=self.registry,
        )
        self.helpdesk_seconds = Histogram(
            "helpdesk_request_seconds",
            "Helpdesk calls by route and status",
            ["route", "status"],
            registry=self.registry,
        )
        self.webhooks = Counter(
            "webhook_deliveries", "Helpdesk webhooks by outcome", ["outcome"], registry=self.registry
        )
        self.ack_seconds = Histogram(
            "slack_ack_seconds",
            "From a Slack request's arrival to its answer",
            buckets=FAST_BUCKETS,
            registry=self.registry,
        )
        self.outbox_items = Gauge("outbox_items", "Outbox items by status", ["status"], registry=self.registry)
        self.outbox_oldest = Gauge(
            "outbox_oldest_waiting_seconds", "Age of the oldest item waiting for the helpdesk", registry=self.registry
        )
        self.listener_queue = Gauge(
            "listener_queue_length", "Acknowledged requests waiting for a listener", registry=self.registry
        )
        self.inbox_recorded = Counter(
            "inbox_recorded", "Slack requests recorded before their ack", registry=self.registry
        )
        self.inbox_commits = Counter(
            "inbox_commits",
            "Database commits that recorded Slack requests (a group commit each)",
            registry=self.registry,
        )

    def ticket(self, entry_point: str, outcome: str) -> None:
        self.tickets.labels(entry_point, self.backend, outcome).inc()

    def inbox_commit(self, recorded: int) -> None:
        """One group commit recorded ``recorded`` Slack requests."""
        self.inbox_commits.inc()
        self.inbox_recorded.inc(recorded)

    def webhook(self, outcome: str) -> None:
        """A helpdesk webhook's outcome, as its route reports it (``WebhookOutcomes``)."""
        self.webhooks.labels(outcome).inc()

    def count_tickets(self, events: EventBus) -> None:
        """Each ticket's outcome by entry point, subscribed to the ticket's events."""

        async def filed(event: TicketFiled) -> None:
            self.ticket(event.entry_point, "filed")

        async def not_filed(event: TicketNotFiled) -> None:
            self.ticket(event.entry_point, "parked" if event.parked else "refused")

        events.subscribe(TicketFiled, filed)
        events.subscribe(TicketNotFiled, not_filed)


class MeasuredTransport(httpx.AsyncBaseTransport):
    """Times every helpdesk call to its response headers, labelled by route and status."""

    def __init__(self, inner: httpx.AsyncBaseTransport, metrics: Metrics) -> None:
        self._inner = inner
        self._metrics = metrics

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        started = time.perf_counter()
        status = "error"
        try:
            response = await self._inner.handle_async_request(request)
            status = str(response.status_code)
            return response
        finally:
            route = f"{request.method} {route_of(request.url.path)}"
            self._metrics.helpdesk_seconds.labels(route, status).observe(time.perf_counter() - started)

    async def aclose(self) -> None:
        await self._inner.aclose()


PROXY_HEADERS = ("forwarded", "x-forwarded-for", "x-forwarded-host", "x-forwarded-proto", "x-real-ip")
"""Headers a reverse proxy adds: a request carrying one came from elsewhere."""


class MetricsEndpoint:
    def __init__(
        self,
        *,
        metrics: Metrics,
        outbox: OutboxStore,
        token: str | None,
        queue_length: Callable[[], int],
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._metrics = metrics
        self._outbox = outbox
        self._token = token
        self._queue_length = queue_length
        self._clock = clock

    def allowed(self, request: Request) -> bool:
        if self._token is not None:
            given = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
            return hmac.compare_digest(given.encode(), self._token.encode())
        # Without a token, only a client on this machine talking to us directly: a reverse proxy
        # on the same host connects from loopback too, so any header one adds refuses it (nginx's
        # plain proxy_pass adds none of them: put a token on a proxied /metrics).
        if request.client is None or any(h in request.headers for h in PROXY_HEADERS):
            return False
        try:
            return ipaddress.ip_address(request.client.host).is_loopback
        except ValueError:
            return False

    async def handle(self, request: Request) -> Response:
        if not self.allowed(request):
            return PlainTextResponse("forbidden", status_code=403)
        stats = await self._outbox.stats()
        for status in ("pending", "filed", "failed", "done"):
            self._metrics.outbox_items.labels(status).set(stats.counts.get(status, 0))
        oldest = stats.oldest_waiting_at
        self._metrics.outbox_oldest.set(max(0.0, self._clock() - oldest) if oldest is not None else 0.0)
        self._metrics.listener_queue.set(self._queue_length())
        return Response(generate_latest(self._metrics.registry), media_type=CONTENT_TYPE_LATEST)


def timed(
    handle: Callable[[Request], Awaitable[Response]], observe: Callable[[Response, float], None]
) -> Callable[[Request], Awaitable[Response]]:
    """A route's handler that reports each answer and how long it took."""

    async def handler(request: Request) -> Response:
        started = time.perf_counter()
        response = await handle(request)
        observe(response, time.perf_counter() - started)
        return response

    return handler
