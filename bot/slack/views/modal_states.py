"""The modal's other states: loading, submitting, filed, failed."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ContextBlock,
    MarkdownTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.domain.thread import ThreadTicket
from bot.domain.ticket import Ticket
from bot.slack.plumbing.mrkdwn import escape, link
from bot.slack.views import limits

RETRY_ACTION = "retry_ticket"
STATUS_CALLBACK_ID = "ticket_status"


def _status_view(*blocks: SectionBlock | ContextBlock | ActionsBlock, title: str = "New ticket") -> View:
    return View(type="modal", callback_id=STATUS_CALLBACK_ID, title=title, close="Close", blocks=list(blocks))


def _text(markdown: str) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=limits.fit(markdown, limits.CONTEXT_TEXT)))


def message_view(markdown: str, *, title: str = "New ticket") -> View:
    return _status_view(_text(markdown), title=title)


def already_filed_view(existing: ThreadTicket | None) -> View:
    return _status_view(_text(already_text(existing)))


def already_text(existing: ThreadTicket | None) -> str:
    if existing is None or existing.friendly_id is None:
        return ":hourglass_flowing_sand: A ticket for this thread is already being filed."
    name = limits.fit(existing.friendly_id, limits.TICKET_NAME)
    return f":ticket: This thread already has ticket {link(existing.url, name)}."


def loading_view(helpdesk: str) -> View:
    return _status_view(_text(f":hourglass_flowing_sand: Loading the form from {helpdesk}…"))


def load_failed_view(helpdesk: str, reason: str, *, draft_id: str | None = None) -> View:
    """With ``draft_id``, a Try again button that loads the form again, with what was typed."""
    blocks: list[SectionBlock | ContextBlock | ActionsBlock] = [
        _text(f":warning: The form could not be loaded from {helpdesk}: {escape(reason)}"),
        ContextBlock(elements=[MarkdownTextObject(text="Try again in a minute. Nothing you typed is lost.")]),
    ]
    if draft_id:
        button = ButtonElement(text="Try again", action_id=RETRY_ACTION, value=draft_id, style="primary")
        blocks.append(ActionsBlock(elements=[button]))
    return _status_view(*blocks)


def submitting_view(helpdesk: str) -> View:
    return _status_view(
        _text(f":hourglass_flowing_sand: Filing your ticket in {helpdesk}…"),
        ContextBlock(
            elements=[MarkdownTextObject(text="You can close this window; you will get a message when it is filed.")]
        ),
    )


def filed_view(record: Ticket, where: str) -> View:
    title = link(record.url, limits.fit(f"{limits.fit(record.friendly_id, limits.TICKET_NAME)}: {record.title}", 500))
    return _status_view(
        _text(f":white_check_mark: Filed {title}"),
        ContextBlock(elements=[MarkdownTextObject(text=limits.fit(where, limits.CONTEXT_TEXT))]),
    )


def delayed_view(helpdesk: str, reason: str, *, rate_limited: bool) -> View:
    return _status_view(
        _text(delayed_text(helpdesk, rate_limited=rate_limited)),
        ContextBlock(elements=[MarkdownTextObject(text=f"{escape(reason)} You will get a message when it is filed.")]),
    )


def failed_view(helpdesk: str, reason: str, *, draft_id: str, retryable: bool) -> View:
    return _status_view(*failure_blocks(helpdesk, reason, draft_id=draft_id, retryable=retryable))


def failure_blocks(
    helpdesk: str, reason: str, *, draft_id: str, retryable: bool
) -> list[SectionBlock | ContextBlock | ActionsBlock]:
    """Also posted by DM when the modal is gone: the Try again button reopens every typed value."""
    headline = (
        f":warning: {helpdesk} is not answering, so your ticket was not filed yet."
        if retryable
        else f":x: {helpdesk} did not accept the ticket: {escape(reason)}"
    )
    detail = escape(reason) if retryable else "Fix it and send it again."
    return [
        _text(headline),
        ContextBlock(elements=[MarkdownTextObject(text=limits.fit(detail + " Nothing you typed is lost.", 3000))]),
        ActionsBlock(
            elements=[ButtonElement(text="Try again", action_id=RETRY_ACTION, value=draft_id, style="primary")]
        ),
    ]


def delayed_text(helpdesk: str, *, rate_limited: bool) -> str:
    if rate_limited:
        return f":inbox_tray: Your ticket is queued: {helpdesk} asked us to slow down. It will be filed automatically."
    return f":inbox_tray: {helpdesk} is not answering; your ticket is saved and will be filed automatically."
