"""The one place that wires settings, adapters, storage and the app."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gc
import logging
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Any

import aiohttp
import httpx
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.web.async_client import AsyncWebClient
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Route

from bot.backends.helpdesks import HELPDESKS
from bot.backends.http import RetryPolicy
from bot.backends.registry import WEBHOOK_MAX_BODY, BudgetFactory, Helpdesk, HelpdeskResources, TicketServices
from bot.body_limit import BodyLimit
from bot.catalog import FormCatalog
from bot.config import Settings, SettingsError
from bot.delivery.counted import CountedListener
from bot.delivery.service import TicketDelivery
from bot.forms_file import FormsFile, FormsFileError, load_forms_file
from bot.listener_pool import ListenerPool
from bot.metrics import MeasuredTransport, Metrics, MetricsEndpoint, timed
from bot.readiness import Readiness, SlackAuth
from bot.reply_policy import ReplyPolicy
from bot.routing import Routing
from bot.slack import (
    channel_messages,
    command,
    home,
    options,
    picker,
    reactions,
    retry,
    shortcuts,
    submission,
    thread_sync,
    ticket_actions,
    triage_actions,
)
from bot.slack.app import create_bolt_app
from bot.slack.directory import SlackDirectory
from bot.slack.home_tab import HomeTab
from bot.slack.inbox import InboxReplay, Recorder, dispatcher
from bot.slack.intake import Intake
from bot.slack.json_body import json_text
from bot.slack.message_request import MessageTickets
from bot.slack.modal import FormModal
from bot.slack.notify import SlackNotifier
from bot.slack.pace import ChannelPace
from bot.slack.retry_handlers import retry_handlers
from bot.slack.ticket_thread import TicketThread
from bot.slack.token_info import TokenInfo
from bot.slack.triage import TriageChannel
from bot.slack.user_groups import UserGroups
from bot.socket_mode import SocketModeEndpoint
from bot.status_poller import StatusPoller
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
from bot.tickets.conversation import ConversationReader
from bot.tickets.desk import TicketDesk
from bot.tickets.events import EventBus
from bot.tickets.ports import ReadsConversation, ReadsStatus, TicketBackend
from bot.tickets.updates import TicketUpdates
from bot.tickets.withdrawal import WithdrawWindow
from bot.web import SlackEndpoint, healthz

log = logging.getLogger(__name__)

STOP_SECONDS = 5.0
"""How long a stopping process lets its background loops finish the pass they are in."""


def load_forms(settings: Settings, helpdesk: Helpdesk) -> FormsFile | None:
    """The forms file, when there is one or the helpdesk needs one. Raises ``FormsFileError``."""
    if not helpdesk.requires_forms_file and not settings.forms_file.is_file():
        return None
    forms_file = load_forms_file(settings.forms_file)
    problem = helpdesk.forms_file_problem(forms_file)
    if problem:
        raise FormsFileError(f"{settings.forms_file}: {problem}")
    return forms_file


def create_backend(
    settings: Settings,
    helpdesk: Helpdesk,
    *,
    client: httpx.AsyncClient,
    forms_file: FormsFile | None,
    shared_budget: BudgetFactory,
) -> TicketBackend:
    """The chosen helpdesk's client, built by its registration from its own settings."""
    retry = RetryPolicy(
        attempts=settings.backend_attempts,
        backoff_seconds=settings.backend_backoff_seconds,
        max_wait_seconds=settings.backend_max_wait_seconds,
    )
    try:
        resources = HelpdeskResources(
            client=client,
            forms_file=forms_file,
            retry=retry,
            shared_budget=shared_budget,
            agent_cache_seconds=settings.agent_cache_seconds,
        )
        return helpdesk.create(settings.helpdesk, resources)
    except ValueError as exc:
        raise SettingsError(str(exc)) from None


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


def create_app(settings: Settings, *, migrated: bool = False) -> Starlette:
    """The ASGI app; it brings the schema up to date as it starts unless ``migrated`` says that
    was done already (``python -m bot`` migrates in a child process first). Raises
    ``FormsFileError`` for a bad forms file."""
    metrics = Metrics(backend=settings.ticket_backend)
    transport = httpx.AsyncHTTPTransport(limits=httpx.Limits(max_connections=50, max_keepalive_connections=20))
    http_client = httpx.AsyncClient(
        timeout=httpx.Timeout(settings.backend_timeout_seconds), transport=MeasuredTransport(transport, metrics)
    )
    helpdesk = HELPDESKS[settings.ticket_backend]
    forms_file = load_forms(settings, helpdesk)
    engine = create_engine(settings.database_url)
    slack_client = create_slack_client(settings)
    budget = functools.partial(SharedRequestBudget, engine=engine)
    backend = create_backend(settings, helpdesk, client=http_client, forms_file=forms_file, shared_budget=budget)
    store = TicketStore(engine=engine)
    drafts = DraftStore(engine=engine)
    catalog = FormCatalog(backend=backend, ttl_seconds=settings.form_cache_seconds)
    desk = TicketDesk(backend=backend, store=store)
    thread_claims = MessageTicketStore(engine=engine)
    sync_log = SyncLog(engine=engine)
    events = EventBus()
    WithdrawWindow(tickets=store).subscribe(events)  # first: what the others draw after it knows
    updates = TicketUpdates(tickets=store, thread_claims=thread_claims, events=events)
    token_info = TokenInfo(client=slack_client)
    ticket_thread = TicketThread(client=slack_client, backend=backend, token=token_info)
    ticket_thread.subscribe(events)
    notifier = SlackNotifier(
        client=slack_client,
        tickets=store,
        thread_claims=thread_claims,
        thread=ticket_thread,
        updates=updates,
        backend=backend,
        pace=ChannelPace(interval_seconds=settings.slack_channel_post_seconds),
    )
    outbox = OutboxStore(engine=engine)
    inbox_engine = own_pool(engine, settings.database_url, connections=2)
    inbox = InboxStore(engine=inbox_engine, lease_seconds=settings.inbox_lease_seconds, on_commit=metrics.inbox_commit)
    delivery = TicketDelivery(
        desk=desk,
        catalog=catalog,
        outbox=outbox,
        thread_claims=thread_claims,
        listener=CountedListener(notifier, metrics),
        max_attempts=settings.delivery_attempts,
        first_delay_seconds=settings.delivery_first_delay_seconds,
        poll_seconds=settings.delivery_poll_seconds,
        lease_seconds=settings.delivery_lease_seconds,
        # A create sent just before its lease ran out lands or fails within its timeout.
        in_flight_seconds=settings.backend_timeout_seconds + 1.0,
        journal=sync_log,
        withdraw_seconds=settings.withdraw_seconds,
        held=HeldRequests(engine=engine),
    )
    directory = SlackDirectory(client=slack_client, token=token_info)
    routing = create_routing(settings, backend, forms_file)
    reply_policy = ReplyPolicy(
        default=settings.reply_sync,
        per_form={f.form_id: f.reply_sync for f in (forms_file.forms if forms_file else ()) if f.reply_sync},
    )
    authorization = TicketAuthorization(
        backend=backend,
        people=directory,
        agent_ids=settings.agent_slack_ids,
        route_agents=routing.route_agents,
        teams=UserGroups(client=slack_client, ttl_seconds=settings.agent_cache_seconds),
    )
    message_tickets = MessageTickets(catalog=catalog, directory=directory, drafts=drafts, routing=routing)
    home_tab = HomeTab(
        client=slack_client,
        token=token_info,
        tickets=store,
        authorization=authorization,
        backend=backend,
        refresh_seconds=settings.home_refresh_seconds,
    )
    home_tab.subscribe(events)
    triage = TriageChannel(
        client=slack_client,
        tickets=store,
        triage_for=routing.triage_for,
        backend=backend,
        token=token_info,
        claim_seconds=settings.triage_claim_seconds,
    )
    triage.subscribe(events)
    modal = FormModal(
        catalog=catalog, routing=routing, drafts=drafts, helpdesk=backend.display_name, form_label=backend.form_label
    )
    bolt_app = create_bolt_app(
        client=slack_client,
        command_deps=command.CommandDeps(modal=modal),
        shortcuts_deps=shortcuts.ShortcutsDeps(modal=modal, thread_claims=thread_claims),
        reactions_deps=reactions.ReactionsDeps(
            delivery=delivery,
            message_tickets=message_tickets,
            routing=routing,
            thread_claims=thread_claims,
            ticket_emoji=settings.ticket_emoji,
            inbox=inbox,
        ),
        picker_deps=picker.PickerDeps(modal=modal),
        options_deps=options.OptionsDeps(catalog=catalog),
        submission_deps=submission.SubmissionDeps(
            modal=modal, delivery=delivery, directory=directory, thread_claims=thread_claims
        ),
        retry_deps=retry.RetryDeps(modal=modal),
        ticket_actions_deps=ticket_actions.TicketActionsDeps(
            authorization=authorization,
            delivery=delivery,
            desk=desk,
            directory=directory,
            helpdesk=backend.display_name,
            sync_log=sync_log,
            inbox=inbox,
        ),
        thread_sync_deps=thread_sync.ThreadSyncDeps(
            authorization=authorization,
            delivery=delivery,
            desk=desk,
            directory=directory,
            reply_policy=reply_policy,
            sync_log=sync_log,
            inbox=inbox,
        ),
        home_deps=home.HomeDeps(home=home_tab, modal=modal),
        triage_actions_deps=triage_actions.TriageActionsDeps(
            authorization=authorization,
            delivery=delivery,
            directory=directory,
            helpdesk=backend.display_name,
            tickets=store,
            inbox=inbox,
            workflow=backend.workflow,
        ),
        channel_messages_deps=channel_messages.ChannelMessagesDeps(
            authorization=authorization,
            delivery=delivery,
            message_tickets=message_tickets,
            routing=routing,
            thread_claims=thread_claims,
            inbox=inbox,
        ),
    )
    record = Recorder(intake=Intake(routing=routing, ticket_emoji=settings.ticket_emoji, tickets=store), inbox=inbox)
    listeners: ListenerPool[AsyncBoltRequest] = ListenerPool(
        dispatcher(bolt_app, inbox),
        workers=settings.listener_workers,
        max_defer_seconds=settings.listener_max_defer_seconds,
    )
    metrics_endpoint = MetricsEndpoint(
        metrics=metrics,
        outbox=outbox,
        token=settings.metrics_token.get_secret_value() if settings.metrics_token else None,
        queue_length=listeners.queued,
    )
    routes = [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", Readiness(engine=engine, slack=SlackAuth(client=slack_client)).handle, methods=["GET"]),
        Route("/metrics", metrics_endpoint.handle, methods=["GET"]),
    ]
    front: SlackEndpoint | SocketModeEndpoint
    if settings.slack_app_token is not None:
        front = SocketModeEndpoint(
            app=bolt_app,
            app_token=settings.slack_app_token.get_secret_value(),
            client=slack_client,
            listeners=listeners,
            ping_interval=settings.socket_ping_seconds,
            observe_ack=metrics.ack_seconds.observe,
            record=record,
        )
    else:
        if settings.slack_signing_secret is None:
            raise SettingsError("SLACK_SIGNING_SECRET is required unless SLACK_APP_TOKEN turns Socket Mode on")
        front = SlackEndpoint(
            app=bolt_app,
            signing_secret=settings.slack_signing_secret.get_secret_value(),
            max_body_bytes=settings.max_body_bytes,
            listeners=listeners,
            record=record,
        )
        acknowledged = timed(front.handle, lambda _response, seconds: metrics.ack_seconds.observe(seconds))
        routes.append(Route("/slack/events", acknowledged, methods=["POST"]))
    services = TicketServices(tickets=store, updates=updates, deliveries=sync_log, waiting_creates=outbox)
    helpdesk_routes = helpdesk.routes(settings.helpdesk, services)
    for route in helpdesk_routes:
        counted = timed(
            route.endpoint,
            lambda response, _seconds: metrics.webhook(response.status_code, b'"duplicate"' in response.body),
        )
        routes.append(Route(route.path, counted, methods=sorted(route.methods or ["POST"])))
    background: list[Callable[[asyncio.Event], Coroutine[Any, Any, None]]] = [
        lambda _stop: catalog.warm(),
        delivery.run_worker,
        home_tab.run,
        triage.run,
        InboxReplay(app=bolt_app, inbox=inbox, poll_seconds=settings.inbox_poll_seconds).run,
    ]
    if isinstance(backend, ReadsStatus):  # a helpdesk without webhooks: its statuses are polled
        poller = StatusPoller(
            backend=backend,
            reader=backend,
            tickets=store,
            schedule=PollSchedule(engine=engine),
            on_change=updates.status_changed,
            interval_seconds=settings.status_poll_seconds,
            batch=settings.status_poll_batch,
            conversation=(
                ConversationReader(conversation=backend, journal=sync_log, updates=updates)
                if isinstance(backend, ReadsConversation)
                else None
            ),
            active_seconds=settings.poll_active_seconds,
            idle_seconds=settings.poll_idle_seconds,
        )
        background.append(poller.run)

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        if not migrated:
            await migrate(engine)
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
            await engine.dispose()
            if inbox_engine is not engine:
                await inbox_engine.dispose()

    # Every body is bounded before it is read whole (Slack's and the webhooks' own limits).
    limits = Middleware(
        BodyLimit,
        max_bytes=settings.max_body_bytes,
        per_path={route.path: WEBHOOK_MAX_BODY for route in helpdesk_routes},
    )
    return Starlette(routes=routes, lifespan=lifespan, middleware=[limits])
