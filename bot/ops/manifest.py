"""``python -m bot manifest --url https://host [--socket]``: the Slack app manifest with every
request URL filled in (or Socket Mode on), checked against Slack's manifest schema before it is
printed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jsonschema
import yaml

MANIFESTS = Path(__file__).resolve().parents[2] / "manifests"
TEMPLATE = MANIFESTS / "manifest.yml"
SCHEMA = MANIFESTS / "schema" / "manifest.schema.1.0.0.json"
EVENTS_PATH = "/slack/events"


class ManifestError(Exception):
    """One line: what is wrong with the URL or the rendered manifest."""


def events_url(base_url: str) -> str:
    """``https://host[/prefix]`` -> ``https://host[/prefix]/slack/events``."""
    parts = urlsplit(base_url.strip())
    if parts.scheme != "https" or not parts.hostname:
        raise ManifestError(f"--url must be the app's public https:// address, not {base_url!r}")
    if parts.query or parts.fragment:
        raise ManifestError("--url takes no query or fragment")
    path = parts.path.rstrip("/").removesuffix(EVENTS_PATH)
    return f"https://{parts.netloc}{path}{EVENTS_PATH}"


def render(template: dict[str, Any], *, url: str | None, socket: bool) -> dict[str, Any]:
    """Every request URL set to ``url``'s events endpoint, or removed with Socket Mode on (Slack
    then sends everything over the app's WebSocket)."""
    if not socket and url is None:
        raise ManifestError("give --url https://your-host (or --socket for Socket Mode)")
    manifest: dict[str, Any] = json.loads(json.dumps(template))  # a deep copy of plain data
    target = None if socket else events_url(url or "")
    settings = manifest.setdefault("settings", {})
    for command in manifest.get("features", {}).get("slash_commands", []):
        _set(command, "url", target)
    _set(settings.setdefault("event_subscriptions", {}), "request_url", target)
    interactivity = settings.setdefault("interactivity", {"is_enabled": True})
    _set(interactivity, "request_url", target)
    _set(interactivity, "message_menu_options_url", target)
    settings["socket_mode_enabled"] = socket
    return manifest


def _set(section: dict[str, Any], key: str, value: str | None) -> None:
    if value is None:
        section.pop(key, None)
    else:
        section[key] = value


def validate(manifest: dict[str, Any], schema_path: Path = SCHEMA) -> None:
    schema = json.loads(schema_path.read_text())
    errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(manifest), key=lambda e: list(e.absolute_path))
    if errors:
        first = errors[0]
        where = ".".join(str(p) for p in first.absolute_path) or "(top level)"
        raise ManifestError(f"the manifest does not match Slack's schema at {where}: {first.message}")


def manifest_text(*, url: str | None, socket: bool) -> str:
    template = yaml.safe_load(TEMPLATE.read_text())
    manifest = render(template, url=url, socket=socket)
    validate(manifest)
    header = "# Paste into https://api.slack.com/apps -> Create New App -> From a manifest (YAML).\n"
    return header + yaml.safe_dump(manifest, sort_keys=False, allow_unicode=True)
