"""Use case: read a ticket's conversation in the helpdesk and show each new agent reply in its
Slack thread, once (whichever instance reads it, across restarts), never an internal note, never
the requester's own words, never a reply the app itself sent."""

from __future__ import annotations

from bot.domain.conversation import HelpdeskMessage, Sender
from bot.domain.ticket import Ticket
from bot.tickets.ports import ReadsConversation, SyncJournal
from bot.tickets.updates import TicketUpdates


def shown_to_requester(message: HelpdeskMessage) -> bool:
    """A public message from an agent."""
    return message.public and message.sender is Sender.AGENT


def displayed_text(message: HelpdeskMessage) -> str:
    """The message, its attachments as links below."""
    return "\n".join([message.text.strip(), *message.attachments]).strip()


class ConversationReader:
    def __init__(self, *, conversation: ReadsConversation, journal: SyncJournal, updates: TicketUpdates) -> None:
        self._conversation = conversation
        self._journal = journal
        self._updates = updates

    async def read(self, ticket: Ticket, *, baseline: bool) -> int:
        """Show what is new; how many messages were shown. ``baseline``: a ticket filed before
        replies were read back: what is there is recorded as seen, not shown."""
        shown = 0
        for message in await self._conversation.fetch_messages(ticket.ticket_id):
            show = not baseline and shown_to_requester(message)
            # The name first: a lookup refused for budget leaves the message for the next read.
            author = await self._conversation.agent_name(message.sender_uid) if show and message.sender_uid else None
            if not await self._journal.claim_helpdesk_message(ticket.backend, ticket.ticket_id, message.uid):
                continue
            if not show or await self._journal.was_sent(ticket.backend, ticket.ticket_id, message.text):
                continue
            try:
                await self._updates.agent_replied(ticket, displayed_text(message), author)
            except Exception:
                await self._journal.release_helpdesk_message(ticket.backend, ticket.ticket_id, message.uid)
                raise
            shown += 1
        return shown
