"""The open-loop capacity search: whatever rate an app collapses at, the search stops, and the
capacity it reports is within one fine step of the true limit."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bench.open_loop import RateResult, capacity, next_rate


def measured(rate: float, limit: float) -> RateResult:
    """An app that keeps its limits below ``limit`` per second and collapses above."""
    ok = rate <= limit
    return RateResult(rate, 10, 10, 10, (1.0, 2.0), (3.0, 4.0 if ok else 900.0), 0 if ok else 5)


def search(limit: float, start: float) -> list[RateResult]:
    results: list[RateResult] = []
    while (rate := next_rate(results, start=start)) is not None:
        assert len(results) < 100, "the search does not end"
        results.append(measured(rate, limit))
    return results


@given(st.floats(min_value=1, max_value=5000), st.floats(min_value=1, max_value=500))
def test_the_search_ends_within_a_fine_step_of_the_limit(limit: float, start: float) -> None:
    results = search(limit, start)
    found = capacity(results)
    if start > limit:
        assert found == 0 and len(results) == 1
    else:
        # the lowest rate tried above the capacity failed, and is at most a fine step above it
        above = min(r.rate for r in results if r.rate > found)
        assert found <= limit < above <= max(round(found * 1.1), found + 1)


def test_a_limit_between_coarse_steps_is_found_by_fine_steps() -> None:
    rates = [r.rate for r in search(limit=500, start=100)]
    assert rates == [100, 150, 225, 338, 507, 372, 409, 450, 495]
    assert capacity(search(limit=500, start=100)) == 495


def test_capacity_stops_at_the_first_rate_out_of_limits() -> None:
    results = [measured(100, 1000), measured(200, 150), measured(300, 1000)]
    assert capacity(results) == 100


@given(
    st.floats(min_value=1, max_value=5000),
    st.floats(min_value=1, max_value=500),
    st.floats(min_value=1, max_value=5000),
)
def test_no_rate_above_the_ceiling_is_tried_and_the_capacity_stays_a_true_lower_bound(
    limit: float, start: float, ceiling: float
) -> None:
    results: list[RateResult] = []
    while (rate := next_rate(results, start=start, ceiling=ceiling)) is not None:
        assert len(results) < 100, "the search does not end"
        results.append(measured(rate, limit))
    assert all(r.rate <= max(ceiling, start) for r in results)
    assert capacity(results) <= limit


def test_a_command_not_acknowledged_is_out_of_limits_even_when_the_modals_were_quick() -> None:
    lost = RateResult(100, sent=500, answered=480, acknowledged=480, ack_ms=(1, 2), open_ms=(3, 4), expired=0)
    assert not lost.within_limits
    assert RateResult(100, 500, 500, 500, (1, 2), (3, 4), 0).within_limits
