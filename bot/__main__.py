"""``python -m bot`` serves the app; ``check`` validates the configuration and reaches the
helpdesk; ``migrate`` brings the database schema up to date (serving does it first, in a child
process); ``outbox`` lists and re-queues tickets waiting for the helpdesk; ``manifest`` prints
the Slack app manifest for a URL or for Socket Mode. Every start-up problem is one line on
stderr and a non-zero exit, never a traceback."""

from __future__ import annotations

import sys

MIN_PYTHON = (3, 11)

if sys.version_info < MIN_PYTHON:  # before importing anything that needs a newer Python
    print(f"error: Python 3.11 or newer is required (this is {sys.version.split()[0]})", file=sys.stderr)
    sys.exit(2)

import argparse  # noqa: E402
import asyncio  # noqa: E402
import logging  # noqa: E402
import signal  # noqa: E402
import subprocess  # noqa: E402

import uvicorn  # noqa: E402

from bot.bootstrap import create_app  # noqa: E402
from bot.config.forms_file import FormsFileError  # noqa: E402
from bot.config.settings import DatabaseSettings, SettingsError, load_database_settings  # noqa: E402
from bot.ops.admin import run_outbox_command  # noqa: E402
from bot.ops.check import check  # noqa: E402
from bot.ops.logs import configure_logging  # noqa: E402
from bot.ops.settings_loading import load_settings  # noqa: E402
from bot.ops.startup import database_problem, slack_problem  # noqa: E402

USAGE = (
    "usage: python -m bot [check | migrate | outbox [requeue ID... | requeue all] | manifest (--url URL | --socket)]"
)
DATABASE_PROBLEM = 3


def fail(problem: str, code: int) -> int:
    print(f"error: {problem}", file=sys.stderr)
    return code


def manifest(args: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot manifest", description="Print the Slack app manifest.")
    parser.add_argument("--url", help="the app's public https:// address (its /slack/events is filled in)")
    parser.add_argument("--socket", action="store_true", help="Socket Mode: no request URLs")
    options = parser.parse_args(args)
    # Here, not at the top: jsonschema would otherwise load (2 MB) into every serving process.
    from bot.ops.manifest import ManifestError, manifest_text

    try:
        print(manifest_text(url=options.url, socket=options.socket), end="")
    except ManifestError as exc:
        return fail(str(exc), 2)
    return 0


def ready_database() -> tuple[DatabaseSettings | None, int]:
    """The database settings alone (not the Slack and helpdesk secrets), once the database
    answers and its schema is up to date; else the exit code, its reason printed."""
    try:
        database = load_database_settings()
    except SettingsError as exc:
        return None, fail(str(exc), 2)
    if problem := asyncio.run(database_problem(database)):
        return None, fail(problem, DATABASE_PROBLEM)
    return database, 0


def outbox(args: list[str]) -> int:
    database, code = ready_database()
    return run_outbox_command(database.database_url, args, print) if database else code


def migrate() -> int:
    """Wait for the database and bring its schema up to date; one line if that fails."""
    return ready_database()[1]


def migrate_in_child() -> int:
    """``migrate`` in a child process, its line passed on: what migrating loads (Alembic) stays
    out of the serving process's memory."""
    return subprocess.run([sys.executable, "-m", "bot", "migrate"], check=False).returncode


def serve() -> int:
    try:
        settings = load_settings()
    except SettingsError as exc:
        return fail(str(exc), 2)
    level = settings.log_level.upper()
    configure_logging(level, secrets=settings.secret_values(), json_lines=settings.log_format == "json")
    if code := migrate_in_child():
        return code
    if problem := asyncio.run(slack_problem(settings)):
        return fail(problem, 4)
    try:
        app = create_app(settings, migrated=True)
    except (SettingsError, FormsFileError) as exc:
        return fail(str(exc), 2)
    # uvicorn formats each access-log line's arguments before the logger drops them, which cost
    # ~4 % of CPU under load at WARNING; only keep the access log where it would be printed.
    access_log = logging.getLevelName(level) <= logging.INFO
    # uvicorn stops gracefully on SIGTERM/SIGINT, then raises the signal again for the handler
    # that was there before it; with the default one the process would die of the signal after
    # a clean stop. A stop that went well exits 0.
    for stop in (signal.SIGTERM, signal.SIGINT):
        signal.signal(stop, lambda _signal, _frame: None)
    uvicorn.run(
        app, host=settings.host, port=settings.port, log_level=level.lower(), access_log=access_log, log_config=None
    )
    return 0


def main(argv: list[str]) -> int:
    command, args = argv[1:2], argv[2:]
    if not command:
        return serve()
    if command == ["check"] and not args:
        return check(print)
    if command == ["migrate"] and not args:
        return migrate()
    if command == ["outbox"]:
        return outbox(args)
    if command == ["manifest"]:
        return manifest(args)
    print(USAGE, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
