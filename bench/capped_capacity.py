"""Ours against bare Bolt at the same CPU budget: each app held to the same share of a core
(``bench.cpu_cap``, as a container's CPU limit does) and its capacity searched in several
rounds, the apps taking steps in turn; the verdict is the median round's ratio.

Why capped: uncapped, the driver and the fakes share this machine's two cores with the app, and
near ours's capacity (1300-1500/s) they run out first, so the uncapped ratio measures the driver
as much as the app. Why rounds: one search's ratio moved between 1.1 and 2.0 on this shared
machine, mostly with the rate at which bare Bolt collapses (abruptly: thousands of expired
triggers one step past its capacity)."""

from __future__ import annotations

import statistics

from bench import cpu_cap, open_loop
from bench.harness import Fakes, Process, Report
from bench.open_loop import ratio
from bench.sweep import capacity_text, search_capacities

APP_CORES = 0.35
"""The share of a core each app gets: far enough below the driver's limit that the apps, not the
driver, run out first (the same budget as ``bench.scaling``'s instances)."""
ROUNDS = 3
TARGET_RATIO = 1.5


def median_ratio(capacities: list[tuple[float, float]]) -> float:
    """The median of each round's ours / bare ratio (rounds are paired: the apps took turns)."""
    return statistics.median(ratio(ours, bare) for ours, bare in capacities)


async def capped_capacity(report: Report, fake: Fakes, ours: Process, bare: Process, *, quick: bool) -> None:
    rounds = 1 if quick else ROUNDS
    start = 20.0 if quick else 100.0
    capacities: list[tuple[float, float]] = []
    apps = {"ours": [ours], "bare Bolt": [bare]}
    with cpu_cap.capped([ours.popen.pid, bare.popen.pid], APP_CORES) as caps:
        how = cpu_cap.describe(caps, APP_CORES)
        print(f"  capacity at the same CPU budget, {rounds} round(s), {how}:", flush=True)
        for number in range(1, rounds + 1):
            results = await search_capacities(report, fake, apps, start=start, quick=quick)
            found = (open_loop.capacity(results["ours"]), open_loop.capacity(results["bare Bolt"]))
            capacities.append(found)
            report.figure(
                f"  round {number}: capacity ours / bare Bolt",
                f"{capacity_text(results['ours'])} / {capacity_text(results['bare Bolt'])}, ratio {ratio(*found):.2f}",
            )
    verdict = median_ratio(capacities)
    spread = sorted(ratio(*found) for found in capacities)
    report.figure(
        f"capacity at {APP_CORES} core each, ours / bare Bolt (median of {rounds})",
        f"ratio {verdict:.2f} (rounds {', '.join(f'{r:.2f}' for r in spread)})",
    )
    report.target(
        f"open-loop capacity >= {TARGET_RATIO} x bare Bolt, same CPU budget (median round)"
        + (" (uncapped)" if isinstance(caps, str) else ""),
        verdict >= TARGET_RATIO,
        f"{verdict:.3f}",
    )
