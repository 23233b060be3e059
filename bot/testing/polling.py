"""Siit polling run for a simulated stretch of time, in seconds of real time: the app's own
poller, ticket store, shared request budget, conversation reader and Siit client, against the fake
Siit (which checks each call against the documented contract) over an in-process transport, all on
one simulated clock. Agents answer some tickets now and then; the run counts Siit's calls in
every minute and how long each agent reply took to be shown. Used by the tests (the budget holds
over a simulated hour) and by the benchmark (calls per minute, reply delays)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import httpx

from bot.backends.siit.client import SiitBackend
from bot.domain.events import AgentReplied
from bot.domain.ticket import Ticket
from bot.storage.database import create_engine, migrate
from bot.storage.message_tickets import MessageTicketStore
from bot.storage.poll_schedule import PollSchedule
from bot.storage.request_budget import SharedRequestBudget
from bot.storage.sync_log import SyncLog
from bot.storage.tickets import TicketStore
from bot.testing.siit_api import FakeSiit
from bot.tickets.conversation import ConversationReader
from bot.tickets.events import EventBus
from bot.tickets.status_poller import StatusPoller
from bot.tickets.updates import TicketUpdates

SIIT_TOKEN = "siit-simulated-token"
START = 1_800_000_000.0
AGENT = "u_agent"


class SimulatedClock:
    def __init__(self, now: float = START) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@dataclass(frozen=True)
class PollingScenario:
    open_tickets: int
    active_tickets: int
    """Of the open tickets, how many an agent keeps answering."""
    minutes: float
    """Measured, after ``warmup_minutes`` in which the poller first reads every ticket."""
    warmup_minutes: float = 30.0
    reply_every_seconds: float = 180.0
    """Mean gap between an agent's messages on an active ticket (one in four is an internal note)."""
    interval_seconds: float = 15.0
    batch: int = 10
    active_seconds: float = 30.0
    idle_seconds: float = 600.0
    seed: int = 7


@dataclass
class PollingFigures:
    calls_per_minute: list[int] = field(default_factory=list)
    """Siit calls in each measured minute."""
    most_in_any_window: int = 0
    """The most calls in any 60 s, warm-up included: what Siit's limit is checked against."""
    delays: list[float] = field(default_factory=list)
    """Agent reply written in Siit -> shown (published for the Slack thread), seconds."""
    replies_written: int = 0
    notes_shown: int = 0
    shown_twice: int = 0
    idle_check_minutes: float = 0.0
    """Mean time between two checks of a ticket nobody is answering, in the measured stretch."""


async def simulate(scenario: PollingScenario, *, database_url: str) -> PollingFigures:
    clock = SimulatedClock()
    rng = random.Random(scenario.seed)
    siit = FakeSiit(token=SIIT_TOKEN, clock=clock)
    siit.add_user(AGENT, "agent@example.com", role="agent", full_name="Greg House")
    siit.add_user("u_requester", "ada@example.com")
    engine = create_engine(database_url)
    await migrate(engine)
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=siit.asgi()), base_url="http://siit")
    try:
        budget = SharedRequestBudget(engine=engine, name="siit", limit=60, per_seconds=60, reserve=20, clock=clock)
        backend = SiitBackend(
            client=http, api_url="http://siit/v1", api_token=SIIT_TOKEN, service_ids=["wa_1"], budget=budget
        )
        tickets = TicketStore(engine=engine, clock=clock)
        events = EventBus()
        figures = PollingFigures()
        written: dict[str, float] = {}
        seen: set[str] = set()

        async def shown(event: AgentReplied) -> None:
            figures.shown_twice += event.text in seen
            seen.add(event.text)
            if event.text.startswith("note"):
                figures.notes_shown += 1
            elif event.text in written:
                figures.delays.append(clock() - written.pop(event.text))

        events.subscribe(AgentReplied, shown)
        updates = TicketUpdates(tickets=tickets, thread_claims=MessageTicketStore(engine=engine), events=events)
        poller = StatusPoller(
            backend=backend,
            reader=backend,
            tickets=tickets,
            schedule=PollSchedule(engine=engine),
            on_change=updates.status_changed,
            interval_seconds=scenario.interval_seconds,
            batch=scenario.batch,
            conversation=ConversationReader(conversation=backend, journal=SyncLog(engine=engine), updates=updates),
            active_seconds=scenario.active_seconds,
            idle_seconds=scenario.idle_seconds,
            clock=clock,
        )
        uids = await _file(siit, tickets, clock, scenario.open_tickets)
        active = uids[: scenario.active_tickets]
        next_message = {uid: START + rng.expovariate(1 / scenario.reply_every_seconds) for uid in active}
        measured_from = START + scenario.warmup_minutes * 60
        end = measured_from + scenario.minutes * 60
        step = scenario.interval_seconds / 4  # as often as the poller's own loop asks for its turn
        count = 0
        while clock.now < end:
            for uid in active:
                while next_message[uid] <= clock.now:
                    count += 1
                    note = rng.random() < 0.25
                    text = f"note {count}" if note else f"reply {count}"
                    siit.agent_says(uid, AGENT, text, note=note)
                    if not note and next_message[uid] >= measured_from:
                        written[text] = next_message[uid]
                        figures.replies_written += 1
                    next_message[uid] += rng.expovariate(1 / scenario.reply_every_seconds)
            await poller.poll_once()
            clock.now += step
        figures.delays += [end - at for at in written.values()]  # never shown: as late as the run
        figures.most_in_any_window = siit.max_calls_in_window()
        at = [c.at for c in siit.calls if c.at >= measured_from]
        idle = {f"/v1/requests/{uid}" for uid in uids[scenario.active_tickets :]}
        idle_checks = sum(1 for c in siit.calls if c.at >= measured_from and c.path in idle)
        figures.idle_check_minutes = scenario.minutes * len(idle) / idle_checks if idle_checks else float("inf")
        figures.calls_per_minute = [
            sum(1 for t in at if measured_from + m * 60 <= t < measured_from + (m + 1) * 60)
            for m in range(int(scenario.minutes))
        ]
        return figures
    finally:
        await http.aclose()
        await engine.dispose()


async def _file(siit: FakeSiit, tickets: TicketStore, clock: SimulatedClock, count: int) -> list[str]:
    """Open tickets filed through the app two days before the run (so none counts as active),
    each with its Slack thread."""
    now = clock.now
    clock.now = START - 2 * 86400
    uids = []
    for n in range(count):
        uid = siit.add_request(f"Request {n}", "u_requester")
        ts = f"{1_700_000_000 + n}.000100"
        title = f"Request {n}"
        record = Ticket(
            "siit", uid, f"REQ-{n}", None, title, "wa_1", "Printers", "open", "T1", "C1", ts, ts, "U1", "U1"
        )
        await tickets.add(record)
        uids.append(uid)
    clock.now = now
    return uids
