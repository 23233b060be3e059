"""The one rule for who may act on a ticket, for every action: the requester and the person
who filed it may; the helpdesk's agents may (Siit: users whose ``role_name`` is admin or agent;
any helpdesk: the Slack IDs in ``AGENT_SLACK_IDS``); internal notes only from agents. Everyone
else is told why, and nothing reaches the helpdesk."""

from __future__ import annotations

from collections.abc import Collection
from enum import StrEnum
from typing import Protocol, runtime_checkable

from bot.domain.filing import Person
from bot.domain.ticket import Ticket
from bot.tickets.ports import TicketBackend


class TicketAction(StrEnum):
    REPLY = "reply to"
    ADD_DETAILS = "add details to"
    INTERNAL_NOTE = "add internal notes to"
    CLOSE = "close"
    REOPEN = "reopen"
    WITHDRAW = "withdraw"
    TRIAGE = "work on"


@runtime_checkable
class KnowsAgents(Protocol):
    """A helpdesk that can tell whether a person is one of its agents."""

    async def is_agent(self, person: Person) -> bool: ...


class People(Protocol):
    async def person(self, user_id: str) -> Person: ...


class TicketAuthorization:
    def __init__(self, *, backend: TicketBackend, people: People, agent_ids: Collection[str] = ()) -> None:
        self._backend = backend
        self._people = people
        self._agent_ids = frozenset(agent_ids)

    async def is_agent(self, user_id: str) -> bool:
        if user_id in self._agent_ids:
            return True
        if isinstance(self._backend, KnowsAgents):
            return await self._backend.is_agent(await self._people.person(user_id))
        return False

    async def refusal(self, user_id: str, action: TicketAction, record: Ticket) -> str | None:
        """``None`` when ``user_id`` may do ``action`` on the ticket, else why not (for them)."""
        agents = f"{self._backend.display_name} agents"
        if action is TicketAction.INTERNAL_NOTE:
            return None if await self.is_agent(user_id) else f"Only {agents} can add internal notes."
        if action is TicketAction.TRIAGE:  # the triage channel's buttons
            return None if await self.is_agent(user_id) else f"Only {agents} can work on tickets from triage."
        if user_id in (record.requester_id, record.reporter_id) or await self.is_agent(user_id):
            return None
        return f"Only the requester, the person who filed it and {agents} can {action.value} this ticket."
