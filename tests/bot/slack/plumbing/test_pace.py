"""Slack's pace per channel, on a fake clock: posts in one channel are spaced by the interval and
none is dropped (a turn further than the inline wait is handed back, ``NotYet``, and asked for
again then, as the outbox does); handing back takes no moment, and channels never wait for each
other."""

from __future__ import annotations

import asyncio
import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.delivery.failures import NotYet
from bot.slack.plumbing.pace import INLINE_WAIT_SECONDS, ChannelPace


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


def run_arrivals(arrivals: list[tuple[float, str]]) -> list[tuple[float, str]]:
    """Each post asks for its turn when it arrives, one after another; the moments they post."""
    clock = Clock()
    pace = ChannelPace(interval_seconds=1.0, clock=clock, sleep=clock.sleep)
    pending = sorted((100 + at, channel) for at, channel in arrivals)
    posted: list[tuple[float, str]] = []

    async def run() -> None:
        while pending:
            at, channel = pending.pop(0)
            clock.now = max(clock.now, at)
            try:
                await pace.turn(channel)
            except NotYet as exc:
                pending.append((clock.now + exc.seconds, channel))
                pending.sort()
                continue
            posted.append((clock.now, channel))

    asyncio.run(run())
    return posted


@given(st.lists(st.tuples(st.floats(0, 30), st.sampled_from(["C1", "C2"])), max_size=60))
def test_posts_in_a_channel_are_spaced_by_the_interval_and_none_is_dropped(arrivals: list[tuple[float, str]]) -> None:
    posted = run_arrivals(arrivals)
    assert sorted(c for _, c in posted) == sorted(c for _, c in arrivals)
    for channel in ("C1", "C2"):
        moments = sorted(at for at, c in posted if c == channel)
        assert all(later - earlier >= 1.0 - 1e-9 for earlier, later in itertools.pairwise(moments))


def test_a_far_turn_is_handed_back_without_taking_a_moment_and_other_channels_go_on() -> None:
    clock = Clock()
    pace = ChannelPace(interval_seconds=1.0, clock=clock, sleep=lambda _s: asyncio.sleep(0))  # time stands still

    async def scenario() -> list[float]:
        for _ in range(3):  # moments now, +1 s and +2 s: within the inline wait
            await pace.turn("C1")
        handed_back = []
        for _ in range(2):
            with pytest.raises(NotYet) as far:
                await pace.turn("C1")
            handed_back.append(far.value.seconds)
        await pace.turn("C2")  # its first post: at once
        return handed_back

    assert asyncio.run(scenario()) == [3.0, 3.0]
    assert INLINE_WAIT_SECONDS < 3.0
