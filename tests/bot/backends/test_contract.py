"""The contract every helpdesk backend keeps, run against each backend's fake server."""

from __future__ import annotations

import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import replace
from typing import Any, TypeVar

import httpx
import pytest

from bot.domain.filing import BackendError, BackendUnavailable, CreatedTicket, NewTicket, Reply
from bot.domain.forms import Draft
from bot.testing.servers import ServerLoop
from bot.tickets.ports import FindsCreatedTickets, TicketBackend
from tests.bot.backends.cases import CASES, BackendCase

T = TypeVar("T")


@pytest.fixture(params=sorted(CASES))
def case(request: pytest.FixtureRequest, servers: ServerLoop) -> Iterator[BackendCase]:
    with CASES[request.param](servers) as backend_case:
        yield backend_case


def run(servers: ServerLoop, case: BackendCase, use: Callable[[TicketBackend], Awaitable[T]]) -> T:
    async def scenario() -> T:
        async with httpx.AsyncClient(timeout=0.5) as client:
            return await use(case.build(client))

    return servers.run(scenario())


def ticket(backend: TicketBackend, case: BackendCase, form: Any, values: dict[str, Any]) -> NewTicket:
    return NewTicket(
        form=form,
        draft=Draft(form_id=form.id, title="Printer jams", description="Since Monday", values=dict(values)),
        requester=case.requester,
        reporter=case.requester,
        team_id="T1",
        channel_id="C100",
    )


async def create(backend: TicketBackend, case: BackendCase, values: dict[str, Any]) -> CreatedTicket:
    form = await backend.load_form(backend.form_ids()[0])
    return await backend.create_ticket(ticket(backend, case, form, values))


def test_forms_load_with_their_fields(servers: ServerLoop, case: BackendCase) -> None:
    async def use(backend: TicketBackend) -> None:
        assert backend.form_ids()
        form = await backend.load_form(backend.form_ids()[0])
        assert form.id == backend.form_ids()[0]
        assert form.name and form.fields

    run(servers, case, use)


def test_a_valid_ticket_is_created_once(servers: ServerLoop, case: BackendCase) -> None:
    created = run(servers, case, lambda b: create(b, case, case.valid_values))
    assert created.id and created.friendly_id
    assert case.tickets_created() == 1


def test_a_refusal_carries_the_helpdesks_reason_and_is_not_retried(servers: ServerLoop, case: BackendCase) -> None:
    with pytest.raises(BackendError) as refused:
        run(servers, case, lambda b: create(b, case, case.invalid_values))
    assert not refused.value.retryable
    assert case.refusal_words in refused.value.reason
    assert case.tickets_created() == 0


def test_a_5xx_on_a_create_is_reported_as_maybe_made_never_resent_blindly(
    servers: ServerLoop, case: BackendCase
) -> None:
    """Without an idempotency key (a create that names no reference, or a helpdesk that takes
    none) the outbox decides what to do (look, or wait for the helpdesk to name the ticket), so
    the backend does not send the create again."""
    case.fail_next(500)
    with pytest.raises(BackendUnavailable) as failed:
        run(servers, case, lambda b: create(b, case, case.valid_values))
    assert failed.value.maybe_done
    assert case.tickets_created() == 0  # the fake failed before making it, and nothing was resent


def test_a_create_refused_for_its_rate_is_retried_in_the_backend(servers: ServerLoop, case: BackendCase) -> None:
    case.fail_next(429)
    run(servers, case, lambda b: create(b, case, case.valid_values))
    assert case.tickets_created() == 1


def test_a_create_whose_answer_is_lost_ends_as_one_ticket(servers: ServerLoop, case: BackendCase) -> None:
    """Found by a helpdesk that can be asked (Siit, Zendesk), or, where the helpdesk takes an
    idempotency key (Zendesk), sent again under the same key and answered with the first ticket."""

    async def use(backend: TicketBackend) -> tuple[bool, CreatedTicket | None]:
        if not isinstance(backend, FindsCreatedTickets):
            return False, None
        assert case.lose_next_answer is not None
        form = await backend.load_form(backend.form_ids()[0])
        new, since = replace(ticket(backend, case, form, case.valid_values), reference=uuid.uuid4().hex), time.time()
        case.lose_next_answer()
        if case.create_keys is None:
            with pytest.raises(BackendUnavailable) as lost:
                await backend.create_ticket(new)
            assert lost.value.maybe_done
        else:
            resent = await backend.create_ticket(new)  # the key makes sending it again safe
            assert case.create_keys() == [new.reference, new.reference]
        other = replace(new, draft=replace(new.draft, title="Another request"), reference=uuid.uuid4().hex)
        assert await backend.find_created(other, since=since) is None
        found = await backend.find_created(new, since=since)
        if case.create_keys is not None:
            assert found == resent
        return True, found

    asks, found = run(servers, case, use)
    assert asks == (case.lose_next_answer is not None)  # the case declares what the backend does
    if asks:
        assert found is not None and case.tickets_created() == 1


@pytest.mark.parametrize("status", [500, 0], ids=["5xx", "timeout"])
def test_a_helpdesk_that_stays_down_is_reported_unavailable(
    servers: ServerLoop, case: BackendCase, status: int
) -> None:
    for _ in range(3):
        case.fail_next(status)
    with pytest.raises(BackendUnavailable) as down:
        run(servers, case, lambda b: create(b, case, case.valid_values))
    assert down.value.retryable
    assert case.token not in str(down.value)
    assert case.tickets_created() == 0


def test_replies_and_internal_notes_reach_the_ticket(servers: ServerLoop, case: BackendCase) -> None:
    async def use(backend: TicketBackend) -> str:
        created = await create(backend, case, case.valid_values)
        await backend.add_reply(created.id, Reply("Any update?", case.requester))
        await backend.add_reply(created.id, Reply("Agents only", case.requester, internal=True))
        return created.id

    ticket_id = run(servers, case, use)
    replies = case.replies()
    assert [(t, internal) for t, _, internal in replies] == [(ticket_id, False), (ticket_id, True)]
    assert "Any update?" in replies[0][1] and "Agents only" in replies[1][1]


def test_closing_a_ticket_sets_the_helpdesks_closed_status(servers: ServerLoop, case: BackendCase) -> None:
    async def use(backend: TicketBackend) -> str:
        created = await create(backend, case, case.valid_values)
        await backend.set_status(created.id, "closed")
        return created.id

    assert case.status_of(run(servers, case, use)) == case.closed_status


def test_withdrawing_a_ticket_takes_it_out_of_the_helpdesks_queue(servers: ServerLoop, case: BackendCase) -> None:
    async def use(backend: TicketBackend) -> str:
        created = await create(backend, case, case.valid_values)
        await backend.set_status(created.id, "withdrawn")
        return created.id

    ticket_id = run(servers, case, use)
    assert case.withdrawn(ticket_id)


def test_a_reply_to_an_unknown_ticket_is_refused(servers: ServerLoop, case: BackendCase) -> None:
    with pytest.raises(BackendError) as refused:
        run(servers, case, lambda b: b.add_reply("00000000-0000-4000-8000-000000000000", Reply("x", case.requester)))
    assert not refused.value.retryable and "not found" in refused.value.reason
