"""``python -m bot`` serves the app; ``check`` validates the configuration; ``outbox`` lists and
re-queues tickets waiting for the helpdesk."""

from __future__ import annotations

import asyncio
import logging
import sys

import uvicorn

from bot.admin import run_outbox_command
from bot.bootstrap import create_app
from bot.check import check
from bot.config import DatabaseSettings, SettingsError, load_database_settings, load_settings
from bot.forms_file import FormsFileError
from bot.logs import configure_logging
from bot.storage.database import safe_url, wait_for_database

USAGE = "usage: python -m bot [check | outbox [requeue ID... | requeue all]]"


def unreachable(database: DatabaseSettings) -> int:
    """0 once the database answers; else 3, after one line saying why."""
    problem = asyncio.run(wait_for_database(database.database_url, seconds=database.database_wait_seconds))
    if problem:
        print(f"error: database unreachable at {safe_url(database.database_url)}: {problem}", file=sys.stderr)
        return 3
    return 0


def main(argv: list[str]) -> int:
    command = argv[1:2]
    if command == ["check"]:
        return check(print)
    if command and command != ["outbox"]:
        print(USAGE, file=sys.stderr)
        return 2
    try:
        if command == ["outbox"]:  # the database alone, not the Slack and helpdesk secrets
            database = load_database_settings()
            return unreachable(database) or run_outbox_command(database.database_url, argv[2:], print)
        settings = load_settings()
        if failed := unreachable(settings):
            return failed
        app = create_app(settings)
    except (SettingsError, FormsFileError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    level = settings.log_level.upper()
    configure_logging(level, secrets=settings.secret_values())
    # uvicorn formats each access-log line's arguments before the logger drops them, which cost
    # ~4 % of CPU under load at WARNING; only keep the access log where it would be printed.
    access_log = logging.getLevelName(level) <= logging.INFO
    uvicorn.run(
        app, host=settings.host, port=settings.port, log_level=level.lower(), access_log=access_log, log_config=None
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
