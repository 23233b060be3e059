"""``python -m bot manifest``: every request URL filled (or Socket Mode on), valid against
Slack's schema; a bad URL is one line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from bot.ops.manifest import SCHEMA, ManifestError, events_url, render
from tests.fakes.bot_process import env_of

TEMPLATE: dict[str, Any] = {
    "features": {"slash_commands": [{"command": "/ticket", "description": "x", "url": "https://old/slack/events"}]},
    "settings": {
        "event_subscriptions": {"request_url": "https://old/slack/events", "bot_events": ["reaction_added"]},
        "interactivity": {"is_enabled": True, "request_url": "https://old/slack/events"},
    },
}


def urls(manifest: dict[str, Any]) -> list[str]:
    settings = manifest["settings"]
    found = [c.get("url") for c in manifest["features"]["slash_commands"]]
    found += [settings["event_subscriptions"].get("request_url")]
    found += [settings["interactivity"].get(k) for k in ("request_url", "message_menu_options_url")]
    return found


def manifest_command(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "manifest", *args], env=env_of({}), capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("https://tickets.acme.io", "https://tickets.acme.io/slack/events"),
        ("https://tickets.acme.io/", "https://tickets.acme.io/slack/events"),
        ("https://acme.io/helpdesk/slack/events", "https://acme.io/helpdesk/slack/events"),
        ("https://acme.io:8443/helpdesk", "https://acme.io:8443/helpdesk/slack/events"),
    ],
)
def test_the_events_url_is_derived_from_the_public_address(given: str, expected: str) -> None:
    assert events_url(given) == expected


@pytest.mark.parametrize("given", ["http://acme.io", "acme.io", "https://", "https://acme.io/?a=1", ""])
def test_an_address_slack_cannot_use_is_refused(given: str) -> None:
    with pytest.raises(ManifestError):
        events_url(given)


def test_render_fills_every_url_and_leaves_the_template_alone() -> None:
    rendered = render(TEMPLATE, url="https://new.example", socket=False)
    assert urls(rendered) == ["https://new.example/slack/events"] * 4
    assert rendered["settings"]["socket_mode_enabled"] is False
    assert urls(TEMPLATE)[0] == "https://old/slack/events"


def test_socket_mode_removes_every_url() -> None:
    rendered = render(TEMPLATE, url=None, socket=True)
    assert urls(rendered) == [None] * 4
    assert rendered["settings"]["socket_mode_enabled"] is True


@pytest.mark.parametrize("args", [["--url", "https://tickets.acme.io"], ["--socket"]])
def test_the_printed_manifest_is_valid_for_slack(args: list[str]) -> None:
    result = manifest_command(*args)
    assert result.returncode == 0, result.stderr
    printed = yaml.safe_load(result.stdout)
    jsonschema.validate(printed, yaml.safe_load(Path(SCHEMA).read_text()))
    expected = None if args == ["--socket"] else "https://tickets.acme.io/slack/events"
    assert urls(printed) == [expected] * 4
    assert printed["settings"]["socket_mode_enabled"] is (args == ["--socket"])
    assert "tickets.example.com" not in result.stdout


@pytest.mark.parametrize("args", [[], ["--url", "http://insecure.example"]])
def test_a_manifest_without_a_usable_address_is_one_line(args: list[str]) -> None:
    result = manifest_command(*args)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1 and result.stderr.startswith("error: ")
