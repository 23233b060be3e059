"""The request budget's order (``bot.tickets.budget``), for one process and shared in the
database: people always get a slot; background reads stop in order, status polling first and the
agents' list last, and never eat into what is kept for people."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.backends.budget import LocalRequestBudget
from bot.storage.request_budget import SharedRequestBudget
from bot.tickets.budget import Background, RequestBudget, background_limit
from tests.bot.storage.conftest import database_url  # noqa: F401 - the SQLite and PostgreSQL fixture
from tests.bot.storage.test_stores import with_engine


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def fill(budget: RequestBudget) -> dict[Background, int]:
    """Every background read asks until refused, the least needed first; how many each got."""
    taken = dict.fromkeys(Background, 0)
    for work in sorted(Background, reverse=True):
        while await budget.try_take_background(work):
            taken[work] += 1
    return taken


def expected(limit: int, reserve: int) -> dict[Background, int]:
    # Each kind gets what the kinds after it left, up to its own limit.
    used, taken = 0, {}
    for work in sorted(Background, reverse=True):
        taken[work] = max(0, background_limit(limit=limit, reserve=reserve, work=work) - used)
        used += taken[work]
    return taken


@pytest.mark.parametrize(("limit", "reserve"), [(60, 20), (10, 3), (5, 0), (100, 99)])
def test_background_reads_stop_in_order_and_people_still_get_every_kept_slot(limit: int, reserve: int) -> None:
    async def scenario() -> tuple[dict[Background, int], int]:
        budget = LocalRequestBudget(limit=limit, per_seconds=60, reserve=reserve, clock=Clock())
        taken = await fill(budget)
        people = 0
        while people < limit:
            try:
                await asyncio.wait_for(budget.take(), 0.05)
            except TimeoutError:
                break
            people += 1
        return taken, people

    taken, people = asyncio.run(scenario())
    assert taken == expected(limit, reserve)
    assert sum(taken.values()) <= limit - reserve
    assert people == limit - sum(taken.values()) >= reserve
    limits = [background_limit(limit=limit, reserve=reserve, work=w) for w in sorted(Background)]
    assert limits == sorted(limits, reverse=True)  # the more needed, the more room


def test_the_shared_budget_keeps_the_same_order_for_every_instance(database_url: str) -> None:  # noqa: F811
    async def use(engine: AsyncEngine) -> dict[Background, int]:
        clock = Clock()
        first, second = (
            SharedRequestBudget(engine=engine, name="siit", limit=60, per_seconds=60, reserve=20, clock=clock)
            for _ in range(2)
        )
        taken = await fill(first)
        # A second instance finds the window as the first left it: nothing more for statuses.
        assert not await second.try_take_background(Background.STATUSES)
        return taken

    assert with_engine(database_url, use) == expected(60, 20)
