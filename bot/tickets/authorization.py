"""The one rule for who may act on a ticket, for every action: the requester and the person
who filed it may; the helpdesk's agents may (Siit: users whose ``role_name`` is admin or agent;
any helpdesk: the Slack IDs in ``AGENT_SLACK_IDS``); internal notes only from agents. Everyone
else is told why, and nothing reaches the helpdesk."""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable, Mapping
from enum import StrEnum
from typing import Protocol, runtime_checkable

from bot.domain.filing import BackendError, Person
from bot.domain.queue_scope import QueueScope
from bot.domain.ticket import Ticket
from bot.tickets.ports import TicketBackend

log = logging.getLogger(__name__)


class TicketAction(StrEnum):
    REPLY = "reply to"
    ADD_DETAILS = "add details to"
    INTERNAL_NOTE = "add internal notes to"
    CLOSE = "close"
    REOPEN = "reopen"
    WITHDRAW = "withdraw"
    TRIAGE = "work on"


AGENTS_ONLY = frozenset({TicketAction.INTERNAL_NOTE, TicketAction.TRIAGE})


@runtime_checkable
class KnowsAgents(Protocol):
    """A helpdesk that can tell whether a person is one of its agents."""

    async def is_agent(self, person: Person) -> bool: ...


class People(Protocol):
    async def person(self, user_id: str) -> Person: ...


class Teams(Protocol):
    async def members(self, ids: Iterable[str]) -> frozenset[str]:
        """The Slack member IDs of a team named by member and user group IDs."""
        ...


class NoTeams:
    async def members(self, ids: Iterable[str]) -> frozenset[str]:
        return frozenset(ids)


class TicketAuthorization:
    def __init__(
        self,
        *,
        backend: TicketBackend,
        people: People,
        agent_ids: Collection[str] = (),
        route_agents: Mapping[str, frozenset[str]] | None = None,
        teams: Teams | None = None,
    ) -> None:
        """``route_agents``: per channel with a team of its own, its agents (``teams`` reads
        their user groups): only they are agents for that channel's tickets."""
        self._backend = backend
        self._people = people
        self._agent_ids = frozenset(agent_ids)
        self._route_agents = dict(route_agents or {})
        self._teams = teams or NoTeams()

    async def is_agent(self, user_id: str, channel_id: str | None = None) -> bool:
        """For a ticket in ``channel_id``: its team's member where the channel has a team, else
        one of the helpdesk's agents. Fails closed: ``False`` while the helpdesk cannot say and
        its last word is too old."""
        return await self._agent_for(user_id, channel_id) is True

    async def _agent_for(self, user_id: str, channel_id: str | None) -> bool | None:
        team = self._route_agents.get(channel_id or "")
        if team is not None:
            return user_id in await self._teams.members(team)
        return await self._agent(user_id)

    async def queue_scope(self, user_id: str) -> QueueScope | None:
        """The open tickets the person works on as an agent, or ``None``: they are no agent."""
        mine: set[str] = set()
        for channel, team in self._route_agents.items():
            if user_id in await self._teams.members(team):
                mine.add(channel)
        if await self._agent(user_id):
            return QueueScope(hidden=frozenset(self._route_agents) - mine)
        return QueueScope(only=frozenset(mine)) if mine else None

    async def _agent(self, user_id: str) -> bool | None:
        """``None``: the helpdesk cannot say right now (unreachable past ``AGENT_CACHE_SECONDS``)."""
        if user_id in self._agent_ids:
            return True
        if not isinstance(self._backend, KnowsAgents):
            return False
        try:
            return await self._backend.is_agent(await self._people.person(user_id))
        except BackendError as exc:
            log.warning("cannot tell whether %s is an agent: %s", user_id, exc.reason)
            return None

    async def refusal(self, user_id: str, action: TicketAction, record: Ticket) -> str | None:
        """``None`` when ``user_id`` may do ``action`` on the ticket, else why not (for them)."""
        helpdesk = self._backend.display_name
        agents = f"{helpdesk} agents"
        if user_id in (record.requester_id, record.reporter_id) and action not in AGENTS_ONLY:
            return None
        agent = await self._agent_for(user_id, record.channel_id)
        if agent is None:
            return f"{helpdesk} cannot confirm right now that you are one of its agents; try again in a few minutes."
        if agent:
            return None
        if action is TicketAction.INTERNAL_NOTE:
            return f"Only {agents} can add internal notes."
        if action is TicketAction.TRIAGE:  # the triage channel's buttons
            return f"Only {agents} can work on tickets from triage."
        return f"Only the requester, the person who filed it and {agents} can {action.value} this ticket."
