"""Escaping what people typed before the bot echoes it in mrkdwn."""

from __future__ import annotations

from bot.slack.views.limits import LINK_URL


def escape(text: str) -> str:
    """Slack's three control characters; with them escaped a title cannot ping ``@channel``
    (``<!channel>``), mention anyone or inject a link."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def link(url: str | None, label: str) -> str:
    if not url or len(url) > LINK_URL or any(c in url for c in "<>| \n"):
        return escape(label)
    return f"<{url}|{escape(label).replace('|', '¦')}>"
