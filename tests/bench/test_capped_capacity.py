"""The capped-capacity verdict: rounds are paired (the apps took turns), so the verdict is the
median of each round's ratio, and one round's outlier on either side does not move it."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bench.capped_capacity import median_ratio, ratio

capacities = st.floats(min_value=1, max_value=5000)


def test_each_round_is_compared_with_itself_not_across_rounds() -> None:
    # Ratio of the medians would be 300 / 200 = 1.5; the rounds' own ratios are 3, 1 and 3.
    assert median_ratio([(300, 100), (200, 200), (900, 300)]) == 3.0


@given(st.lists(st.tuples(capacities, capacities), min_size=3, max_size=3), capacities, capacities)
def test_one_outlying_round_cannot_move_the_verdict_past_the_other_two(
    rounds: list[tuple[float, float]], ours: float, bare: float
) -> None:
    kept = sorted(ratio(*found) for found in rounds[:2])
    verdict = median_ratio([*rounds[:2], (ours, bare)])
    assert kept[0] <= verdict <= kept[1]


def test_a_bare_app_that_never_kept_its_limits_loses_to_any_capacity() -> None:
    assert ratio(50, 0) == float("inf")
