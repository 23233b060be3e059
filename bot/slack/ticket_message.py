"""The ticket message: posted where the ticket was asked for; its thread is the ticket's thread."""

from __future__ import annotations

from slack_sdk.models.blocks import Block, ButtonElement, ContextBlock, MarkdownTextObject, SectionBlock

from bot.forms import limits
from bot.slack.mrkdwn import escape
from bot.storage.tickets import TicketRecord


def ticket_message(record: TicketRecord) -> tuple[str, list[Block]]:
    """Fallback text and blocks."""
    title = escape(limits.fit(record.title, 300))
    headline = f"*{escape(record.friendly_id)}* {title}"
    fields = [
        MarkdownTextObject(text=f"*Service*\n{escape(record.form_name) or '-'}"),
        MarkdownTextObject(text=f"*Status*\n{escape(status_label(record.status))}"),
    ]
    section = SectionBlock(
        text=MarkdownTextObject(text=headline),
        fields=fields,
        accessory=ButtonElement(text="Open ticket", url=record.url, action_id="open_ticket_link")
        if record.url
        else None,
    )
    context = ContextBlock(
        elements=[MarkdownTextObject(text=f"Requested by <@{record.requester_id}> · replies in this thread")]
    )
    text = f"{record.friendly_id}: {limits.fit(record.title, 300)}"
    return escape(text), [section, context]


def status_label(status: str | None) -> str:
    return (status or "open").replace("_", " ").capitalize()
