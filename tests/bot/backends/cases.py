"""One case per backend module: how to build it against its fake server, and how to steer the
fake. The contract test runs every case; a new backend adds one case here."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx

from bot.backends.http import RetryPolicy
from bot.backends.siit.client import SiitBackend
from bot.backends.suptask.client import SuptaskBackend
from bot.backends.zendesk.client import ZendeskBackend
from bot.config.forms_file import parse_forms_file
from bot.domain.filing import Person
from bot.testing.servers import RunningServer, ServerLoop
from bot.testing.siit_api import FakeSiit
from bot.testing.siit_data import ACCESS_SERVICE, PRINTER_SERVICE, REQUESTER
from bot.testing.suptask_api import FakeSuptask
from bot.testing.suptask_data import FORMS_YAML, IMPACT_FIELD, LAPTOP_FIELD, WORKSPACE
from bot.testing.zendesk_api import FakeZendesk
from bot.testing.zendesk_data import EMAIL, FIELDS, FORM, FORM_ID, VALID_VALUES
from bot.testing.zendesk_data import REQUESTER as ZENDESK_REQUESTER
from bot.tickets.ports import TicketBackend

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
    refusal_words: str
    """Part of the helpdesk's reason for refusing ``invalid_values``."""
    replies: Callable[[], list[tuple[str, str, bool]]]
    """``(ticket id, text, internal)`` of every reply the fake received."""
    status_of: Callable[[str], str | None]
    closed_status: str
    withdrawn: Callable[[str], bool]
    """Whether the helpdesk took the ticket out of its queue ("Not a ticket")."""
    lose_next_answer: Callable[[], None] | None = None
    """Make the next create succeed in the helpdesk but answer 503; ``None`` for a helpdesk
    whose tickets cannot be looked for (it does not implement ``FindsCreatedTickets``)."""
    create_keys: Callable[[], list[str | None]] | None = None
    """The ``Idempotency-Key`` of every create the fake received; ``None`` for a helpdesk that
    takes none (a create after a lost answer is then looked for, never resent)."""


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
            refusal_words="'Not a model' is not one of its options",
            lose_next_answer=lambda: fake.after_create.append("503"),
            replies=lambda: [
                (m["request_uid"], m.get("body_text") or m.get("body_markdown", ""), m["private"])
                for m in fake.messages
            ],
            status_of=lambda uid: (fake.request(uid) or {}).get("status"),
            closed_status="resolved",
            withdrawn=lambda uid: (fake.request(uid) or {}).get("status") == "archived",
        )
    finally:
        servers.stop(running)


STALE_FIELD = "3c4d5e6f-0000-4000-8000-000000000000"


@contextmanager
def suptask_case(servers: ServerLoop) -> Iterator[BackendCase]:
    fake = FakeSuptask(token="suptask-contract-token-456")
    fake.forms = copy.deepcopy(WORKSPACE)
    # The forms file names a field the Suptask workspace no longer has: Suptask refuses it.
    forms_yaml = FORMS_YAML.replace(
        "      - field_id: " + LAPTOP_FIELD,
        f"      - field_id: {STALE_FIELD}\n        label: Old field\n        type: text\n"
        f"      - field_id: {LAPTOP_FIELD}",
    )
    forms_file = parse_forms_file(forms_yaml)
    running: RunningServer = servers.serve(fake.asgi())
    try:
        yield BackendCase(
            name="suptask",
            build=lambda client: SuptaskBackend(
                client=client,
                api_url=running.url + "/api/v2/public",
                api_token=fake.token,
                forms_file=forms_file,
                retry=FAST_RETRY,
            ),
            token=fake.token,
            requester=Person("U100", email="ada@example.com", name="Ada"),
            fail_next=lambda status: fake.failures.append(("/ticket", status if status else 504)),
            tickets_created=lambda: len(fake.tickets),
            valid_values={IMPACT_FIELD: "Low"},
            invalid_values={IMPACT_FIELD: "Low", STALE_FIELD: "x"},
            refusal_words="does not belong to the form",
            replies=lambda: [(r["ticket_id"], r["text"], r["channel"] == ["responder"]) for r in fake.replies],
            status_of=lambda ticket_id: fake.tickets.get(ticket_id, {}).get("status"),
            closed_status="Closed",
            withdrawn=lambda ticket_id: fake.tickets.get(ticket_id, {}).get("status") == "Closed" and not fake.deleted,
        )
    finally:
        servers.stop(running)


@contextmanager
def zendesk_case(servers: ServerLoop) -> Iterator[BackendCase]:
    fake = FakeZendesk(email=EMAIL, token="zendesk-contract-token-789", hang_seconds=1.0)
    fake.forms = {FORM_ID: copy.deepcopy(FORM)}
    fake.fields = copy.deepcopy(FIELDS)
    running: RunningServer = servers.serve(fake.asgi())
    try:
        yield BackendCase(
            name="zendesk",
            build=lambda client: ZendeskBackend(
                client=client,
                api_url=running.url + "/api/v2",
                email=EMAIL,
                api_token=fake.token,
                form_ids=[str(FORM_ID)],
                retry=FAST_RETRY,
            ),
            token=fake.token,
            requester=Person(ZENDESK_REQUESTER[0], email=ZENDESK_REQUESTER[1], name=ZENDESK_REQUESTER[2]),
            fail_next=lambda status: fake.failures.append(("/tickets", status)),
            tickets_created=lambda: len(fake.tickets),
            valid_values=dict(VALID_VALUES),
            invalid_values={**VALID_VALUES, "105": "furniture"},
            refusal_words="'furniture' is not one of its options",
            lose_next_answer=lambda: fake.after_create.append(503),
            create_keys=lambda: [c.headers.get("idempotency-key") for c in fake.calls_to("POST", "/tickets")],
            replies=lambda: [(c["ticket_id"], c["body"], not c["public"]) for c in fake.comments],
            status_of=lambda ticket_id: (fake.ticket(ticket_id) or {}).get("status"),
            closed_status="solved",
            withdrawn=lambda ticket_id: "not_a_ticket" in (fake.ticket(ticket_id) or {}).get("tags", []),
        )
    finally:
        servers.stop(running)


CASES = {"siit": siit_case, "suptask": suptask_case, "zendesk": zendesk_case}
