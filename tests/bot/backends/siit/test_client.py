from __future__ import annotations

import copy
from collections.abc import Iterator

import httpx
import pytest

from bot.backends.siit.client import SiitBackend
from bot.domain.filing import NewTicket, Person
from bot.domain.forms import Draft
from bot.testing.servers import ServerLoop
from bot.testing.siit_api import FakeSiit
from bot.testing.siit_data import PRINTER_SERVICE, REQUESTER


@pytest.fixture
def siit(servers: ServerLoop) -> Iterator[tuple[FakeSiit, str]]:
    fake = FakeSiit(token="t-siit")
    fake.services = {"wa_printers": copy.deepcopy(PRINTER_SERVICE)}
    fake.add_user(REQUESTER[2], REQUESTER[1])
    fake.add_user("u_bob", "bob@example.com")
    running = servers.serve(fake.asgi())
    yield fake, running.url + "/v1"
    servers.stop(running)


def file(servers: ServerLoop, url: str, people: list[tuple[Person, dict[str, object]]]) -> None:
    async def scenario() -> None:
        async with httpx.AsyncClient() as client:
            backend = SiitBackend(client=client, api_url=url, api_token="t-siit", service_ids=["wa_printers"])
            form = await backend.load_form("wa_printers")
            for person, values in people:
                draft = Draft(form_id=form.id, title="Help", values={"ci_floor": 2.0, **values})
                directory = {"U200": Person("U200", "bob@example.com", "Bob"), "U300": Person("U300", None, "Cy")}
                await backend.create_ticket(
                    NewTicket(form, draft, person, person, "T1", "C1", people=directory, message_link="https://x/p1")
                )

    servers.run(scenario())


def test_a_known_person_files_natively_and_the_user_lookup_is_cached(
    servers: ServerLoop, siit: tuple[FakeSiit, str]
) -> None:
    fake, url = siit
    ada = Person(REQUESTER[0], REQUESTER[1].upper(), "Ada")
    file(servers, url, [(ada, {}), (ada, {})])
    assert len(fake.calls_to("GET", "/v1/users")) == 1
    assert [r["requested_by"] for r in fake.requests] == ["u_ada", "u_ada"]
    assert fake.requests[0]["slack_direct_link"] == "https://x/p1"


def test_a_person_without_a_siit_user_goes_through_the_slack_route_with_labelled_inputs(
    servers: ServerLoop, siit: tuple[FakeSiit, str]
) -> None:
    fake, url = siit
    file(servers, url, [(Person("U999", "nobody@example.com", "Nobody"), {"ci_model": "Canon X"})])
    (created,) = fake.requests
    assert fake.calls_to("POST", "/v1/requests/slack")
    assert created["slack_user_id"] == "U999"
    assert created["slack_channel_id"] == "C1"
    assert {"label": "Floor", "value": "2"} in created["custom_form_inputs"]
    assert {"label": "Printer model", "value": "Canon X"} in created["custom_form_inputs"]
