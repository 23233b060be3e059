"""What the listeners need, built once in ``bot.bootstrap``."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.catalog import FormCatalog
from bot.delivery.service import TicketDelivery
from bot.reply_policy import ReplyPolicy
from bot.routing import Routing
from bot.slack.directory import SlackDirectory
from bot.slack.ticket_thread import TicketThread
from bot.slack.view_cache import FreshViewCache
from bot.tickets.authorization import TicketAuthorization
from bot.tickets.desk import TicketDesk
from bot.tickets.ports import Drafts, SyncJournal, ThreadClaims


@dataclass(frozen=True)
class Deps:
    catalog: FormCatalog
    desk: TicketDesk
    drafts: Drafts
    directory: SlackDirectory
    routing: Routing
    delivery: TicketDelivery
    thread_claims: ThreadClaims
    ticket_thread: TicketThread
    sync_log: SyncJournal
    reply_policy: ReplyPolicy
    ticket_emoji: tuple[str, ...]
    authorization: TicketAuthorization
    fresh_views: FreshViewCache = field(default_factory=FreshViewCache)

    @property
    def helpdesk(self) -> str:
        return self.desk.backend.display_name
