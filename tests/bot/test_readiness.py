"""Readiness reads the database as it is: writable and an outbox that moves, or why not."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.readiness import STUCK_SECONDS, Readiness
from bot.storage.database import create_engine, migrate
from bot.storage.outbox import OutboxStore


def test_an_outbox_nobody_delivers_is_not_ready(tmp_path: Path) -> None:
    async def scenario() -> tuple[str | None, str | None]:
        engine = create_engine(f"sqlite:///{tmp_path / 'ready.db'}")
        try:
            await migrate(engine)
            now = 1_000_000.0
            readiness = Readiness(engine=engine, clock=lambda: now + STUCK_SECONDS + 60)
            fresh = await Readiness(engine=engine, clock=lambda: now).problem()
            await OutboxStore(engine=engine).add("siit", {"n": 1}, now=now, lease_seconds=0)
            return fresh, await readiness.problem()
        finally:
            await engine.dispose()

    fresh, stuck = asyncio.run(scenario())
    assert fresh is None
    assert stuck is not None and stuck.startswith("outbox stuck")
