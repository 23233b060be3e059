"""The baseline: a bare Bolt ``AsyncApp`` whose ``/ticket`` only acks and opens a fixed modal,
served the same way as the real app (uvicorn, Bolt's Starlette adapter)."""

from __future__ import annotations

import os
from typing import Any

import uvicorn
from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

FIXED_MODAL = {
    "type": "modal",
    "callback_id": "bare",
    "title": {"type": "plain_text", "text": "New ticket"},
    "submit": {"type": "plain_text", "text": "Create"},
    "blocks": [
        {
            "type": "input",
            "block_id": "title",
            "label": {"type": "plain_text", "text": "Title"},
            "element": {"type": "plain_text_input", "action_id": "value"},
        }
    ],
}


def create() -> Starlette:
    client = AsyncWebClient(token=os.environ["SLACK_BOT_TOKEN"], base_url=os.environ["SLACK_API_URL"])
    app = AsyncApp(client=client, signing_secret=os.environ["SLACK_SIGNING_SECRET"])

    @app.command("/ticket")
    async def open_modal(ack: AsyncAck, command: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        await client.views_open(trigger_id=command["trigger_id"], view=FIXED_MODAL)

    @app.event("reaction_added")
    async def reacted() -> None:
        """Acknowledged by Bolt; nothing done."""

    handler = AsyncSlackRequestHandler(app)

    async def events(request: Request) -> Response:
        return await handler.handle(request)

    return Starlette(routes=[Route("/slack/events", events, methods=["POST"])])


if __name__ == "__main__":
    uvicorn.run(create(), host="127.0.0.1", port=int(os.environ["PORT"]), log_level="warning", access_log=False)
