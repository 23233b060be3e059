"""What recording before the ack costs: ``:ticket:`` reactions sent open loop at 200/s and 400/s,
each on a message of its own (so each is recorded, then filed), to ours on SQLite and on
PostgreSQL and to bare Bolt (its reaction listener does nothing). Ack latency, and the database
commits per acknowledged reaction (the group commit, from ``/metrics``) and per ticket (every
transaction PostgreSQL committed, from ``pg_stat_database``).

Alone: ``python -m bench.recorded_acks [--quick]`` (also run against an older checkout's app to
compare, since it only needs ``/slack/events``)."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import tempfile
import uuid
from pathlib import Path

import httpx
from sqlalchemy import text

from bench import open_loop
from bench.harness import (
    Fakes,
    Report,
    collector_paused,
    fakes,
    pct,
    seed_messages,
    signed,
    start_bare,
    start_bot,
    wait_for,
)
from bench.scaling import FILING_SETTINGS, POSTGRES_URL, ticket_messages
from bench.sweep import settled
from bot.storage.database import create_engine
from bot.testing.postgres import UNREACHABLE, fresh_database
from bot.testing.slack_client import event_envelope, reaction_event

RATES = tuple(float(r) for r in os.environ.get("BENCH_REACTION_RATES", "200,400").split(","))
BASE_TS = 1_750_000_000


def reaction_body(message: dict[str, str]) -> bytes:
    event = reaction_event(dict(message), user="U0001")
    return json.dumps(event_envelope(event, event_id=f"Ev{uuid.uuid4().hex}")).encode()


async def react(url: str, messages: list[dict[str, str]], rate: float) -> tuple[list[float], int]:
    """Ack latencies (s) of the answered reactions, and how many were acknowledged (a 200)."""

    def make(n: int) -> tuple[bytes, str, dict[str, str]]:
        body = reaction_body(messages[n])
        return body, f"reaction-{n}", signed(body, "application/json")

    with collector_paused():
        latencies, acknowledged = await open_loop.drive(url, rate=rate, count=len(messages), make=make)
    return latencies, len(acknowledged)


async def metric(url: str, name: str) -> float:
    async with httpx.AsyncClient(timeout=10) as http:
        text = (await http.get(url + "/metrics")).text
    return sum(float(line.split()[-1]) for line in text.splitlines() if line.startswith(name + " "))


async def commits(database_url: str) -> int | None:
    """Transactions PostgreSQL has committed in this database (``None`` on SQLite)."""
    if not database_url.startswith("postgresql"):
        return None
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT pg_stat_force_next_flush()"))
            query = text("SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()")
            return int((await connection.execute(query)).scalar_one())
    finally:
        await engine.dispose()


async def one_database(
    report: Report, fake: Fakes, workdir: Path, label: str, database_url: str, *, quick: bool
) -> None:
    seconds = 1.0 if quick else 3.0
    bot = start_bot(fake, workdir, database_url=database_url, env=FILING_SETTINGS)
    bare = start_bare(fake)
    try:
        await asyncio.sleep(2.0)  # the form cache warms
        for rate in RATES:
            count = int(rate * seconds)
            fake.reset()
            ours_messages = await seed_messages(fake, count, base_ts=BASE_TS, text="Laptop {n} is slow")
            bare_messages = await seed_messages(fake, count, base_ts=BASE_TS, text="Laptop {n} is slow")
            before = await metric(bot.url, "inbox_commits_total"), await metric(bot.url, "inbox_recorded_total")
            database_before = await commits(database_url)
            ours, acknowledged = await react(bot.url, ours_messages, rate)
            theirs, _ = await react(bare.url, bare_messages, rate)
            await wait_for(lambda c=count: len(ticket_messages(fake.stats())) >= c, 120)
            await settled([bot])
            filed = len(ticket_messages(fake.stats()))
            group_commits = await metric(bot.url, "inbox_commits_total") - before[0]
            recorded = await metric(bot.url, "inbox_recorded_total") - before[1]
            database_after = await commits(database_url)
            ours99, bare99 = pct(ours, 99) * 1000, pct(theirs, 99) * 1000
            report.count(
                f"recorded acks {label} {rate:.0f}/s",
                sent=count,
                answered=len(ours),
                acknowledged=acknowledged,
                recorded=int(recorded),
                filed=filed,
            )
            report.figure(
                f"reactions {rate:.0f}/s, {label}: ack p50 / p99 ours; bare Bolt",
                f"{pct(ours, 50) * 1000:.1f} / {ours99:.1f} ms; {pct(theirs, 50) * 1000:.1f} / {bare99:.1f} ms",
            )
            per_ack = group_commits / recorded if recorded else float("nan")
            line = f"{per_ack:.3f} ({group_commits:.0f} commits for {recorded:.0f} recorded)"
            if database_before is not None and database_after is not None and filed:
                line += f"; all commits per ticket {(database_after - database_before) / filed:.1f}"
            report.figure(f"  commits per acknowledged reaction, {label}", line)
            if rate == RATES[0]:
                report.target(f"ack p99 <= 20 ms at {rate:.0f}/s, {label}", ours99 <= 20, f"{ours99:.1f} ms")
            else:
                report.target(
                    f"ack p99 <= bare Bolt's at {rate:.0f}/s, {label}",
                    ours99 <= bare99,
                    f"{ours99:.1f} / {bare99:.1f} ms",
                )
            report.target(f"every reaction filed, {label} {rate:.0f}/s", filed >= count, f"{filed} of {count}")
    finally:
        bot.stop()
        bare.stop()


async def recorded_acks(report: Report, fake: Fakes, workdir: Path, *, quick: bool) -> None:
    await one_database(report, fake, workdir, "SQLite", f"sqlite:///{workdir / 'acks.db'}", quick=quick)
    try:
        async with fresh_database(POSTGRES_URL, prefix="bench") as url:
            await one_database(report, fake, workdir, "PostgreSQL", url, quick=quick)
    except UNREACHABLE as exc:
        report.figure("reactions on PostgreSQL", f"not measured: PostgreSQL unreachable ({exc})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    quick = parser.parse_args().quick
    report = Report()
    with fakes() as fake, tempfile.TemporaryDirectory() as workdir:
        asyncio.run(recorded_acks(report, fake, Path(workdir), quick=quick))
    for name, ok, detail in report.verdicts:
        print(f"{'PASS' if ok else 'FAIL'}  {name}: {detail}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
