"""Readiness reads the database as it is: writable and an outbox that moves, or why not."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx

from bot.ops.readiness import STUCK_SECONDS, Readiness
from bot.storage.database import create_engine, migrate
from bot.storage.outbox import OutboxStore
from bot.testing.slack_api import FakeSlack
from tests.conftest import RunningBot, StartBot


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


def test_slack_is_asked_once_a_minute_at_most(bot: RunningBot) -> None:
    assert httpx.get(bot.url + "/readyz").status_code == 200
    assert len(bot.slack.calls_to("auth.test")) == 1
    assert httpx.get(bot.url + "/readyz").status_code == 200
    assert len(bot.slack.calls_to("auth.test")) == 1  # asked at most once a minute


def test_a_revoked_token_at_the_first_check_is_the_reason(start_bot: StartBot, fake_slack: FakeSlack) -> None:
    bot = start_bot()
    fake_slack.token = "xoxb-rotated-elsewhere"  # the app's token no longer works
    answer = httpx.get(bot.url + "/readyz")
    assert answer.status_code == 503
    assert answer.json()["reason"] == "Slack refused the bot token: invalid_auth"
