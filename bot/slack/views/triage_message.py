"""A ticket's message in the agents' triage channel: who asked, the form, the start of what they
wrote, links to their thread and to the helpdesk, the status and the assignee (updated in place),
and the agents' buttons: Assign to me, a status select, Reply and Note. Pure."""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    MarkdownTextObject,
    Option,
    SectionBlock,
    StaticSelectElement,
)

from bot.domain.ticket import Ticket
from bot.slack.plumbing.mrkdwn import escape
from bot.slack.views import limits
from bot.slack.views.ticket_message import LINK_ACTION, status_label, thread_link, ticket_name, ticket_ref

TRIAGE_ASSIGN = "triage_assign"
TRIAGE_STATUS = "triage_status"
TRIAGE_REPLY = "triage_reply"
TRIAGE_NOTE = "triage_note"
TRIAGE_BLOCK_PREFIX = "triage|"
"""The actions block's id: the prefix and the ticket (a select's value is its status)."""


def triage_message(
    record: Ticket, *, workflow: Sequence[str], helpdesk: str, workspace_url: str | None
) -> tuple[str, list[Block]]:
    """Fallback text and blocks."""
    name = ticket_name(record)
    title = escape(limits.fit(record.title, 300))
    assignee = f"<@{record.assignee_id}>" if record.assignee_id else "Unassigned"
    fields = [
        MarkdownTextObject(text=f"*Requester*\n<@{record.requester_id}>"),
        MarkdownTextObject(text=f"*Form*\n{escape(limits.fit(record.form_name, 300)) or '-'}"),
        MarkdownTextObject(text=f"*Status*\n{escape(status_label(record.status))}"),
        MarkdownTextObject(text=f"*Assignee*\n{assignee}"),
    ]
    url = record.url if record.url and len(record.url) <= limits.BUTTON_URL else None
    blocks: list[Block] = [
        SectionBlock(
            text=MarkdownTextObject(text=limits.fit(f"*{escape(name)}* {title}", limits.SECTION_TEXT)),
            fields=fields,
            accessory=(
                ButtonElement(text=limits.fit(f"Open in {helpdesk}", 75), url=url, action_id=LINK_ACTION)
                if url
                else None
            ),
        )
    ]
    context = []
    if record.summary:
        context.append(escape(limits.fit(" ".join(record.summary.split()), 300)))
    link = thread_link(record, workspace_url)
    if link:
        context.append(f"<{link}|Requester's thread>")
    if context:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=" · ".join(context))]))
    blocks.append(ActionsBlock(block_id=TRIAGE_BLOCK_PREFIX + ticket_ref(record), elements=_buttons(record, workflow)))
    text = f"{name}: {limits.fit(record.title, 300)} ({status_label(record.status)})"
    return escape(text), blocks


def offered_statuses(workflow: Sequence[str]) -> list[str]:
    """The statuses the triage select offers (the only ones its change is taken for)."""
    return [s for s in workflow[: limits.SELECT_OPTIONS] if 1 <= len(s) <= limits.OPTION_VALUE]


def _buttons(record: Ticket, workflow: Sequence[str]) -> list[ButtonElement | StaticSelectElement]:
    ref = ticket_ref(record)
    options = [
        Option(value=s, text=limits.fit(status_label(s), limits.OPTION_TEXT)) for s in offered_statuses(workflow)
    ]
    current = next((o for o in options if o.value == record.status), None)
    return [
        ButtonElement(text="Assign to me", action_id=TRIAGE_ASSIGN, value=ref),
        StaticSelectElement(action_id=TRIAGE_STATUS, placeholder="Status", options=options, initial_option=current),
        ButtonElement(text="Reply", action_id=TRIAGE_REPLY, value=ref),
        ButtonElement(text="Note", action_id=TRIAGE_NOTE, value=ref),
    ]


def ticket_of_block(block_id: object) -> str | None:
    """The ticket reference a triage actions block names."""
    if isinstance(block_id, str) and block_id.startswith(TRIAGE_BLOCK_PREFIX):
        return block_id.removeprefix(TRIAGE_BLOCK_PREFIX)
    return None
