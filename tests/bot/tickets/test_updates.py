"""The service layer's updates and its event bus, against tiny in-memory stores: a status change
is recorded once and published once; a rename updates the thread's claim and the ticket message;
an agent's reply is published as it came."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from bot.domain.events import AgentReplied, TicketRenamed, TicketStatusChanged
from bot.domain.thread import ThreadKey, ThreadTicket
from bot.domain.ticket import Ticket
from bot.tickets.events import EventBus
from bot.tickets.updates import TicketUpdates

TICKET = Ticket(
    backend="suptask", ticket_id="t1", friendly_id="Ticket t1", url=None, title="Printer", form_id="f",
    form_name="IT", status="Open", team_id="T1", channel_id="C1", message_ts="5.1", thread_ts="5.1",
    requester_id="U1", reporter_id="U1",
)  # fmt: skip


class Tickets:
    """Only what ``TicketUpdates`` uses of ``TicketRecords``."""

    def __init__(self, ticket: Ticket) -> None:
        self.ticket = ticket

    async def get(self, backend: str, ticket_id: str) -> Ticket | None:
        return self.ticket

    async def set_status(self, backend: str, ticket_id: str, status: str) -> bool:
        changed = self.ticket.status != status
        self.ticket = replace(self.ticket, status=status)
        return changed

    async def set_identity(self, backend: str, ticket_id: str, *, friendly_id: str, url: str | None) -> None:
        self.ticket = replace(self.ticket, friendly_id=friendly_id, url=url)


class Claims:
    def __init__(self) -> None:
        self.named: dict[ThreadKey, ThreadTicket] = {}

    async def filed(self, key: ThreadKey, *, friendly_id: str, url: str | None) -> None:
        self.named[key] = ThreadTicket(friendly_id, url)


def updates_with_log() -> tuple[TicketUpdates, Tickets, Claims, list[object]]:
    tickets, claims, published = Tickets(TICKET), Claims(), []
    events = EventBus()

    async def record(event: object) -> None:
        published.append(event)

    for kind in (TicketStatusChanged, TicketRenamed, AgentReplied):
        events.subscribe(kind, record)
    return TicketUpdates(tickets=tickets, thread_claims=claims, events=events), tickets, claims, published  # type: ignore[arg-type]


def test_a_status_change_is_published_once_and_the_same_status_never() -> None:
    updates, tickets, _, published = updates_with_log()
    assert asyncio.run(updates.status_changed(TICKET, "In Progress")) is True
    assert asyncio.run(updates.status_changed(tickets.ticket, "In Progress")) is False
    assert asyncio.run(updates.status_changed(TICKET, "In Progress")) is False  # a stale copy, already recorded
    assert published == [TicketStatusChanged(replace(TICKET, status="In Progress"))]


def test_a_rename_names_the_thread_and_is_published_with_the_stored_ticket() -> None:
    updates, _, claims, published = updates_with_log()
    renamed = asyncio.run(updates.renamed(TICKET, "#42", "https://suptask.example/42"))
    assert (renamed.friendly_id, renamed.url) == ("#42", "https://suptask.example/42")
    assert claims.named == {ThreadKey("T1", "C1", "5.1"): ThreadTicket("#42", "https://suptask.example/42")}
    assert published == [TicketRenamed(renamed)]
    assert asyncio.run(updates.renamed(renamed, "#42", "https://suptask.example/42")) is renamed  # nothing new
    assert len(published) == 1


def test_an_agent_reply_is_published_as_it_came() -> None:
    updates, _, _, published = updates_with_log()
    asyncio.run(updates.agent_replied(TICKET, "On my way", "Grace"))
    assert published == [AgentReplied(TICKET, "On my way", "Grace")]


def test_handlers_run_in_the_order_they_subscribed_and_a_failure_reaches_the_publisher() -> None:
    events, calls = EventBus(), []

    async def first(event: AgentReplied) -> None:
        calls.append("first")

    async def failing(event: AgentReplied) -> None:
        calls.append("failing")
        raise RuntimeError("Slack is down")

    events.subscribe(AgentReplied, first)
    events.subscribe(AgentReplied, failing)
    with pytest.raises(RuntimeError):
        asyncio.run(events.publish(AgentReplied(TICKET, "x", None)))
    assert calls == ["first", "failing"]
    asyncio.run(events.publish(TicketRenamed(TICKET)))  # nobody listens: nothing happens
    assert calls == ["first", "failing"]
