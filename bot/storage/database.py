"""The async engine: SQLite (WAL) by default, PostgreSQL through ``DATABASE_URL``."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from bot.storage.write_turns import WriteTurns

ASYNC_DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "postgresql": "postgresql+asyncpg",
    "postgres": "postgresql+asyncpg",
}


def async_url(database_url: str) -> str:
    """``sqlite:///x.db`` -> ``sqlite+aiosqlite:///x.db``; URLs naming a driver stay as they are."""
    scheme, sep, rest = database_url.partition("://")
    return f"{ASYNC_DRIVERS.get(scheme, scheme)}{sep}{rest}"


class OneWriterEngine(AsyncEngine):
    """SQLite's engine: each transaction (``begin``) waits for its write turn (``WriteTurns``);
    ``begin_first`` goes before the waiting ones."""

    def __init__(self, sync_engine: Engine) -> None:
        super().__init__(sync_engine)
        self.turns = WriteTurns()

    @contextlib.asynccontextmanager
    async def begin(self) -> AsyncIterator[AsyncConnection]:
        async with self.turns.turn(), super().begin() as connection:
            yield connection

    @contextlib.asynccontextmanager
    async def begin_first(self) -> AsyncIterator[AsyncConnection]:
        async with self.turns.turn(first=True), super().begin() as connection:
            yield connection


def own_pool(engine: AsyncEngine, database_url: str, *, connections: int) -> AsyncEngine:
    """An engine with a small pool of its own, for writes that must not queue behind the
    others' for a connection; SQLite's own engine (its writes take turns anyway)."""
    return engine if isinstance(engine, OneWriterEngine) else create_engine(database_url, connections=connections)


def create_engine(database_url: str, *, connections: int | None = None) -> AsyncEngine:
    """``connections``: a small pool of its own (the inbox's, so that recording before an ack
    never queues behind the listeners' transactions for a connection); else SQLAlchemy's default."""
    url = make_url(async_url(database_url))
    pool: dict[str, Any] = {} if connections is None else {"pool_size": connections, "max_overflow": 0}
    if url.get_backend_name() != "sqlite":
        # A small pool of its own skips the ping (a round trip before every use): a connection
        # the server dropped fails that one use, and the pool replaces it.
        return create_async_engine(url, pool_pre_ping=connections is None, **pool)
    if url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_async_engine(url, connect_args={"timeout": 30}, **pool)
    event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return OneWriterEngine(engine.sync_engine)


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


MIGRATIONS = Path(__file__).with_name("migrations")


MIGRATION_LOCK = 7_204_117_011
"""PostgreSQL advisory lock held while migrating, so instances starting together take turns."""


async def migrate(engine: AsyncEngine) -> None:
    """Bring the schema to the newest Alembic revision (``bot/storage/migrations``). Instances
    starting together take turns: the first migrates, the others then find the schema current."""
    async with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            await connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
        elif connection.dialect.name == "sqlite":
            # The driver would otherwise run the DDL without a write lock held from the start,
            # and two processes would both find no table and both create it.
            await connection.exec_driver_sql("BEGIN IMMEDIATE")
        await connection.run_sync(_upgrade)


def _upgrade(connection: Connection) -> None:
    # Imported here: the served process leaves migrating to a child (``python -m bot migrate``)
    # and never loads Alembic, 9 MB of its resident memory.
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


async def wait_for_database(database_url: str, *, seconds: float) -> str | None:
    """``None`` once the database answers; else why not, after retrying for ``seconds`` (so a
    database that starts a little after the app is waited for, and a wrong URL ends clearly)."""
    deadline = asyncio.get_running_loop().time() + seconds
    delay = 0.5
    while True:
        engine = create_engine(database_url)
        try:
            async with engine.connect() as connection:
                await connection.exec_driver_sql("SELECT 1")
            return None
        except Exception as exc:  # any driver error means "not reachable" here
            problem = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
        finally:
            await engine.dispose()
        if asyncio.get_running_loop().time() + delay > deadline:
            return problem
        await asyncio.sleep(delay)
        delay = min(delay * 2, 5.0)


def safe_url(database_url: str) -> str:
    return make_url(async_url(database_url)).render_as_string(hide_password=True)
