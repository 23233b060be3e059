"""The real process at DEBUG and at INFO, through a whole scenario (a ticket filed, a webhook sent
with its secret in the URL, a forged request): no token, secret or e-mail address in its output."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from bot.testing.servers import wait_until
from bot.testing.siit_data import REQUESTER
from bot.testing.slack_api import FakeSlack
from bot.testing.slack_client import SlackSender
from bot.testing.suptask_api import FakeSuptask
from bot.testing.suptask_data import IMPACT_FIELD
from tests.conftest import SIGNING_SECRET, SLACK_TOKEN, SUPTASK_TOKEN, WEBHOOK_SECRET, RunningBot
from tests.fakes.bot_process import BotProcess


@pytest.mark.parametrize("level", ["DEBUG", "INFO"])
def test_the_process_output_keeps_every_secret_and_email(
    level: str, suptask_process_env: dict[str, str], fake_slack: FakeSlack, fake_suptask: FakeSuptask, tmp_path: Path
) -> None:
    process = BotProcess({**suptask_process_env, "LOG_LEVEL": level}, tmp_path)
    try:
        with httpx.Client(timeout=10) as http:
            bot = RunningBot(SlackSender(process.url, SIGNING_SECRET, http), fake_slack, None, process.url)  # type: ignore[arg-type]
            view = bot.open_modal("printer jams")
            bot.sender.submit(view, {f"field:{IMPACT_FIELD}": "Low"})
            wait_until(lambda: "Filed" in str(fake_slack.views[view["id"]]["blocks"]), what="the ticket filed")
            (ticket_id,) = fake_suptask.tickets
            hook = {"ticket": {"id": ticket_id, "status": "In Progress"}}
            answer = http.post(f"{process.url}/webhooks/suptask?secret={WEBHOOK_SECRET}", json=hook)
            assert answer.status_code == 200
            bot.sender.form({"command": "/ticket"}, secret="forged")
    finally:
        process.stop()
    output = process.output()
    assert "webhooks/suptask" in output or level != "INFO" or "POST" in output  # the access log ran
    assert output.strip(), "the process logged nothing"
    for secret in (SLACK_TOKEN, SIGNING_SECRET, SUPTASK_TOKEN, WEBHOOK_SECRET, REQUESTER[1]):
        assert secret not in output, f"{secret[:4]}… in the {level} output"
