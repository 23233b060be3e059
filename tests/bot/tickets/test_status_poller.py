from __future__ import annotations

import asyncio
from pathlib import Path

import httpx

from bot.backends.siit.client import SiitBackend
from bot.domain.filing import NewTicket, Person
from bot.domain.forms import Draft
from bot.domain.ticket import Ticket
from bot.storage.database import create_engine, migrate
from bot.storage.poll_schedule import PollSchedule
from bot.storage.tickets import TicketStore
from bot.testing.polling import PollingScenario, simulate
from bot.testing.siit_api import FakeSiit
from bot.testing.siit_data import REQUESTER
from bot.tickets.status_poller import StatusPoller


def test_instances_sharing_a_database_poll_as_one(tmp_path: Path, fake_siit: FakeSiit) -> None:
    """Two instances, each asking for its turn at every tick: one batch per interval in all,
    continuing one round robin over the open tickets, each change reported once."""

    async def scenario() -> tuple[list[list[str]], list[str], list[str]]:
        database = f"sqlite:///{tmp_path / 'bot.db'}"
        engines = [create_engine(database), create_engine(database)]
        await migrate(engines[0])
        now = [1000.0]
        changes: list[str] = []
        async with httpx.AsyncClient() as client:
            siit = SiitBackend(
                client=client,
                api_url=fake_siit.url + "/v1",  # type: ignore[attr-defined]
                api_token=fake_siit.token,
                service_ids=["wa_printers"],
            )
            form = await siit.load_form("wa_printers")
            person = Person(REQUESTER[0], email=REQUESTER[1], name="Ada")
            stores = [TicketStore(engine=engine) for engine in engines]
            uids = []
            for n in range(5):
                draft = Draft(form_id=form.id, title=f"t{n}", description="", values={"ci_floor": 1.0})
                created = await siit.create_ticket(
                    NewTicket(form=form, draft=draft, requester=person, reporter=person, team_id="T1", channel_id="C1")
                )
                uids.append(created.id)
                await stores[0].add(
                    Ticket(
                        "siit", created.id, created.friendly_id, None, f"t{n}", form.id, form.name,
                        created.status, "T1", "C1", None, None, REQUESTER[0], REQUESTER[0],
                    )
                )  # fmt: skip

            async def seen(record: Ticket, status: str) -> bool:
                changes.append(record.ticket_id)
                return True

            pollers = [
                StatusPoller(
                    backend=siit,
                    reader=siit,
                    tickets=store,
                    schedule=PollSchedule(engine=store_engine),
                    on_change=seen,
                    interval_seconds=60,
                    batch=2,
                    clock=lambda: now[0],
                )
                for store, store_engine in zip(stores, engines, strict=True)
            ]
            fake_siit.request(uids[3])["status"] = "in_progress"  # type: ignore[index]
            turns: list[list[str]] = []
            for tick in range(12):  # every 15 s, both instances ask; a turn is due every 60 s
                now[0] = 1000.0 + 15 * tick
                before = len(fake_siit.calls_to("GET", "/v1/requests/"))
                results = await asyncio.gather(*(poller.poll_once() for poller in pollers))
                fetched = [c.path.rsplit("/", 1)[1] for c in fake_siit.calls_to("GET", "/v1/requests/")[before:]]
                assert sum(r is not None for r in results) == (1 if tick % 4 == 0 else 0)
                if fetched:
                    turns.append(fetched)
        for engine in engines:
            await engine.dispose()
        return turns, uids, changes

    turns, uids, changes = asyncio.run(scenario())
    assert turns == [uids[0:2], uids[2:4], [uids[4], uids[0]]]
    assert changes == [uids[3]]


def test_over_a_simulated_hour_siits_budget_holds_and_every_agent_reply_is_shown_once(tmp_path: Path) -> None:
    """The real poller, store, shared budget and Siit client against the fake Siit on a simulated
    clock (``bot.testing.polling``): never more than 40 calls in any minute (Siit's 60 less the
    20 kept for people; the fake answers 429 past 60), every public agent reply shown within two
    minutes, never a note, and quiet tickets still checked."""
    scenario = PollingScenario(open_tickets=40, active_tickets=5, minutes=45, warmup_minutes=15)
    figures = asyncio.run(simulate(scenario, database_url=f"sqlite:///{tmp_path / 'sim.db'}"))
    assert figures.most_in_any_window <= 40
    assert figures.replies_written > 20
    assert len(figures.delays) == figures.replies_written
    assert figures.shown_twice == 0
    assert max(figures.delays) < 120
    assert figures.notes_shown == 0
    assert figures.idle_check_minutes <= 15
