"""SQLite's writers take turns in order, the ack's write first, and a waiter that gives up
never keeps the turn from the others (hypothesis over arrival orders)."""

from __future__ import annotations

import asyncio

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.storage.write_turns import WriteTurns


async def _run(turns: WriteTurns, plan: list[tuple[bool, bool]]) -> tuple[list[int], int]:
    """Each writer ``(first, gives_up)`` asks while the turn is held; the order of turns taken,
    and the most writers ever inside at once."""
    order: list[int] = []
    inside = 0
    most = 0
    holder_in = asyncio.Event()
    release = asyncio.Event()

    async def holder() -> None:
        async with turns.turn():
            holder_in.set()
            await release.wait()

    async def writer(n: int, first: bool) -> None:
        nonlocal inside, most
        async with turns.turn(first=first):
            inside += 1
            most = max(most, inside)
            order.append(n)
            await asyncio.sleep(0)
            inside -= 1

    held = asyncio.create_task(holder())
    await holder_in.wait()
    tasks = []
    for n, (first, _) in enumerate(plan):
        tasks.append(asyncio.create_task(writer(n, first)))
        await asyncio.sleep(0)  # queued in this order
    for task, (_, gives_up) in zip(tasks, plan, strict=True):
        if gives_up:
            task.cancel()
    await asyncio.sleep(0)
    release.set()
    await held
    await asyncio.gather(*tasks, return_exceptions=True)
    return order, most


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.booleans()), max_size=12))
def test_writers_take_turns_one_at_a_time_first_ones_first_in_arrival_order(plan: list[tuple[bool, bool]]) -> None:
    turns = WriteTurns()
    order, most = asyncio.run(_run(turns, plan))
    staying = [n for n, (_, gives_up) in enumerate(plan) if not gives_up]
    expected = [n for n in staying if plan[n][0]] + [n for n in staying if not plan[n][0]]
    assert order == expected
    assert most <= 1

    async def free_again() -> None:  # nobody keeps the turn: it is free once all are done
        async with asyncio.timeout(1), turns.turn():
            pass

    asyncio.run(free_again())
