"""The ticket message: posted where the ticket was asked for; its thread is the ticket's thread.
It shows the status, updated in place, and the requester's buttons."""

from __future__ import annotations

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement, ContextBlock, MarkdownTextObject, SectionBlock

from bot.domain.ticket import Ticket
from bot.slack.plumbing.mrkdwn import escape
from bot.slack.views import limits

ADD_DETAILS_ACTION = "ticket_add_details"
CLOSE_ACTION = "ticket_close"
REOPEN_ACTION = "ticket_reopen"
WITHDRAW_ACTION = "ticket_withdraw"
LINK_ACTION = "open_ticket_link"


def ticket_ref(record: Ticket) -> str:
    """A button value naming the ticket."""
    return f"{record.backend}|{record.ticket_id}"


def parse_ticket_ref(value: object) -> tuple[str, str] | None:
    if not isinstance(value, str) or "|" not in value:
        return None
    backend, ticket_id = value.split("|", 1)
    return (backend, ticket_id) if backend and ticket_id else None


def ticket_message(record: Ticket, *, closed: bool = False) -> tuple[str, list[Block]]:
    """Fallback text and blocks."""
    # Every string from the helpdesk is cut to what its block takes, whatever length it came in.
    title = escape(limits.fit(record.title, 300))
    name = ticket_name(record)
    fields = [
        MarkdownTextObject(text=f"*Service*\n{escape(limits.fit(record.form_name, 300)) or '-'}"),
        MarkdownTextObject(text=f"*Status*\n{escape(status_label(record.status))}"),
    ]
    url = record.url if record.url and len(record.url) <= limits.BUTTON_URL else None
    section = SectionBlock(
        text=MarkdownTextObject(text=limits.fit(f"*{escape(name)}* {title}", limits.SECTION_TEXT)),
        fields=fields,
        accessory=ButtonElement(text="Open ticket", url=url, action_id=LINK_ACTION) if url else None,
    )
    context = ContextBlock(
        elements=[MarkdownTextObject(text=f"Requested by <@{record.requester_id}> · replies in this thread")]
    )
    buttons = [ButtonElement(text="Add details", action_id=ADD_DETAILS_ACTION, value=ticket_ref(record))]
    if closed:
        buttons.append(ButtonElement(text="Reopen", action_id=REOPEN_ACTION, value=ticket_ref(record)))
    else:
        buttons.append(ButtonElement(text="Close ticket", action_id=CLOSE_ACTION, value=ticket_ref(record)))
        if record.withdrawable:  # filed without a click: the author (or an agent) may take it back
            buttons.append(ButtonElement(text="Not a ticket", action_id=WITHDRAW_ACTION, value=ticket_ref(record)))
    text = f"{name}: {limits.fit(record.title, 300)} ({status_label(record.status)})"
    return escape(text), [section, context, ActionsBlock(elements=buttons)]


def ticket_name(record: Ticket) -> str:
    return limits.fit(record.friendly_id, limits.TICKET_NAME)


def status_label(status: str | None) -> str:
    return limits.fit((status or "open").replace("_", " ").capitalize(), 50)


def thread_link(record: Ticket, workspace_url: str | None) -> str | None:
    """The permalink of the message the ticket's thread starts with (the requester's own message,
    or the ticket message when it started the thread), in Slack's own format
    (``chat.getPermalink`` for each ticket would cost one call per line)."""
    root = record.thread_ts or record.message_ts
    if not workspace_url or not record.channel_id or not root:
        return None
    return f"{workspace_url.rstrip('/')}/archives/{record.channel_id}/p{root.replace('.', '')}"
