from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.bootstrap import create_app
from bot.ops.settings_loading import load_settings
from bot.testing.servers import RunningServer, ServerLoop, wait_until
from bot.testing.siit_api import FakeSiit
from bot.testing.siit_data import ACCESS_SERVICE, PRINTER_SERVICE, REQUESTER
from bot.testing.slack_api import FakeSlack
from bot.testing.slack_client import SlackSender
from bot.testing.suptask_api import FakeSuptask
from bot.testing.suptask_data import FORMS_YAML, WORKSPACE
from bot.testing.zendesk_api import FakeZendesk
from bot.testing.zendesk_data import AGENT as ZENDESK_AGENT
from bot.testing.zendesk_data import EMAIL as ZENDESK_EMAIL
from bot.testing.zendesk_data import FIELDS as ZENDESK_FIELDS
from bot.testing.zendesk_data import FORM as ZENDESK_FORM
from bot.testing.zendesk_data import FORM_ID as ZENDESK_FORM_ID
from tests.fakes.bot_process import BotProcess, env_of, free_port

SLACK_TOKEN = "xoxb-test-bot-token-0123456789"
SIGNING_SECRET = "test-signing-secret-abcdef"
SIIT_TOKEN = "siit-test-token-9876543210"


@pytest.fixture(scope="session")
def servers() -> Iterator[ServerLoop]:
    loop = ServerLoop()
    yield loop
    loop.close()


@pytest.fixture
def fake_slack(servers: ServerLoop) -> Iterator[FakeSlack]:
    slack = FakeSlack(token=SLACK_TOKEN, member_channels={"C100"})
    slack.add_user(REQUESTER[0], email=REQUESTER[1], name="Ada Lovelace")
    running = servers.serve(slack.asgi())
    slack.url = running.url  # type: ignore[attr-defined]
    yield slack
    servers.stop(running)


@pytest.fixture
def fake_siit(servers: ServerLoop) -> Iterator[FakeSiit]:
    siit = FakeSiit(token=SIIT_TOKEN)
    siit.services = {s["uid"]: copy.deepcopy(s) for s in (PRINTER_SERVICE, ACCESS_SERVICE)}
    siit.add_user(REQUESTER[2], REQUESTER[1], slack_user_id=REQUESTER[0])
    running = servers.serve(siit.asgi())
    siit.url = running.url  # type: ignore[attr-defined]
    yield siit
    servers.stop(running)


@dataclass
class RunningBot:
    sender: SlackSender
    slack: FakeSlack
    siit: FakeSiit
    url: str

    def open_modal(self, text: str = "", *, user: str = "U100", channel: str = "C100") -> dict[str, Any]:
        """Run ``/ticket`` and return the form view once it is shown (after any loading view)."""
        before = len(self.slack.calls_to("views.open"))
        response, _ = self.sender.slash_command(text, user=user, channel=channel)
        assert response.status_code == 200, response.text
        wait_until(lambda: len(self.slack.calls_to("views.open")) > before, what="views.open")
        view_id = max(self.slack.views)
        wait_until(lambda: self.slack.views[view_id].get("submit") is not None, what="the form view")
        return self.slack.views[view_id]


@pytest.fixture
def bot_settings(tmp_path: Path, fake_slack: FakeSlack, fake_siit: FakeSiit) -> dict[str, Any]:
    return {
        "_env_file": None,
        "slack_bot_token": SLACK_TOKEN,
        "slack_signing_secret": SIGNING_SECRET,
        "slack_api_url": fake_slack.url + "/api/",  # type: ignore[attr-defined]
        "ticket_backend": "siit",
        "siit_api_token": SIIT_TOKEN,
        "siit_api_url": fake_siit.url + "/v1",  # type: ignore[attr-defined]
        "siit_services": "wa_printers,wa_access",
        "database_url": f"sqlite:///{tmp_path / 'bot.db'}",
        "backend_backoff_seconds": 0.05,
        "backend_timeout_seconds": 2.0,
        "delivery_first_delay_seconds": 0.2,
        "delivery_poll_seconds": 0.05,
        "backend_max_wait_seconds": 0.5,
        "slack_channel_post_seconds": 0.01,  # Slack's pace per channel; paced for real in its own test
    }


StartBot = Callable[..., RunningBot]


@pytest.fixture
def start_bot(
    servers: ServerLoop, bot_settings: dict[str, Any], fake_slack: FakeSlack, fake_siit: FakeSiit
) -> Iterator[StartBot]:
    """Start the app (settings overridable); every instance is stopped after the test."""
    started: list[RunningServer] = []
    with httpx.Client(timeout=10) as http:

        def start(**overrides: Any) -> RunningBot:
            running = servers.serve(create_app(load_settings(**{**bot_settings, **overrides})))
            started.append(running)
            return RunningBot(SlackSender(running.url, SIGNING_SECRET, http), fake_slack, fake_siit, running.url)

        yield start
        for running in started:
            servers.stop(running)


@pytest.fixture
def bot(start_bot: StartBot) -> RunningBot:
    """The app, its form cache warmed."""
    running = start_bot()
    wait_until(lambda: len(running.siit.calls_to("GET", "/v1/services")) >= 2, what="form cache warm-up")
    return running


SUPTASK_TOKEN = "suptask-test-token-5555"


@pytest.fixture
def fake_suptask(servers: ServerLoop) -> Iterator[FakeSuptask]:
    suptask = FakeSuptask(token=SUPTASK_TOKEN)
    suptask.forms = copy.deepcopy(WORKSPACE)
    running = servers.serve(suptask.asgi())
    suptask.url = running.url  # type: ignore[attr-defined]
    yield suptask
    servers.stop(running)


@pytest.fixture
def start_suptask_bot(start_bot: StartBot, fake_suptask: FakeSuptask, tmp_path: Path) -> StartBot:
    """Start the app with TICKET_BACKEND=suptask and the shared forms file (settings overridable)."""
    forms_file = tmp_path / "forms.yml"
    forms_file.write_text(FORMS_YAML)

    def start(**overrides: Any) -> RunningBot:
        return start_bot(
            ticket_backend="suptask",
            suptask_api_token=SUPTASK_TOKEN,
            suptask_api_url=fake_suptask.url + "/api/v2/public",  # type: ignore[attr-defined]
            forms_file=forms_file,
            **overrides,
        )

    return start


@pytest.fixture
def suptask_bot(start_suptask_bot: StartBot) -> RunningBot:
    return start_suptask_bot()


@pytest.fixture
def processes() -> Iterator[list[BotProcess]]:
    """App processes a test started (``tests.fakes.bot_process``), stopped after it."""
    started: list[BotProcess] = []
    yield started
    for process in started:
        process.stop()


WEBHOOK_SECRET = "webhook-secret-0123456789abcdef"


@pytest.fixture
def suptask_process_env(bot_settings: dict[str, Any], fake_suptask: FakeSuptask, tmp_path: Path) -> dict[str, str]:
    """The environment of an app process on Suptask (forms file, webhook on), on a free port."""
    (tmp_path / "forms.yml").write_text(FORMS_YAML)
    return env_of(
        bot_settings,
        port=free_port(),
        ticket_backend="suptask",
        suptask_api_token=SUPTASK_TOKEN,
        suptask_api_url=fake_suptask.url + "/api/v2/public",  # type: ignore[attr-defined]
        suptask_webhook_secret=WEBHOOK_SECRET,
        forms_file=tmp_path / "forms.yml",
    )


ZENDESK_TOKEN = "zendesk-test-token-4242"


@pytest.fixture
def fake_zendesk(servers: ServerLoop) -> Iterator[FakeZendesk]:
    zendesk = FakeZendesk(email=ZENDESK_EMAIL, token=ZENDESK_TOKEN)
    zendesk.forms = {ZENDESK_FORM_ID: copy.deepcopy(ZENDESK_FORM)}
    zendesk.fields = copy.deepcopy(ZENDESK_FIELDS)
    zendesk.add_user(ZENDESK_AGENT[2], ZENDESK_AGENT[1], role="agent")
    running = servers.serve(zendesk.asgi())
    zendesk.url = running.url  # type: ignore[attr-defined]
    yield zendesk
    servers.stop(running)
