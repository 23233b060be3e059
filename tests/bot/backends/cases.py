"""One case per backend module: how to build it against its fake server, and how to steer the
fake. The contract test runs every case; a new backend adds one case here."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx

from bot.backends.base import Person, TicketBackend
from bot.backends.http import RetryPolicy
from bot.backends.siit import SiitBackend
from tests.fakes.servers import RunningServer, ServerLoop
from tests.fakes.siit_api import FakeSiit
from tests.fakes.siit_data import ACCESS_SERVICE, PRINTER_SERVICE, REQUESTER

FAST_RETRY = RetryPolicy(attempts=3, backoff_seconds=0.01)


@dataclass
class BackendCase:
    name: str
    build: Callable[[httpx.AsyncClient], TicketBackend]
    token: str
    requester: Person
    fail_next: Callable[[int], None]
    """Make the next ticket-creating call answer this HTTP status (0: hang past the timeout)."""
    tickets_created: Callable[[], int]
    valid_values: dict[str, Any]
    invalid_values: dict[str, Any]
    """Values the helpdesk itself refuses (checked by the fake as the real API would)."""


@contextmanager
def siit_case(servers: ServerLoop) -> Iterator[BackendCase]:
    fake = FakeSiit(token="siit-contract-token-123", hang_seconds=1.0)
    fake.services = {s["uid"]: copy.deepcopy(s) for s in (PRINTER_SERVICE, ACCESS_SERVICE)}
    fake.add_user(REQUESTER[2], REQUESTER[1])
    running: RunningServer = servers.serve(fake.asgi())
    try:
        yield BackendCase(
            name="siit",
            build=lambda client: SiitBackend(
                client=client,
                api_url=running.url + "/v1",
                api_token=fake.token,
                service_ids=["wa_printers", "wa_access"],
                retry=FAST_RETRY,
            ),
            token=fake.token,
            requester=Person(REQUESTER[0], email=REQUESTER[1], name="Ada"),
            fail_next=lambda status: fake.failures.append(("/v1/requests", status)),
            tickets_created=lambda: len(fake.requests),
            valid_values={"ci_floor": 3.0, "ci_model": "HP 400"},
            invalid_values={"ci_floor": 3.0, "ci_model": "Not a model"},
        )
    finally:
        servers.stop(running)


CASES = {"siit": siit_case}
