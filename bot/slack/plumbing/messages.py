"""Helpers over Slack messages: pure payload readers, and the two lookups that fetch one."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.plumbing.calls import best_effort

log = logging.getLogger(__name__)


def thread_root(message: Mapping[str, Any]) -> str | None:
    """The ts of the thread a message belongs to; a message outside a thread is its own root."""
    root = message.get("thread_ts") or message.get("ts")
    return root if isinstance(root, str) and root else None


def text_with_files(message: Mapping[str, Any]) -> str:
    """The message's text, then each shared file's name and link (a helpdesk cannot open
    Slack's files, so they go as links)."""
    parts = [str(message.get("text") or "").strip()]
    for shared in message.get("files") or []:
        if isinstance(shared, Mapping):
            link = shared.get("permalink") or shared.get("url_private") or ""
            parts.append(f"[file] {shared.get('name') or shared.get('title') or 'file'} {link}".strip())
    return "\n".join(p for p in parts if p)


def is_from_a_bot(message: Mapping[str, Any]) -> bool:
    return bool(message.get("bot_id")) or message.get("subtype") == "bot_message"


def author(message: Mapping[str, Any]) -> str | None:
    user = message.get("user")
    return user if isinstance(user, str) and user else None


async def permalink(client: AsyncWebClient, channel_id: str, message_ts: str) -> str | None:
    response = await best_effort(
        client.chat_getPermalink(channel=channel_id, message_ts=message_ts), f"permalink of {channel_id}/{message_ts}"
    )
    link = response.get("permalink") if response is not None else None
    return link if isinstance(link, str) else None


async def fetch_message(client: AsyncWebClient, channel_id: str, message_ts: str) -> dict[str, Any] | None:
    """One message by its ts, whether a thread root or a reply."""
    response = await best_effort(
        client.conversations_replies(channel=channel_id, ts=message_ts, limit=1, inclusive=True),
        f"reading {channel_id}/{message_ts}",
        needed=True,  # a message not read for Slack's trouble is not a missing message: tried again
    )
    messages = (response.get("messages") if response is not None else None) or []
    found = next((m for m in messages if isinstance(m, dict) and m.get("ts") == message_ts), None)
    return found


def metadata_payload(message: object, event_type: str) -> Mapping[str, Any] | None:
    """The payload of our own message metadata of ``event_type`` (read with
    ``include_all_metadata``), or ``None``: how an earlier post of ours is recognised."""
    metadata = message.get("metadata") if isinstance(message, dict) else None
    if not isinstance(metadata, dict) or metadata.get("event_type") != event_type:
        return None
    payload = metadata.get("event_payload")
    return payload if isinstance(payload, dict) else None
