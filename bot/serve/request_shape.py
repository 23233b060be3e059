"""What a signed body from Slack is, read once: whether it can be a Slack request at all, and
whether Slack reads our HTTP answer to it. Pure; the web layer acts on the result."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

DEFERRED_INTERACTIONS = frozenset({"block_actions", "shortcut", "message_action", "view_closed"})
"""Interactions whose HTTP answer Slack ignores: acknowledged at once, handled after."""


@dataclass(frozen=True)
class RequestShape:
    problem: str | None = None
    """Why the body cannot be a Slack request (answered 400), or ``None``."""
    answer_is_ignored: bool = False
    """True for commands, events, button clicks and shortcuts, whose response body Slack does not
    read; False where it matters (view_submission's response_action, options, url_verification)."""
    payload: dict[str, Any] | None = None
    """The event envelope or the interaction payload, parsed (``None`` for commands and checks)."""


def read_shape(text: str, content_type: str) -> RequestShape:
    if content_type.startswith("application/json"):
        return _json_shape(text)
    form = parse_qs(text)
    if "payload" in form:
        try:
            payload = json.loads(form["payload"][0])
        except (ValueError, RecursionError):
            return RequestShape("payload is not JSON")
        problem = interaction_problem(payload)
        if problem:
            return RequestShape(problem)
        return RequestShape(answer_is_ignored=payload["type"] in DEFERRED_INTERACTIONS, payload=payload)
    if "command" in form:
        return RequestShape(answer_is_ignored=True)
    if "ssl_check" in form:
        return RequestShape()
    return RequestShape("not a Slack request")


def _json_shape(text: str) -> RequestShape:
    try:
        envelope = json.loads(text)
    except (ValueError, RecursionError):
        return RequestShape("body is not JSON")
    if not isinstance(envelope, dict):
        return RequestShape("body is not a JSON object")
    if envelope.get("type") == "url_verification":
        return RequestShape() if isinstance(envelope.get("challenge"), str) else RequestShape("no challenge")
    if envelope.get("type") == "app_rate_limited":
        return RequestShape(answer_is_ignored=True, payload=envelope)
    if envelope.get("type") != "event_callback":
        return RequestShape("not a Slack event")
    if not isinstance(envelope.get("event"), dict):
        return RequestShape("event_callback without an event")
    return RequestShape(answer_is_ignored=True, payload=envelope)


def interaction_problem(payload: object) -> str | None:
    """The minimal shape Bolt's payload helpers index into without checking."""
    if not isinstance(payload, dict) or not isinstance(payload.get("type"), str):
        return "payload is not a Slack interaction"
    user = payload.get("user")
    if not isinstance(user, dict) or not isinstance(user.get("id"), str):
        return "payload has no user"
    view = payload.get("view")
    if payload["type"] in ("view_submission", "view_closed") and view is None:
        return "view payload without a view"
    if view is not None and not (
        isinstance(view, dict) and isinstance(view.get("id"), str) and isinstance(view.get("type"), str)
    ):
        return "payload has a malformed view"
    actions = payload.get("actions")
    if payload["type"] == "block_actions" and not (
        isinstance(actions, list) and actions and all(isinstance(a, dict) for a in actions)
    ):
        return "block_actions without actions"
    return None
