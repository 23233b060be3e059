"""Checks made before serving, each failing with one line: the database, and Slack
(``auth.test`` with the bot token; ``apps.connections.open`` with the app-level token in Socket
Mode), so that a wrong token shows at start instead of at the first request."""

from __future__ import annotations

import logging

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.config.settings import DatabaseSettings, Settings
from bot.storage.database import create_engine, migrate, safe_url, wait_for_database

SLACK_TIMEOUT_SECONDS = 10


async def database_problem(database: DatabaseSettings) -> str | None:
    """Why the database cannot be used: unreachable (after waiting), or its schema cannot be
    brought up to date (a read-only database, a user without DDL rights)."""
    where = safe_url(database.database_url)
    problem = await wait_for_database(database.database_url, seconds=database.database_wait_seconds)
    if problem:
        return f"database unreachable at {where}: {problem}"
    engine = create_engine(database.database_url)
    alembic = logging.getLogger("alembic")
    level = alembic.level
    alembic.setLevel(logging.WARNING)  # a start-up line per migration step is noise
    try:
        await migrate(engine)
    except Exception as exc:  # any driver or migration error: one line, never a traceback
        first = str(exc).splitlines()[0] if str(exc) else ""
        return f"database at {where} cannot be migrated: {type(exc).__name__}: {first}"
    finally:
        alembic.setLevel(level)
        await engine.dispose()
    return None


async def slack_problem(settings: Settings) -> str | None:
    """Why Slack would refuse the app's tokens or cannot be reached, or ``None``."""
    client = AsyncWebClient(
        token=settings.slack_bot_token.get_secret_value(),
        base_url=settings.slack_api_url,
        timeout=SLACK_TIMEOUT_SECONDS,
    )
    try:
        await client.auth_test()
        if settings.slack_app_token is not None:
            # Opens nothing: the URL it returns is left unused and expires.
            await client.apps_connections_open(app_token=settings.slack_app_token.get_secret_value())
    except SlackApiError as exc:
        which = "SLACK_APP_TOKEN" if exc.response.api_url.endswith("apps.connections.open") else "SLACK_BOT_TOKEN"
        return f"Slack refused {which}: {exc.response.get('error', exc.response.status_code)}"
    except (aiohttp.ClientError, OSError, TimeoutError) as exc:
        return f"Slack unreachable at {settings.slack_api_url}: {type(exc).__name__} {exc}".rstrip()
    return None
