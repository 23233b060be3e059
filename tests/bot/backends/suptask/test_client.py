"""The Suptask client against the fake Suptask, where its own rules differ from the contract's."""

from __future__ import annotations

import copy

import httpx

from bot.backends.suptask.client import SuptaskBackend
from bot.forms_file import parse_forms_file
from bot.testing.servers import ServerLoop
from bot.testing.suptask_api import FakeSuptask
from bot.testing.suptask_data import FORMS_YAML, WORKSPACE
from tests.bot.backends.cases import FAST_RETRY


def test_a_delete_whose_answer_was_lost_is_done_when_sent_again_not_a_refusal(servers: ServerLoop) -> None:
    fake = FakeSuptask(token="suptask-token-1")
    fake.forms = copy.deepcopy(WORKSPACE)
    fake.tickets["t-1"] = {"formId": "f"}
    fake.after_delete.append(503)  # deleted, then the answer says otherwise: the client sends it again
    running = servers.serve(fake.asgi())
    try:

        async def withdraw() -> None:
            async with httpx.AsyncClient(timeout=2) as client:
                backend = SuptaskBackend(
                    client=client,
                    api_url=running.url + "/api/v2/public",
                    api_token=fake.token,
                    forms_file=parse_forms_file(FORMS_YAML),
                    retry=FAST_RETRY,
                )
                await backend.set_status("t-1", "withdrawn")

        servers.run(withdraw())
    finally:
        servers.stop(running)
    assert fake.deleted == ["t-1"] and "t-1" not in fake.tickets
    assert len(fake.calls_to("DELETE", "/ticket/t-1")) == 2
