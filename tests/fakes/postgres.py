"""A fresh PostgreSQL database per test, on the server at ``TEST_POSTGRES_URL`` (default: the CI
machine's 127.0.0.1:5432, trust auth). Outside CI a missing server skips the test; in CI
(``CI=true``) it fails it. The async form, for the benchmark too, is ``bot.testing.postgres``."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from bot.testing import postgres

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


def admin_sql(sql: str) -> None:
    """Run one statement on the server's default database."""
    asyncio.run(postgres.admin_sql(POSTGRES_URL, sql))


@contextmanager
def fresh_postgres_database() -> Iterator[str]:
    name = f"bot_test_{uuid.uuid4().hex[:12]}"
    try:
        admin_sql(f'CREATE DATABASE "{name}"')
    except Exception as exc:  # no server here
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL is required in CI and unreachable at {POSTGRES_URL}: {exc}")
        pytest.skip(f"PostgreSQL unreachable at {POSTGRES_URL}: {exc}")
    try:
        yield POSTGRES_URL.rsplit("/", 1)[0] + "/" + name
    finally:
        admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
