"""The ticket message: posted where the ticket was asked for; its thread is the ticket's thread.
It shows the status, updated in place, and the requester's buttons."""

from __future__ import annotations

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement, ContextBlock, MarkdownTextObject, SectionBlock

from bot.forms import limits
from bot.slack.mrkdwn import escape
from bot.storage.tickets import TicketRecord

ADD_DETAILS_ACTION = "ticket_add_details"
CLOSE_ACTION = "ticket_close"
LINK_ACTION = "open_ticket_link"


def ticket_ref(record: TicketRecord) -> str:
    """A button value naming the ticket."""
    return f"{record.backend}|{record.ticket_id}"


def parse_ticket_ref(value: object) -> tuple[str, str] | None:
    if not isinstance(value, str) or "|" not in value:
        return None
    backend, ticket_id = value.split("|", 1)
    return (backend, ticket_id) if backend and ticket_id else None


def ticket_message(record: TicketRecord, *, closed: bool = False) -> tuple[str, list[Block]]:
    """Fallback text and blocks."""
    title = escape(limits.fit(record.title, 300))
    fields = [
        MarkdownTextObject(text=f"*Service*\n{escape(record.form_name) or '-'}"),
        MarkdownTextObject(text=f"*Status*\n{escape(status_label(record.status))}"),
    ]
    section = SectionBlock(
        text=MarkdownTextObject(text=f"*{escape(record.friendly_id)}* {title}"),
        fields=fields,
        accessory=ButtonElement(text="Open ticket", url=record.url, action_id=LINK_ACTION) if record.url else None,
    )
    context = ContextBlock(
        elements=[MarkdownTextObject(text=f"Requested by <@{record.requester_id}> · replies in this thread")]
    )
    buttons = [ButtonElement(text="Add details", action_id=ADD_DETAILS_ACTION, value=ticket_ref(record))]
    if not closed:
        buttons.append(ButtonElement(text="Close ticket", action_id=CLOSE_ACTION, value=ticket_ref(record)))
    text = f"{record.friendly_id}: {limits.fit(record.title, 300)} ({status_label(record.status)})"
    return escape(text), [section, context, ActionsBlock(elements=buttons)]


def status_label(status: str | None) -> str:
    return (status or "open").replace("_", " ").capitalize()
