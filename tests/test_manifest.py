from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = ROOT / "manifests" / "schema" / "manifest.schema.1.0.0.json"


def manifest() -> dict[str, object]:
    loaded = yaml.safe_load((ROOT / "manifests" / "manifest.yml").read_text())
    assert isinstance(loaded, dict)
    return loaded


def schema() -> dict[str, object]:
    if not SCHEMA.exists():
        pytest.fail(f"Slack's manifest schema is missing at {SCHEMA}")
    loaded = json.loads(SCHEMA.read_text())
    assert isinstance(loaded, dict)
    return loaded


def test_manifest_is_valid_against_slacks_schema() -> None:
    jsonschema.validate(manifest(), schema())


def test_schema_check_catches_a_broken_manifest() -> None:
    broken = manifest()
    broken["settings"] = {"interactivity": {"is_enabled": "yes"}}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema())


def test_manifest_names_the_command_and_scopes_the_app_uses() -> None:
    loaded = manifest()
    commands = [c["command"] for c in loaded["features"]["slash_commands"]]  # type: ignore[index]
    assert commands == ["/ticket"]
    scopes = set(loaded["oauth_config"]["scopes"]["bot"])  # type: ignore[index]
    assert {"commands", "chat:write", "users:read", "users:read.email"} <= scopes
    assert {"reactions:read", "reactions:write", "channels:history", "groups:history"} <= scopes
    shortcuts = {(s["type"], s["callback_id"]) for s in loaded["features"]["shortcuts"]}  # type: ignore[index]
    assert shortcuts == {
        ("global", "create_ticket"),
        ("message", "create_ticket_from_message"),
        ("message", "reply_to_ticket"),
    }
    events = loaded["settings"]["event_subscriptions"]["bot_events"]  # type: ignore[index]
    assert events == ["app_home_opened", "reaction_added", "message.channels", "message.groups"]
    assert loaded["features"]["app_home"]["home_tab_enabled"] is True  # type: ignore[index]
    assert "chat:write.customize" in scopes  # agent replies under the agent's name
