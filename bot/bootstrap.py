"""The one place that wires settings, adapters, storage and the app."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

import aiohttp
import httpx
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient
from starlette.applications import Starlette
from starlette.routing import Route

from bot.backends.base import TicketBackend
from bot.backends.http import RetryPolicy
from bot.backends.siit import SiitBackend
from bot.catalog import FormCatalog
from bot.config import Settings
from bot.slack.app import create_bolt_app
from bot.slack.deps import Deps
from bot.slack.directory import SlackDirectory
from bot.storage.database import create_engine, create_schema
from bot.storage.drafts import DraftStore
from bot.storage.tickets import TicketStore
from bot.tickets import TicketDesk
from bot.web import SlackEndpoint, healthz

log = logging.getLogger(__name__)


def create_backend(settings: Settings, *, client: httpx.AsyncClient) -> TicketBackend:
    retry = RetryPolicy(attempts=settings.backend_attempts, backoff_seconds=settings.backend_backoff_seconds)
    assert settings.siit_api_token is not None  # checked by Settings
    return SiitBackend(
        client=client,
        api_url=settings.siit_api_url,
        api_token=settings.siit_api_token.get_secret_value(),
        service_ids=settings.siit_services,
        retry=retry,
    )


def create_slack_client(settings: Settings) -> AsyncWebClient:
    return AsyncWebClient(
        token=settings.slack_bot_token.get_secret_value(),
        base_url=settings.slack_api_url,
        retry_handlers=[
            AsyncConnectionErrorRetryHandler(max_retry_count=2),
            AsyncRateLimitErrorRetryHandler(max_retry_count=2),
            AsyncServerErrorRetryHandler(max_retry_count=2),
        ],
    )


def create_app(settings: Settings) -> Starlette:
    http_client = httpx.AsyncClient(
        timeout=httpx.Timeout(settings.backend_timeout_seconds),
        limits=httpx.Limits(max_connections=50, max_keepalive_connections=20),
    )
    engine = create_engine(settings.database_url)
    slack_client = create_slack_client(settings)
    backend = create_backend(settings, client=http_client)
    store = TicketStore(engine=engine)
    deps = Deps(
        catalog=FormCatalog(backend=backend, ttl_seconds=settings.form_cache_seconds),
        desk=TicketDesk(backend=backend, store=store),
        drafts=DraftStore(engine=engine),
        directory=SlackDirectory(client=slack_client),
    )
    signing_secret = settings.slack_signing_secret.get_secret_value()
    bolt_app = create_bolt_app(client=slack_client, signing_secret=signing_secret, deps=deps)
    endpoint = SlackEndpoint(app=bolt_app, signing_secret=signing_secret, max_body_bytes=settings.max_body_bytes)

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        await create_schema(engine)
        # One keep-alive session for every Slack call instead of a new connection per call.
        slack_client.session = aiohttp.ClientSession()
        warming = asyncio.create_task(deps.catalog.warm())
        try:
            yield
        finally:
            warming.cancel()
            await slack_client.session.close()
            await http_client.aclose()
            await engine.dispose()

    return Starlette(
        routes=[
            Route("/slack/events", endpoint.handle, methods=["POST"]),
            Route("/healthz", healthz, methods=["GET"]),
        ],
        lifespan=lifespan,
    )
