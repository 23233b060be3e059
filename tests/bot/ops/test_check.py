"""``python -m bot check`` as an admin runs it, against the fake helpdesks over HTTP: the forms
file described, the helpdesk reached once with the token, each form shown with a Block Kit
Builder link that opens the modal people will get; every problem one line on stderr."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote

import pytest

from bot.testing.block_kit import view_problems
from bot.testing.siit_api import FakeSiit
from bot.testing.slack_api import FakeSlack
from bot.testing.suptask_api import FakeSuptask
from bot.testing.zendesk_api import FakeZendesk
from bot.testing.zendesk_data import EMAIL as ZENDESK_EMAIL
from bot.testing.zendesk_data import FORM_ID as ZENDESK_FORM_ID
from tests.conftest import SIIT_TOKEN, SLACK_TOKEN, SUPTASK_TOKEN, ZENDESK_TOKEN

ROOT = Path(__file__).resolve().parents[3]
BASE_ENV = {"SLACK_BOT_TOKEN": SLACK_TOKEN, "SLACK_SIGNING_SECRET": "check-secret"}
LINK = re.compile(r"preview: (https://app\.slack\.com/block-kit-builder#\S+)")


def run_check(tmp_path: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SLACK_", "SIIT_", "SUPTASK_", "ZENDESK_", "TICKET_", "FORMS"))
    }
    return subprocess.run(
        [sys.executable, "-m", "bot", "check"],
        env={**clean, "PYTHONPATH": str(ROOT), **BASE_ENV, **env},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
def slack_env(fake_slack: FakeSlack) -> dict[str, str]:
    return {"SLACK_API_URL": fake_slack.url + "/api/"}  # type: ignore[attr-defined]


def suptask_env(fake_suptask: FakeSuptask, token: str = SUPTASK_TOKEN) -> dict[str, str]:
    url = fake_suptask.url + "/api/v2/public"  # type: ignore[attr-defined]
    return {"TICKET_BACKEND": "suptask", "SUPTASK_API_TOKEN": token, "SUPTASK_API_URL": url}


def previews(stdout: str) -> list[dict[str, object]]:
    return [json.loads(unquote(link.split("#", 1)[1])) for link in LINK.findall(stdout)]


def test_check_prints_forms_fields_routes_and_a_preview_per_form(
    tmp_path: Path, fake_suptask: FakeSuptask, slack_env: dict[str, str]
) -> None:
    (tmp_path / "forms.yml").write_text((ROOT / "forms.example.yml").read_text())
    result = run_check(tmp_path, {**slack_env, **suptask_env(fake_suptask)})
    assert result.returncode == 0, result.stderr
    assert "form 96d140f8-bd0f-4b46-a115-c19e090bb79c 'IT help' (C076K6Y74L1), 3 fields" in result.stdout
    assert "field 9682a666-b6b2-4f5e-833d-cb4430799317 'Business impact': select required" in result.stdout
    assert "C0HRHRHR1 -> 0b6c3c8e-4f1e-4c1b-9a43-2b7d1e4f5a10" in result.stdout
    assert "Slack: bot token accepted" in result.stdout
    assert "Suptask: reached, token accepted" in result.stdout
    views = previews(result.stdout)
    assert len(views) == 2
    for view in views:
        assert view["type"] == "modal" and view_problems(view) == []
    labels = [block["label"]["text"] for block in views[0]["blocks"] if "label" in block]  # type: ignore[index, union-attr]
    assert labels[:2] == ["Title", "Description"] and "Business impact" in labels
    assert [(c.method, c.path.rsplit("/", 1)[-1]) for c in fake_suptask.calls] == [
        ("PATCH", "00000000-0000-0000-0000-000000000000")
    ]  # one harmless call; nothing changed
    assert fake_suptask.tickets == {}


def test_check_reads_siits_services_and_pings_once(
    tmp_path: Path, fake_siit: FakeSiit, slack_env: dict[str, str]
) -> None:
    url = fake_siit.url + "/v1"  # type: ignore[attr-defined]
    env = {**slack_env, "SIIT_API_TOKEN": SIIT_TOKEN, "SIIT_API_URL": url, "SIIT_SERVICES": "wa_printers,wa_access"}
    result = run_check(tmp_path, env)
    assert result.returncode == 0, result.stderr
    assert len(fake_siit.calls_to("GET", "/v1/ping")) == 1
    views = previews(result.stdout)
    assert len(views) == 2 and all(view_problems(v) == [] for v in views)


def test_check_reads_zendesks_forms_and_reaches_it_once(
    tmp_path: Path, fake_zendesk: FakeZendesk, slack_env: dict[str, str]
) -> None:
    env = {
        **slack_env,
        "TICKET_BACKEND": "zendesk",
        "ZENDESK_API_URL": fake_zendesk.url + "/api/v2",  # type: ignore[attr-defined]
        "ZENDESK_EMAIL": ZENDESK_EMAIL,
        "ZENDESK_API_TOKEN": ZENDESK_TOKEN,
        "ZENDESK_FORMS": str(ZENDESK_FORM_ID),
    }
    result = run_check(tmp_path, env)
    assert result.returncode == 0, result.stderr
    assert len(fake_zendesk.calls_to("GET", "/users/me")) == 1
    [view] = previews(result.stdout)
    assert view_problems(view) == []
    assert "Category" in json.dumps(view) and "Agent notes" not in json.dumps(view)
    assert fake_zendesk.tickets == []


def test_a_refused_token_is_one_line(
    tmp_path: Path, fake_siit: FakeSiit, fake_suptask: FakeSuptask, slack_env: dict[str, str]
) -> None:
    (tmp_path / "forms.yml").write_text((ROOT / "forms.example.yml").read_text())
    url = fake_siit.url + "/v1"  # type: ignore[attr-defined]
    for env, expected in (
        ({**slack_env, **suptask_env(fake_suptask, token="wrong-token")}, "Suptask refused or could not be reached"),
        (
            {**slack_env, "SIIT_API_TOKEN": "wrong", "SIIT_API_URL": url, "SIIT_SERVICES": "wa_printers"},
            "Siit refused or could not be reached",
        ),
        ({**suptask_env(fake_suptask), **slack_env, "SLACK_BOT_TOKEN": "xoxb-wrong"}, "Slack refused SLACK_BOT_TOKEN"),
    ):
        result = run_check(tmp_path, env)
        assert result.returncode == 1
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and expected in lines[0], result.stderr


def test_check_fails_on_a_bad_forms_file(tmp_path: Path) -> None:
    (tmp_path / "forms.yml").write_text("forms: [{form_id: a, name: A, fields: [{field_id: x, label: X, type: nope}]}]")
    result = run_check(tmp_path, {"TICKET_BACKEND": "suptask", "SUPTASK_API_TOKEN": "tok"})
    assert result.returncode == 1
    assert "forms.yml:1:70: forms[0].fields[0].type: 'nope' is not one of" in result.stderr


def test_check_fails_when_suptask_forms_have_no_channels(tmp_path: Path) -> None:
    (tmp_path / "forms.yml").write_text("forms: [{form_id: a, name: A}]")
    result = run_check(tmp_path, {"TICKET_BACKEND": "suptask", "SUPTASK_API_TOKEN": "tok"})
    assert result.returncode == 1
    assert "forms[0].channels" in result.stderr


def test_check_fails_without_a_forms_file_for_suptask(tmp_path: Path) -> None:
    result = run_check(tmp_path, {"TICKET_BACKEND": "suptask", "SUPTASK_API_TOKEN": "tok"})
    assert result.returncode == 1
    assert "FORMS_FILE" in result.stderr
