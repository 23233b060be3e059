"""App Home's "My tickets" view, built from tickets already read: a person's own tickets and, for
agents, the queue of open tickets filtered by status. Each list is one page; the view stays within
Block Kit's 100 blocks whatever the pages hold."""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from dataclasses import asdict, dataclass

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    Option,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.domain.ticket import Ticket
from bot.slack.plumbing.mrkdwn import escape
from bot.slack.views import limits
from bot.slack.views.ticket_message import (
    ADD_DETAILS_ACTION,
    CLOSE_ACTION,
    LINK_ACTION,
    REOPEN_ACTION,
    status_label,
    thread_link,
    ticket_name,
    ticket_ref,
)

PAGE_SIZE = 10
"""Tickets per list and page: two blocks each, two lists, and the headers stay under 100 blocks."""
NEW_TICKET_ACTION = "home_new_ticket"
PAGE_ACTION = "home_page"
MAX_PAGE = 999
"""The last page a pager may ask for (10,000 tickets back); a forged value beyond is page 1."""


def page_number(value: object) -> int:
    """A page as the view or a button carries it: 0 (the first) for anything that is not a
    whole number from 0 to ``MAX_PAGE``, whatever its size or type."""
    if isinstance(value, bool):
        return 0
    if isinstance(value, int):
        return value if 0 <= value <= MAX_PAGE else 0
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= len(str(MAX_PAGE)):
        return page_number(int(value))
    return 0


STATUS_FILTER_ACTION = "home_status_filter"
ALL_STATUSES = "*"
HOME_BLOCKS = 100


@dataclass(frozen=True)
class HomeState:
    """Which page of each list a person is looking at, and the queue's status filter: kept in the
    view (``private_metadata``) so a click on one list keeps the other where it was."""

    mine_page: int = 0
    queue_page: int = 0
    queue_status: str | None = None

    def dump(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"))

    @classmethod
    def load(cls, raw: object) -> HomeState:
        """Whatever the view held; anything unreadable is the first pages, unfiltered."""
        try:
            data = json.loads(raw) if isinstance(raw, str) else {}
            status = data.get("queue_status")
            return cls(
                mine_page=page_number(data.get("mine_page", 0)),
                queue_page=page_number(data.get("queue_page", 0)),
                queue_status=status if isinstance(status, str) and status else None,
            )
        except (ValueError, TypeError, AttributeError):
            return cls()


@dataclass(frozen=True)
class TicketPage:
    tickets: Sequence[Ticket]
    page: int
    has_more: bool


@dataclass(frozen=True)
class Queue:
    """The agents' list: open tickets filed through the app."""

    page: TicketPage
    statuses: Sequence[str]
    status: str | None


@dataclass(frozen=True)
class HomeContext:
    """What every ticket's lines need besides the ticket."""

    helpdesk: str
    closed_statuses: Collection[str]
    workspace_url: str | None
    """``https://team.slack.com/``, from which a thread's permalink is made; without it, no link."""


def home_view(*, mine: TicketPage, queue: Queue | None, state: HomeState, context: HomeContext) -> View:
    blocks: list[Block] = [
        HeaderBlock(text="My tickets"),
        ActionsBlock(
            block_id="home_top",
            elements=[ButtonElement(text="New ticket", action_id=NEW_TICKET_ACTION, style="primary", value="new")],
        ),
    ]
    if not mine.tickets:
        blocks.append(SectionBlock(text=f"You have no {context.helpdesk} tickets filed from Slack yet."))
    blocks += _tickets(mine.tickets, context, show_requester=False)
    blocks += _pager("mine", mine)
    if queue is not None:
        blocks += [DividerBlock(), HeaderBlock(text="Open tickets (agents)"), _filter(queue)]
        if not queue.page.tickets:
            blocks.append(SectionBlock(text="No open tickets here."))
        blocks += _tickets(queue.page.tickets, context, show_requester=True)
        blocks += _pager("queue", queue.page)
    if len(blocks) > HOME_BLOCKS:  # pages hold at most PAGE_SIZE tickets; a bigger one is a bug
        raise ValueError(f"App Home would hold {len(blocks)} blocks; Slack takes {HOME_BLOCKS}")
    return View(type="home", blocks=blocks, private_metadata=state.dump())


def _tickets(tickets: Sequence[Ticket], context: HomeContext, *, show_requester: bool) -> list[Block]:
    blocks: list[Block] = []
    for record in tickets[:PAGE_SIZE]:
        closed = record.status is not None and record.status in context.closed_statuses
        lines = [f"*{escape(ticket_name(record))}* {escape(limits.fit(record.title, 300))}"]
        details = [status_label(record.status)]
        if record.form_name:
            details.append(limits.fit(record.form_name, 100))
        meta = " · ".join(escape(d) for d in details)
        if show_requester:
            meta += f" · <@{record.requester_id}>"
        link = thread_link(record, context.workspace_url)
        if link:
            meta += f" · <{link}|Slack thread>"
        lines.append(meta)
        url = record.url if record.url and len(record.url) <= limits.BUTTON_URL else None
        blocks.append(
            SectionBlock(
                text=MarkdownTextObject(text=limits.fit("\n".join(lines), limits.SECTION_TEXT)),
                accessory=(
                    ButtonElement(text=limits.fit(f"Open in {context.helpdesk}", 75), url=url, action_id=LINK_ACTION)
                    if url
                    else None
                ),
            )
        )
        status_button = (
            ButtonElement(text="Reopen", action_id=REOPEN_ACTION, value=ticket_ref(record))
            if closed
            else ButtonElement(text="Close ticket", action_id=CLOSE_ACTION, value=ticket_ref(record))
        )
        add_details = ButtonElement(text="Add details", action_id=ADD_DETAILS_ACTION, value=ticket_ref(record))
        blocks.append(ActionsBlock(elements=[add_details, status_button]))
    return blocks


def _pager(which: str, page: TicketPage) -> list[Block]:
    buttons = []
    if page.page > 0:
        buttons.append(ButtonElement(text="Newer", action_id=f"{PAGE_ACTION}_prev", value=f"{which}:{page.page - 1}"))
    if page.has_more:
        buttons.append(ButtonElement(text="Older", action_id=f"{PAGE_ACTION}_next", value=f"{which}:{page.page + 1}"))
    blocks: list[Block] = []
    if page.page > 0 or page.has_more:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=f"Page {page.page + 1}")]))
    if buttons:
        blocks.append(ActionsBlock(block_id=f"home_pager_{which}", elements=buttons))
    return blocks


def _filter(queue: Queue) -> ActionsBlock:
    options = [Option(value=ALL_STATUSES, text="All open tickets")]
    for status in queue.statuses[: limits.SELECT_OPTIONS - 1]:
        if 1 <= len(status) <= limits.OPTION_VALUE:
            options.append(Option(value=status, text=limits.fit(status_label(status), limits.OPTION_TEXT)))
    chosen = next((o for o in options if o.value == (queue.status or ALL_STATUSES)), options[0])
    select = StaticSelectElement(action_id=STATUS_FILTER_ACTION, options=options, initial_option=chosen)
    return ActionsBlock(block_id="home_filter", elements=[select])


def parse_page(value: object) -> tuple[str, int] | None:
    """A pager button's value: which list, and the page asked for."""
    if not isinstance(value, str) or ":" not in value:
        return None
    which, _, number = value.partition(":")
    if which not in ("mine", "queue"):
        return None
    return which, page_number(number)
