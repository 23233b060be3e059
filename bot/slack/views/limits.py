"""Slack's Block Kit limits the form core must keep, and helpers that make text fit them."""

from __future__ import annotations

import hashlib

MODAL_TITLE = 24
MODAL_BUTTON = 24
MODAL_BLOCKS = 100
PRIVATE_METADATA = 3000
BLOCK_ID = 255
LABEL = 2000
HINT = 2000
PLACEHOLDER = 150
OPTION_TEXT = 75
OPTION_VALUE = 150
SELECT_OPTIONS = 100
CHECKBOX_OPTIONS = 10
TEXT_INPUT = 3000
CONTEXT_TEXT = 3000
SECTION_TEXT = 3000
SECTION_FIELD = 2000
BUTTON_URL = 3000
TICKET_NAME = 80
"""A helpdesk's name for a ticket ("REQ-12") as shown; whatever it sent is stored whole."""
LINK_URL = 1500
"""Longest URL put in a mrkdwn link; a longer one leaves the label plain, so the text still fits."""
ELLIPSIS = "…"


def fit(text: str, limit: int) -> str:
    """Cut ``text`` to at most ``limit`` characters, marking the cut with an ellipsis."""
    text = text.strip()
    if len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + ELLIPSIS


def short_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:20]
