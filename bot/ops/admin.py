"""``python -m bot outbox [requeue ID... | requeue all]``: list queued and parked tickets, and put
parked ones back in the queue (the running app's worker then files them)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence

from bot.storage.database import create_engine, migrate
from bot.storage.outbox import FAILED, FILED, PENDING, OutboxRow, OutboxStore


def describe(row: OutboxRow) -> str:
    draft = row.payload.get("draft") if isinstance(row.payload, dict) else None
    title = draft.get("title") if isinstance(draft, dict) else ""
    origin = row.payload.get("origin") if isinstance(row.payload, dict) else None
    user = origin.get("user_id") if isinstance(origin, dict) else "?"
    error = f" - {row.last_error}" if row.last_error else ""
    return f"{row.id:>6}  {row.status:<8} {row.backend:<8} attempts={row.attempts}  by {user}: {title!r}{error}"


async def outbox_command(database_url: str, args: Sequence[str], say: Callable[[str], object]) -> int:
    engine = create_engine(database_url)
    try:
        await migrate(engine)
        store = OutboxStore(engine=engine)
        if args[:1] == ["requeue"]:
            parked = [row.id for row in await store.list([FAILED], limit=10_000)]
            named = list(args[1:])
            if not named:
                say("usage: python -m bot outbox requeue ID [ID...] | all")
                return 2
            not_ids = [a for a in named if not a.isdigit()] if named != ["all"] else []
            if not_ids:
                verb = "is not an outbox id" if len(not_ids) == 1 else "are not outbox ids"
                say(f"{', '.join(repr(a) for a in not_ids)} {verb} (ids are the numbers `python -m bot outbox` lists)")
                return 2
            wanted = parked if named == ["all"] else [int(a) for a in named]
            unknown = [str(i) for i in wanted if i not in parked]
            if unknown:
                say(f"not parked (nothing re-queued): {', '.join(unknown)}")
                return 2
            if not wanted:
                say("nothing is parked")
                return 0
            say(f"re-queued {await store.requeue(wanted, now=time.time())} of {len(wanted)} parked item(s)")
            return 0
        if args:
            say("usage: python -m bot outbox [requeue ID [ID...] | requeue all]")
            return 2
        rows = await store.list([PENDING, FILED, FAILED])
        for row in rows:
            say(describe(row))
        say(f"{len(rows)} ticket(s) waiting or parked")
        return 0
    finally:
        await engine.dispose()


def run_outbox_command(database_url: str, args: Sequence[str], say: Callable[[str], object]) -> int:
    return asyncio.run(outbox_command(database_url, args, say))
