"""The fake Slack and fake Siit from ``bot.testing``, served in their own process for the
benchmark, with a small control API: ``GET /_stats``, ``POST /_reset``, ``POST /_latency``, ``POST /_seed``
(messages people wrote, for reactions)."""

from __future__ import annotations

import argparse
import asyncio
import copy
import gc
import json
from typing import Any

import uvicorn
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from bot.testing.siit_api import FakeSiit
from bot.testing.siit_data import ACCESS_SERVICE, PRINTER_SERVICE, REQUESTER
from bot.testing.slack_api import FakeSlack

SLACK_TOKEN = "xoxb-bench-token"
SIIT_TOKEN = "siit-bench-token"


def build(latency: float) -> tuple[FakeSlack, FakeSiit]:
    slack = FakeSlack(token=SLACK_TOKEN, member_channels={"C100"})
    for n in range(1000):
        slack.add_user(f"U{n:04d}", email=f"person{n}@example.com", name=f"Person {n}")
    slack.add_user(REQUESTER[0], email=REQUESTER[1], name="Ada")
    siit = FakeSiit(token=SIIT_TOKEN, latency=latency)
    siit.services = {s["uid"]: copy.deepcopy(s) for s in (PRINTER_SERVICE, ACCESS_SERVICE)}
    for n in range(1000):
        siit.add_user(f"u_{n:04d}", f"person{n}@example.com")
    siit.add_user(REQUESTER[2], REQUESTER[1])
    return slack, siit


def stats(slack: FakeSlack, siit: FakeSiit) -> dict[str, Any]:
    return {
        "slack": [
            {
                "method": c.method,
                "at": c.at,
                "trigger_id": c.args.get("trigger_id"),
                "thread_ts": c.args.get("thread_ts"),
                "ticket_message": c.method == "chat.postMessage" and has_buttons(c.args.get("blocks")),
            }
            for c in slack.calls
        ],
        "views": list(slack.views),
        "siit": [{"method": c.method, "path": c.path, "at": c.at} for c in siit.calls],
        "created": [
            {"title": r["title"], "link": r.get("slack_direct_link") or r.get("slack_message_link")}
            for r in siit.requests
        ],
    }


def has_buttons(blocks: Any) -> bool:
    """A ticket message carries its buttons; notices (queued, rate limited) do not."""
    if isinstance(blocks, str):
        blocks = json.loads(blocks)
    return any(block.get("type") == "actions" for block in blocks or [])


async def serve(slack_port: int, siit_port: int, latency: float) -> None:
    slack, siit = build(latency)
    siit.latency = latency
    gc.collect()
    gc.freeze()  # the directory of 2000 people built above is never garbage
    gc.disable()
    # No 60/minute limit: the benchmark measures the app, not Siit's quota. (Setting the module's
    # constant did nothing: the field's default was taken when the class was made.)
    siit.rate_limit = 10**9

    async def get_stats(_: Request) -> JSONResponse:
        return JSONResponse(stats(slack, siit))

    async def reset(_: Request) -> JSONResponse:
        slack.calls.clear()
        slack.views.clear()
        slack.messages.clear()
        slack.responses.clear()
        siit.calls.clear()
        siit.requests.clear()
        # Collect between phases, never during one: the fake keeps every call and view of a
        # phase, and a full collection over them paused it for 70-130 ms every 9 s, which the
        # open-loop sweep counted as the app's latency (gc.callbacks timings in the fake).
        gc.collect()
        return JSONResponse({"ok": True})

    async def set_latency(request: Request) -> JSONResponse:
        siit.latency = float((await request.json())["latency"])
        return JSONResponse({"ok": True})

    async def seed(request: Request) -> JSONResponse:
        for message in await request.json():
            slack.seed_message(message["channel"], message["ts"], user=message["user"], text=message["text"])
        return JSONResponse({"ok": True})

    slack_app = slack.asgi()
    for path, handler, method in (
        ("/_stats", get_stats, "GET"),
        ("/_reset", reset, "POST"),
        ("/_latency", set_latency, "POST"),
        ("/_seed", seed, "POST"),
    ):
        slack_app.router.routes.insert(0, Route(path, handler, methods=[method]))
    servers = [
        uvicorn.Server(
            uvicorn.Config(slack_app, host="127.0.0.1", port=slack_port, log_level="warning", access_log=False)
        ),
        uvicorn.Server(
            uvicorn.Config(siit.asgi(), host="127.0.0.1", port=siit_port, log_level="warning", access_log=False)
        ),
    ]
    await asyncio.gather(*(s.serve() for s in servers))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--slack-port", type=int, required=True)
    parser.add_argument("--siit-port", type=int, required=True)
    parser.add_argument("--latency", type=float, default=0.0)
    args = parser.parse_args()
    asyncio.run(serve(args.slack_port, args.siit_port, args.latency))


if __name__ == "__main__":
    main()
