"""The floor: a Starlette endpoint that reads the body and answers 200, served like the others.
Its ack latency is what this machine, this driver and uvicorn cost before any Slack work."""

from __future__ import annotations

import os

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route


async def acknowledge(request: Request) -> Response:
    await request.body()
    return Response(status_code=200)


if __name__ == "__main__":
    app = Starlette(routes=[Route("/slack/events", acknowledge, methods=["GET", "POST"])])
    uvicorn.run(app, host="127.0.0.1", port=int(os.environ["PORT"]), log_level="warning", access_log=False)
