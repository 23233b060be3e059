"""Pure readers of Slack payloads (like bolt-python's ``payload_utils``): who acted, in which
workspace, on which thread. Defensive: a missing or malformed part reads as empty, never raises."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.domain.thread import ThreadKey


def _part(body: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = body.get(key)
    return value if isinstance(value, Mapping) else {}


def user_id(body: Mapping[str, Any]) -> str:
    """The member who acted (``user.id``), or ``""``."""
    value = _part(body, "user").get("id")
    return value if isinstance(value, str) else ""


def team_id(body: Mapping[str, Any]) -> str:
    """The workspace the action happened in (``team.id``), else the member's own
    (``user.team_id``: Slack Connect and org-wide installs may send only that), or ``""``."""
    for value in (_part(body, "team").get("id"), _part(body, "user").get("team_id")):
        if isinstance(value, str) and value:
            return value
    return ""


def thread_of(team: str, channel_id: str | None, message_ts: str | None, thread_ts: str | None) -> ThreadKey | None:
    """The thread a message lives in: its root (``thread_ts``), or the message itself."""
    root = thread_ts or message_ts
    if not channel_id or not root:
        return None
    return ThreadKey(team_id=team, channel_id=channel_id, thread_ts=root)
