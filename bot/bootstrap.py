"""The one place that wires settings, adapters, storage and the app."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gc
import logging
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from dataclasses import dataclass
from typing import Any

import aiohttp
import httpx
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Route

from bot.backends.helpdesks import HELPDESKS
from bot.backends.registry import WEBHOOK_MAX_BODY, TicketServices, create_backend, load_forms
from bot.config.forms_file import FormsFile, FormsFileError
from bot.config.routing import Routing
from bot.config.settings import Settings, SettingsError
from bot.delivery.service import TicketDelivery
from bot.ops.metrics import MeasuredTransport, Metrics, MetricsEndpoint, timed
from bot.ops.readiness import Readiness, SlackAuth
from bot.serve.body_limit import BodyLimit
from bot.serve.listener_pool import ListenerPool
from bot.serve.socket_mode import SocketModeEndpoint
from bot.serve.web import SlackEndpoint, healthz
from bot.slack.app import create_bolt_app
from bot.slack.home import listeners as home
from bot.slack.home.tab import HomeTab
from bot.slack.plumbing.directory import SlackDirectory
from bot.slack.plumbing.json_body import json_text
from bot.slack.plumbing.pace import ChannelPace
from bot.slack.plumbing.retry_handlers import retry_handlers
from bot.slack.plumbing.token_info import TokenInfo
from bot.slack.plumbing.user_groups import UserGroups
from bot.slack.recording.inbox import InboxReplay, Recorder, dispatcher
from bot.slack.recording.intake import Intake
from bot.slack.thread import thread_sync, ticket_actions
from bot.slack.thread.notify import SlackNotifier
from bot.slack.thread.ticket_thread import TicketThread
from bot.slack.triage import actions as triage_actions
from bot.slack.triage.channel import TriageChannel
from bot.slack.ways_in import channel_messages, command, options, picker, reactions, retry, shortcuts, submission
from bot.slack.ways_in.message_request import MessageTickets
from bot.slack.ways_in.modal import FormModal
from bot.storage.database import create_engine, migrate, own_pool
from bot.storage.drafts import DraftStore
from bot.storage.held_requests import HeldRequests
from bot.storage.inbox import InboxStore
from bot.storage.message_tickets import MessageTicketStore
from bot.storage.outbox import OutboxStore
from bot.storage.poll_schedule import PollSchedule
from bot.storage.request_budget import SharedRequestBudget
from bot.storage.sync_log import SyncLog
from bot.storage.tickets import TicketStore
from bot.tickets.authorization import TicketAuthorization
from bot.tickets.catalog import FormCatalog
from bot.tickets.conversation import ConversationReader
from bot.tickets.desk import TicketDesk
from bot.tickets.events import EventBus
from bot.tickets.ports import ReadsConversation, ReadsStatus, TicketBackend
from bot.tickets.reply_policy import ReplyPolicy
from bot.tickets.status_poller import StatusPoller
from bot.tickets.updates import TicketUpdates
from bot.tickets.withdrawal import WithdrawWindow

log = logging.getLogger(__name__)

STOP_SECONDS = 5.0
"""How long a stopping process lets its background loops finish the pass they are in."""

BackgroundTask = Callable[[asyncio.Event], Coroutine[Any, Any, None]]
"""A loop run while the app serves, until its stop event is set."""


def create_routing(settings: Settings, backend: TicketBackend, forms_file: FormsFile | None) -> Routing:
    routing = Routing.build(backend.form_ids(), forms_file, triage_channel=settings.triage_channel)
    for form_id in {routing.default_form_id, *routing.channel_forms.values()}:
        if form_id not in backend.form_ids():
            raise FormsFileError(f"{settings.forms_file}: routing: {form_id!r} is not one of the offered forms")
    return routing


def create_slack_client(settings: Settings) -> AsyncWebClient:
    return AsyncWebClient(
        token=settings.slack_bot_token.get_secret_value(),
        base_url=settings.slack_api_url,
        retry_handlers=retry_handlers(max_retry_count=2),
    )


@dataclass(frozen=True)
class Stores:
    """Every store, on the app's engine (the inbox on a small pool of its own)."""

    engine: AsyncEngine
    inbox_engine: AsyncEngine
    tickets: TicketStore
    drafts: DraftStore
    thread_claims: MessageTicketStore
    sync_log: SyncLog
    outbox: OutboxStore
    inbox: InboxStore
    held: HeldRequests

    async def dispose(self) -> None:
        await self.engine.dispose()
        if self.inbox_engine is not self.engine:
            await self.inbox_engine.dispose()


@dataclass(frozen=True)
class SlackSide:
    """The Slack pieces the use cases and the listeners share."""

    client: AsyncWebClient
    directory: SlackDirectory
    notifier: SlackNotifier
    home_tab: HomeTab
    triage: TriageChannel


@dataclass(frozen=True)
class UseCases:
    """The service layer's pieces, wired to the chosen helpdesk."""

    backend: TicketBackend
    routing: Routing
    catalog: FormCatalog
    desk: TicketDesk
    events: EventBus
    updates: TicketUpdates
    authorization: TicketAuthorization
    reply_policy: ReplyPolicy


def create_app(settings: Settings, *, migrated: bool = False) -> Starlette:
    """The ASGI app; it brings the schema up to date as it starts unless ``migrated`` says that
    was done already (``python -m bot`` migrates in a child process first). Raises
    ``FormsFileError`` for a bad forms file."""
    metrics = Metrics(backend=settings.ticket_backend)
    http_client = create_http_client(settings, metrics)
    helpdesk = HELPDESKS[settings.ticket_backend]
    forms_file = load_forms(settings, helpdesk)
    stores = create_stores(settings, metrics)
    slack_client = create_slack_client(settings)
    budget = functools.partial(SharedRequestBudget, engine=stores.engine)
    backend = create_backend(settings, helpdesk, client=http_client, forms_file=forms_file, shared_budget=budget)
    token_info = TokenInfo(client=slack_client)
    directory = SlackDirectory(client=slack_client, token=token_info)
    use_cases = create_use_cases(settings, backend, forms_file, stores, slack_client, directory)
    # Side effects subscribe to the ticket's events, in this order: the withdraw window first
    # (what the others draw after it knows), then the counts, the thread, App Home, triage.
    WithdrawWindow(tickets=stores.tickets).subscribe(use_cases.events)
    metrics.count_tickets(use_cases.events)
    slack = create_slack_side(settings, slack_client, token_info, directory, use_cases, stores)
    delivery = create_delivery(settings, use_cases, stores, slack.notifier)
    bolt_app = create_listeners(settings, slack, use_cases, stores, delivery)
    listeners: ListenerPool[AsyncBoltRequest] = ListenerPool(
        dispatcher(bolt_app, stores.inbox),
        workers=settings.listener_workers,
        max_defer_seconds=settings.listener_max_defer_seconds,
    )
    intake = Intake(routing=use_cases.routing, ticket_emoji=settings.ticket_emoji, tickets=stores.tickets)
    record = Recorder(intake=intake, inbox=stores.inbox)
    front = create_front(settings, bolt_app, slack_client, listeners, record, metrics)
    services = TicketServices(
        tickets=stores.tickets,
        updates=use_cases.updates,
        deliveries=stores.sync_log,
        waiting_creates=stores.outbox,
        outcomes=metrics,
    )
    helpdesk_routes = helpdesk.routes(settings.helpdesk, services)
    routes = [
        *ops_routes(settings, metrics, stores, slack_client, listeners),
        *front_routes(front, metrics),
        *helpdesk_routes,
    ]
    background = [
        lambda _stop: use_cases.catalog.warm(),
        delivery.run_worker,
        slack.home_tab.run,
        slack.triage.run,
        InboxReplay(app=bolt_app, inbox=stores.inbox, poll_seconds=settings.inbox_poll_seconds).run,
        *status_polling(settings, use_cases, stores),
    ]
    # Every body is bounded before it is read whole (Slack's and the webhooks' own limits).
    limits = Middleware(
        BodyLimit,
        max_bytes=settings.max_body_bytes,
        per_path={route.path: WEBHOOK_MAX_BODY for route in helpdesk_routes},
    )
    lifespan = running(
        migrate_first=not migrated,
        stores=stores,
        slack_client=slack_client,
        http_client=http_client,
        front=front,
        background=background,
    )
    return Starlette(routes=routes, lifespan=lifespan, middleware=[limits])


def create_http_client(settings: Settings, metrics: Metrics) -> httpx.AsyncClient:
    """The helpdesk's HTTP client, every call timed."""
    transport = httpx.AsyncHTTPTransport(limits=httpx.Limits(max_connections=50, max_keepalive_connections=20))
    return httpx.AsyncClient(
        timeout=httpx.Timeout(settings.backend_timeout_seconds), transport=MeasuredTransport(transport, metrics)
    )


def create_stores(settings: Settings, metrics: Metrics) -> Stores:
    engine = create_engine(settings.database_url)
    inbox_engine = own_pool(engine, settings.database_url, connections=2)
    return Stores(
        engine=engine,
        inbox_engine=inbox_engine,
        tickets=TicketStore(engine=engine),
        drafts=DraftStore(engine=engine),
        thread_claims=MessageTicketStore(engine=engine),
        sync_log=SyncLog(engine=engine),
        outbox=OutboxStore(engine=engine),
        inbox=InboxStore(
            engine=inbox_engine, lease_seconds=settings.inbox_lease_seconds, on_commit=metrics.inbox_commit
        ),
        held=HeldRequests(engine=engine),
    )


def create_use_cases(
    settings: Settings,
    backend: TicketBackend,
    forms_file: FormsFile | None,
    stores: Stores,
    slack_client: AsyncWebClient,
    directory: SlackDirectory,
) -> UseCases:
    events = EventBus()
    routing = create_routing(settings, backend, forms_file)
    return UseCases(
        backend=backend,
        routing=routing,
        catalog=FormCatalog(backend=backend, ttl_seconds=settings.form_cache_seconds),
        desk=TicketDesk(backend=backend, store=stores.tickets),
        events=events,
        updates=TicketUpdates(tickets=stores.tickets, thread_claims=stores.thread_claims, events=events),
        authorization=TicketAuthorization(
            backend=backend,
            people=directory,
            agent_ids=settings.agent_slack_ids,
            route_agents=routing.route_agents,
            teams=UserGroups(client=slack_client, ttl_seconds=settings.agent_cache_seconds),
        ),
        reply_policy=ReplyPolicy(
            default=settings.reply_sync,
            per_form={f.form_id: f.reply_sync for f in (forms_file.forms if forms_file else ()) if f.reply_sync},
        ),
    )


def create_slack_side(
    settings: Settings,
    slack_client: AsyncWebClient,
    token_info: TokenInfo,
    directory: SlackDirectory,
    use_cases: UseCases,
    stores: Stores,
) -> SlackSide:
    """What Slack shows of a ticket, each part subscribed to the ticket's events: its thread,
    App Home, the triage channel."""
    backend, events = use_cases.backend, use_cases.events
    ticket_thread = TicketThread(client=slack_client, backend=backend, token=token_info)
    ticket_thread.subscribe(events)
    home_tab = HomeTab(
        client=slack_client,
        token=token_info,
        tickets=stores.tickets,
        authorization=use_cases.authorization,
        backend=backend,
        refresh_seconds=settings.home_refresh_seconds,
    )
    home_tab.subscribe(events)
    triage = TriageChannel(
        client=slack_client,
        tickets=stores.tickets,
        triage_for=use_cases.routing.triage_for,
        backend=backend,
        token=token_info,
        claim_seconds=settings.triage_claim_seconds,
    )
    triage.subscribe(events)
    notifier = SlackNotifier(
        client=slack_client,
        tickets=stores.tickets,
        thread_claims=stores.thread_claims,
        thread=ticket_thread,
        updates=use_cases.updates,
        backend=backend,
        pace=ChannelPace(interval_seconds=settings.slack_channel_post_seconds),
    )
    return SlackSide(client=slack_client, directory=directory, notifier=notifier, home_tab=home_tab, triage=triage)


def create_delivery(settings: Settings, use_cases: UseCases, stores: Stores, notifier: SlackNotifier) -> TicketDelivery:
    return TicketDelivery(
        desk=use_cases.desk,
        catalog=use_cases.catalog,
        outbox=stores.outbox,
        thread_claims=stores.thread_claims,
        listener=notifier,
        max_attempts=settings.delivery_attempts,
        first_delay_seconds=settings.delivery_first_delay_seconds,
        poll_seconds=settings.delivery_poll_seconds,
        lease_seconds=settings.delivery_lease_seconds,
        # A create sent just before its lease ran out lands or fails within its timeout.
        in_flight_seconds=settings.backend_timeout_seconds + 1.0,
        journal=stores.sync_log,
        withdraw_seconds=settings.withdraw_seconds,
        held=stores.held,
        events=use_cases.events,
    )


def create_listeners(
    settings: Settings, slack: SlackSide, use_cases: UseCases, stores: Stores, delivery: TicketDelivery
) -> AsyncApp:
    """The Bolt app, each listener given only what it uses."""
    backend, routing, catalog = use_cases.backend, use_cases.routing, use_cases.catalog
    authorization, directory, inbox = use_cases.authorization, slack.directory, stores.inbox
    modal = FormModal(
        catalog=catalog,
        routing=routing,
        drafts=stores.drafts,
        helpdesk=backend.display_name,
        form_label=backend.form_label,
    )
    message_tickets = MessageTickets(catalog=catalog, directory=directory, drafts=stores.drafts, routing=routing)
    return create_bolt_app(
        client=slack.client,
        command_deps=command.CommandDeps(modal=modal),
        shortcuts_deps=shortcuts.ShortcutsDeps(modal=modal, thread_claims=stores.thread_claims),
        reactions_deps=reactions.ReactionsDeps(
            delivery=delivery,
            message_tickets=message_tickets,
            routing=routing,
            thread_claims=stores.thread_claims,
            ticket_emoji=settings.ticket_emoji,
            inbox=inbox,
        ),
        picker_deps=picker.PickerDeps(modal=modal),
        options_deps=options.OptionsDeps(catalog=catalog),
        submission_deps=submission.SubmissionDeps(
            modal=modal, delivery=delivery, directory=directory, thread_claims=stores.thread_claims
        ),
        retry_deps=retry.RetryDeps(modal=modal),
        ticket_actions_deps=ticket_actions.TicketActionsDeps(
            authorization=authorization,
            delivery=delivery,
            desk=use_cases.desk,
            directory=directory,
            helpdesk=backend.display_name,
            sync_log=stores.sync_log,
            inbox=inbox,
        ),
        thread_sync_deps=thread_sync.ThreadSyncDeps(
            authorization=authorization,
            delivery=delivery,
            desk=use_cases.desk,
            directory=directory,
            reply_policy=use_cases.reply_policy,
            sync_log=stores.sync_log,
            inbox=inbox,
        ),
        home_deps=home.HomeDeps(home=slack.home_tab, modal=modal),
        triage_actions_deps=triage_actions.TriageActionsDeps(
            authorization=authorization,
            delivery=delivery,
            directory=directory,
            helpdesk=backend.display_name,
            tickets=stores.tickets,
            inbox=inbox,
            workflow=backend.workflow,
        ),
        channel_messages_deps=channel_messages.ChannelMessagesDeps(
            authorization=authorization,
            delivery=delivery,
            message_tickets=message_tickets,
            routing=routing,
            thread_claims=stores.thread_claims,
            inbox=inbox,
        ),
    )


def create_front(
    settings: Settings,
    bolt_app: AsyncApp,
    slack_client: AsyncWebClient,
    listeners: ListenerPool[AsyncBoltRequest],
    record: Recorder,
    metrics: Metrics,
) -> SlackEndpoint | SocketModeEndpoint:
    """Where Slack's requests come in: Socket Mode with an app-level token, else HTTP."""
    if settings.slack_app_token is not None:
        return SocketModeEndpoint(
            app=bolt_app,
            app_token=settings.slack_app_token.get_secret_value(),
            client=slack_client,
            listeners=listeners,
            ping_interval=settings.socket_ping_seconds,
            observe_ack=metrics.ack_seconds.observe,
            record=record,
        )
    if settings.slack_signing_secret is None:
        raise SettingsError("SLACK_SIGNING_SECRET is required unless SLACK_APP_TOKEN turns Socket Mode on")
    return SlackEndpoint(
        app=bolt_app,
        signing_secret=settings.slack_signing_secret.get_secret_value(),
        max_body_bytes=settings.max_body_bytes,
        listeners=listeners,
        record=record,
    )


def front_routes(front: SlackEndpoint | SocketModeEndpoint, metrics: Metrics) -> list[Route]:
    if not isinstance(front, SlackEndpoint):
        return []  # Socket Mode: Slack's requests come over the socket
    acknowledged = timed(front.handle, lambda _response, seconds: metrics.ack_seconds.observe(seconds))
    return [Route("/slack/events", acknowledged, methods=["POST"])]


def ops_routes(
    settings: Settings,
    metrics: Metrics,
    stores: Stores,
    slack_client: AsyncWebClient,
    listeners: ListenerPool[AsyncBoltRequest],
) -> list[Route]:
    metrics_endpoint = MetricsEndpoint(
        metrics=metrics,
        outbox=stores.outbox,
        token=settings.metrics_token.get_secret_value() if settings.metrics_token else None,
        queue_length=listeners.queued,
    )
    readiness = Readiness(engine=stores.engine, slack=SlackAuth(client=slack_client))
    return [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readiness.handle, methods=["GET"]),
        Route("/metrics", metrics_endpoint.handle, methods=["GET"]),
    ]


def status_polling(settings: Settings, use_cases: UseCases, stores: Stores) -> list[BackgroundTask]:
    """A helpdesk without webhooks has its statuses (and conversations) polled."""
    backend = use_cases.backend
    if not isinstance(backend, ReadsStatus):
        return []
    conversation = (
        ConversationReader(conversation=backend, journal=stores.sync_log, updates=use_cases.updates)
        if isinstance(backend, ReadsConversation)
        else None
    )
    poller = StatusPoller(
        backend=backend,
        reader=backend,
        tickets=stores.tickets,
        schedule=PollSchedule(engine=stores.engine),
        on_change=use_cases.updates.status_changed,
        interval_seconds=settings.status_poll_seconds,
        batch=settings.status_poll_batch,
        conversation=conversation,
        active_seconds=settings.poll_active_seconds,
        idle_seconds=settings.poll_idle_seconds,
    )
    return [poller.run]


def running(
    *,
    migrate_first: bool,
    stores: Stores,
    slack_client: AsyncWebClient,
    http_client: httpx.AsyncClient,
    front: SlackEndpoint | SocketModeEndpoint,
    background: Sequence[BackgroundTask],
) -> Callable[[Starlette], contextlib.AbstractAsyncContextManager[None]]:
    """The app's lifespan: start-up, the background tasks while it serves, an orderly stop."""

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        if migrate_first:
            await migrate(stores.engine)
        # Everything loaded at start-up lives as long as the process: move it out of the
        # collector's sight, so full collections under load do not walk it again.
        gc.collect()
        gc.freeze()
        # One keep-alive session for every Slack call instead of a new connection per call.
        slack_client.session = aiohttp.ClientSession(json_serialize=json_text)
        if isinstance(front, SocketModeEndpoint):
            await front.connect()
        stop = asyncio.Event()
        tasks = [asyncio.create_task(run(stop)) for run in background]
        try:
            yield
        finally:
            await front.close()  # acknowledged listeners finish (bounded), then stop
            stop.set()  # the loops end between passes, not inside a database call
            _, unfinished = await asyncio.wait(tasks, timeout=STOP_SECONDS)
            for task in unfinished:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await slack_client.session.close()
            await http_client.aclose()
            await stores.dispose()

    return lifespan
