"""A full scenario with DEBUG logging: no token or signing secret may appear in what is logged."""

from __future__ import annotations

import logging

import pytest

from bot.testing.servers import wait_until
from tests.conftest import SIGNING_SECRET, SIIT_TOKEN, SLACK_TOKEN, StartBot


def test_no_secret_reaches_the_logs(start_bot: StartBot, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    bot = start_bot(log_level="DEBUG")
    wait_until(lambda: len(bot.siit.calls_to("GET", "/v1/services")) >= 2, what="warm-up")
    bot.siit.failures.append(("/v1/requests", 500))
    view = bot.open_modal("printer")
    bot.sender.submit(view, {"field:ci_floor": "2"})
    wait_until(lambda: "Filed" in str(bot.slack.views[view["id"]]["blocks"]), what="the filed view")
    bot.sender.form({"command": "/ticket"}, secret="forged")
    logged = "\n".join(f"{r.getMessage()} {r.args!r}" for r in caplog.records)
    assert "views.open" in logged or "chat.postMessage" in logged  # DEBUG logging really ran
    for secret in (SLACK_TOKEN, SIIT_TOKEN, SIGNING_SECRET):
        assert secret not in logged
