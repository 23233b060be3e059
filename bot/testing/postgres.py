"""A fresh PostgreSQL database on a server (trust or password in the URL), dropped after use:
for the tests and the benchmark, which must never touch a database they did not make."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg  # type: ignore[import-untyped]

UNREACHABLE = (OSError, asyncpg.PostgresError)
"""What ``fresh_database`` raises when the server does not answer or refuses."""


async def admin_sql(server_url: str, sql: str) -> None:
    """One statement on the server's database named in ``server_url``."""
    connection = await asyncpg.connect(server_url, timeout=5)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


@asynccontextmanager
async def fresh_database(server_url: str, *, prefix: str) -> AsyncIterator[str]:
    """The URL of a new, empty database on ``server_url``'s server; forced away after."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    await admin_sql(server_url, f'CREATE DATABASE "{name}"')
    try:
        yield server_url.rsplit("/", 1)[0] + "/" + name
    finally:
        await admin_sql(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
