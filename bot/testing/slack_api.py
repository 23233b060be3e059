"""A fake Slack Web API: answers the methods the app calls, records every call, expires
triggers after 3 s and rejects views that break Slack's limits."""

from __future__ import annotations

import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.types import Receive, Scope, Send

from bot.testing.block_kit import view_problems
from bot.testing.slack_socket import FakeSocketMode

TRIGGER_SECONDS = 3.0
BOT_USER_ID = "UBOT"
TEAM_ID = "T0001"
APP_TOKEN = "xapp-1-A0001-test-app-token"


def mint_trigger_id(issued_at: float | None = None) -> str:
    """A trigger ID that carries when it was issued, so the fake can expire it."""
    return f"{time.time() if issued_at is None else issued_at:.6f}.{next(_counter)}.trigger"


_counter = itertools.count(1)


@dataclass
class Call:
    method: str
    args: dict[str, Any]
    at: float
    """``time.time()`` when the call arrived."""


@dataclass
class FakeSlack:
    token: str
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    member_channels: set[str] = field(default_factory=set)
    """Channels the bot is in; posting elsewhere answers ``not_in_channel``."""
    calls: list[Call] = field(default_factory=list)
    views: dict[str, dict[str, Any]] = field(default_factory=dict)
    messages: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    scopes: set[str] = field(default_factory=lambda: {"commands", "chat:write", "users:read", "users:read.email"})
    """The bot token's scopes, listed in ``auth.test``'s ``x-oauth-scopes`` header;
    ``chat:write.customize`` lets a message carry its own ``username``."""
    channel_post_seconds: float = 0.0
    """Slack's pace per channel: a ``chat.postMessage`` sooner than this after the previous one
    in the same channel answers ``ratelimited`` (counted in ``paced_refusals``)."""
    paced_refusals: int = 0
    homes: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Each person's App Home as last published."""
    errors: dict[str, list[str]] = field(default_factory=dict)
    """Queued ``error`` answers per method, used once each."""
    drops: dict[str, int] = field(default_factory=dict)
    """Per method: how many next calls take effect, then lose their answer (the connection closes
    after the headers)."""
    usergroups: dict[str, list[str]] = field(default_factory=dict)
    """User group ID (``S…``) -> its members, for ``usergroups.users.list``."""
    server_errors: dict[str, int] = field(default_factory=dict)
    """Per method: how many next calls take effect, then answer HTTP 500 (Slack's own trouble)."""
    rate_limits: dict[str, int] = field(default_factory=dict)
    """Per method: how many next calls answer HTTP 429 with ``Retry-After: 1``."""
    responses: list[dict[str, Any]] = field(default_factory=list)
    """Messages posted to a ``response_url`` (``{url}/response/...``), as Slack received them."""
    on_post: Any = None
    """Called (with the posted message) after each ``chat.postMessage`` is stored."""
    on_call: Any = None
    """Called (with no argument) as each Web API call arrives; when it returns true, the call
    is not made and its connection is closed without an answer."""
    socket_mode: FakeSocketMode = field(default_factory=lambda: FakeSocketMode(app_token=APP_TOKEN))
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _last_post: dict[str, float] = field(default_factory=dict)

    def add_user(
        self,
        user_id: str,
        *,
        email: str | None,
        name: str = "Test Person",
        team_id: str = TEAM_ID,
        stranger: bool = False,
    ) -> None:
        """``team_id``: another workspace's for a member of a channel shared with it (Slack
        Connect); ``stranger``: Slack's ``is_stranger``, for someone our workspace does not know."""
        self.users[user_id] = {
            "id": user_id,
            "team_id": team_id,
            **({"is_stranger": True} if stranger else {}),
            "name": name.lower().replace(" ", "."),
            "real_name": name,
            "profile": {"email": email, "real_name": name} if email else {"real_name": name},
        }

    def seed_message(
        self, channel: str, ts: str, *, user: str, text: str, thread_ts: str | None = None, bot_id: str | None = None
    ) -> dict[str, Any]:
        """A message people wrote before the test, readable through conversations.replies."""
        message: dict[str, Any] = {"type": "message", "channel": channel, "ts": ts, "user": user, "text": text}
        if thread_ts:
            message["thread_ts"] = thread_ts
        if bot_id:
            message["bot_id"] = bot_id
        with self._lock:
            self.messages[(channel, ts)] = message
        return message

    def thread(self, channel: str, thread_ts: str) -> list[dict[str, Any]]:
        """Messages posted in a thread, oldest first."""
        with self._lock:
            return sorted(
                (m for (c, _), m in self.messages.items() if c == channel and m.get("thread_ts") == thread_ts),
                key=lambda m: m["ts"],
            )

    def calls_to(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method]

    def asgi(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/api/{method}", self._endpoint, methods=["GET", "POST"]),
                Route("/response/{key}", self._response_url, methods=["POST"]),
                WebSocketRoute("/socket-mode", self.socket_mode.serve),
            ]
        )

    def response_url(self, key: str = "1") -> str:
        """A ``response_url`` for a payload, served here; requires the fake to be running."""
        return f"{self.url}/response/{key}"  # type: ignore[attr-defined]

    async def _response_url(self, request: Request) -> PlainTextResponse:
        """Slack's response URLs take a JSON message and answer ``ok`` in plain text."""
        try:
            message = json.loads(await request.body())
        except ValueError:
            return PlainTextResponse("invalid_payload", status_code=400)
        if not isinstance(message, dict) or not (message.get("text") or message.get("blocks")):
            return PlainTextResponse("no_text", status_code=400)
        with self._lock:
            self.responses.append({"key": request.path_params["key"], **message})
        return PlainTextResponse("ok")

    async def _endpoint(self, request: Request) -> Response:
        method = request.path_params["method"]
        args = dict(request.query_params)
        raw = await request.body()
        if request.headers.get("content-type", "").startswith("application/json") and raw:
            args.update(json.loads(raw))
        elif raw:
            args.update(parse_qsl(raw.decode()))
        auth = request.headers.get("authorization", "")
        with self._lock:
            self.calls.append(Call(method, args, time.time()))
            limited = self.rate_limits.get(method, 0)
            if limited:
                self.rate_limits[method] = limited - 1
            queued = self.errors.get(method)
            error = queued.pop(0) if queued else None
        if self.on_call is not None and self.on_call():
            return _Dropped()
        if limited:
            return JSONResponse({"ok": False, "error": "ratelimited"}, status_code=429, headers={"Retry-After": "1"})
        if method == "apps.connections.open":
            if auth != f"Bearer {self.socket_mode.app_token}":
                return _error("invalid_auth")
            ws_url = self.url.replace("http://", "ws://") + "/socket-mode"  # type: ignore[attr-defined]
            return JSONResponse({"ok": True, "url": ws_url})
        if auth != f"Bearer {self.token}" and args.get("token") != self.token:
            return _error("invalid_auth")
        if error:
            return _error(error)
        handler = getattr(self, "_" + method.replace(".", "_"), None)
        if handler is None:
            return _error("unknown_method")
        with self._lock:
            answer = handler(args)
            dropped = self.drops.get(method, 0)
            if dropped:
                self.drops[method] = dropped - 1
            failed = self.server_errors.get(method, 0)
            if failed:
                self.server_errors[method] = failed - 1
        if dropped:
            return _Dropped()
        if failed:
            return PlainTextResponse("internal error", status_code=500)
        if method == "auth.test":
            return JSONResponse(answer, headers={"x-oauth-scopes": ",".join(sorted(self.scopes))})
        return JSONResponse(answer)

    def _auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        return {
            "ok": True,
            "url": "https://test.slack.com/",
            "user_id": BOT_USER_ID,
            "bot_id": "BBOT",
            "team_id": TEAM_ID,
            "team": "Test",
            "user": "bot",
        }

    def _views_publish(self, args: dict[str, Any]) -> dict[str, Any]:
        user_id = str(args.get("user_id") or "")
        if not user_id.startswith("U"):
            return {"ok": False, "error": "invalid_arguments"}
        raw = args.get("view")
        view = json.loads(raw) if isinstance(raw, str) else raw
        problems = view_problems(view, view_type="home")
        if problems or not isinstance(view, dict):
            return {"ok": False, "error": "invalid_arguments", "response_metadata": {"messages": problems}}
        stored = {**view, "id": f"V{next(self._ids):06d}", "hash": f"h{next(self._ids)}"}
        self.homes[user_id] = stored
        return {"ok": True, "view": stored}

    def _views_open(self, args: dict[str, Any]) -> dict[str, Any]:
        trigger = str(args.get("trigger_id") or "")
        try:
            issued = float(trigger.split(".trigger")[0].rsplit(".", 1)[0])
        except ValueError:
            return {"ok": False, "error": "invalid_trigger_id"}
        if time.time() - issued > TRIGGER_SECONDS:
            return {"ok": False, "error": "expired_trigger_id"}
        return self._store_view(f"V{next(self._ids):06d}", args.get("view"))

    def _views_update(self, args: dict[str, Any]) -> dict[str, Any]:
        view_id = args.get("view_id")
        current = self.views.get(str(view_id))
        if current is None:
            return {"ok": False, "error": "not_found"}
        if args.get("hash") and args["hash"] != current["hash"]:
            return {"ok": False, "error": "hash_conflict"}
        return self._store_view(str(view_id), args.get("view"))

    def _store_view(self, view_id: str, raw: Any) -> dict[str, Any]:
        view = json.loads(raw) if isinstance(raw, str) else raw
        problems = view_problems(view)
        if problems:
            return {"ok": False, "error": "invalid_arguments", "response_metadata": {"messages": problems}}
        stored = {**view, "id": view_id, "hash": f"h{next(self._ids)}", "state": {"values": {}}}
        self.views[view_id] = stored
        return {"ok": True, "view": stored}

    def _usergroups_users_list(self, args: dict[str, Any]) -> dict[str, Any]:
        members = self.usergroups.get(str(args.get("usergroup")))
        if members is None:
            return {"ok": False, "error": "no_such_subteam"}
        return {"ok": True, "users": list(members)}

    def _users_info(self, args: dict[str, Any]) -> dict[str, Any]:
        user = self.users.get(str(args.get("user")))
        return {"ok": True, "user": user} if user else {"ok": False, "error": "user_not_found"}

    def _chat_postMessage(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = str(args.get("channel") or "")
        if channel.startswith("U"):
            channel = "D" + channel[1:]
        elif channel not in self.member_channels:
            return {"ok": False, "error": "not_in_channel"}
        blocks = args.get("blocks")
        if isinstance(blocks, str):
            blocks = json.loads(blocks)
        if not args.get("text") and not blocks:
            return {"ok": False, "error": "no_text"}
        now = time.monotonic()
        if self.channel_post_seconds and now - self._last_post.get(channel, -1e9) < self.channel_post_seconds:
            self.paced_refusals += 1
            return {"ok": False, "error": "ratelimited"}
        self._last_post[channel] = now
        ts = f"{int(time.time())}.{next(self._ids):06d}"
        message = {"channel": channel, "ts": ts, "text": args.get("text"), "blocks": blocks or []}
        message["thread_ts"] = args.get("thread_ts")
        if args.get("username") and "chat:write.customize" in self.scopes:
            message["username"] = args["username"]
        metadata = args.get("metadata")
        if metadata:
            message["metadata"] = json.loads(metadata) if isinstance(metadata, str) else metadata
        self.messages[(channel, ts)] = message
        if self.on_post is not None:
            self.on_post(message)
        return {"ok": True, "channel": channel, "ts": ts, "message": message}

    def _conversations_replies(self, args: dict[str, Any]) -> dict[str, Any]:
        channel, ts = str(args.get("channel")), str(args.get("ts"))
        message = self.messages.get((channel, ts))
        if message is None:
            return {"ok": False, "error": "thread_not_found"}
        if channel not in self.member_channels:
            return {"ok": False, "error": "not_in_channel"}
        # The message, then its thread's replies, oldest first; metadata only when asked for.
        replies = sorted(
            (m for (c, t), m in self.messages.items() if c == channel and m.get("thread_ts") == ts and t != ts),
            key=lambda m: m["ts"],
        )
        limit = int(args.get("limit") or 1000)
        found = [message, *replies][:limit]
        if str(args.get("include_all_metadata")).lower() not in ("1", "true"):
            found = [{k: v for k, v in m.items() if k != "metadata"} for m in found]
        return {"ok": True, "messages": found, "has_more": len(replies) + 1 > limit}

    def _conversations_open(self, args: dict[str, Any]) -> dict[str, Any]:
        users = str(args.get("users") or "")
        if not users.startswith("U") or "," in users:
            return {"ok": False, "error": "user_not_found"}
        return {"ok": True, "channel": {"id": "D" + users[1:]}}

    def _conversations_history(self, args: dict[str, Any]) -> dict[str, Any]:
        """Top-level messages of a channel (or DM), newest first."""
        channel = str(args.get("channel"))
        if not channel.startswith("D") and channel not in self.member_channels:
            return {"ok": False, "error": "not_in_channel"}
        found = sorted(
            (m for (c, _), m in self.messages.items() if c == channel and not m.get("thread_ts")),
            key=lambda m: m["ts"],
            reverse=True,
        )[: int(args.get("limit") or 100)]
        if str(args.get("include_all_metadata")).lower() not in ("1", "true"):
            found = [{k: v for k, v in m.items() if k != "metadata"} for m in found]
        return {"ok": True, "messages": found, "has_more": False}

    def _chat_getPermalink(self, args: dict[str, Any]) -> dict[str, Any]:
        channel, ts = str(args.get("channel")), str(args.get("message_ts"))
        if (channel, ts) not in self.messages:
            return {"ok": False, "error": "message_not_found"}
        return {
            "ok": True,
            "channel": channel,
            "permalink": f"https://test.slack.com/archives/{channel}/p{ts.replace('.', '')}",
        }

    def _reactions_add(self, args: dict[str, Any]) -> dict[str, Any]:
        message = self.messages.get((str(args.get("channel")), str(args.get("timestamp"))))
        if message is None:
            return {"ok": False, "error": "message_not_found"}
        reactions = message.setdefault("reactions", [])
        if args.get("name") in reactions:
            return {"ok": False, "error": "already_reacted"}
        reactions.append(args.get("name"))
        return {"ok": True}

    def _chat_postEphemeral(self, args: dict[str, Any]) -> dict[str, Any]:
        if str(args.get("channel")) not in self.member_channels:
            return {"ok": False, "error": "not_in_channel"}
        return {"ok": True, "message_ts": f"{int(time.time())}.{next(self._ids):06d}"}

    def _chat_update(self, args: dict[str, Any]) -> dict[str, Any]:
        key = (str(args.get("channel")), str(args.get("ts")))
        if key not in self.messages:
            return {"ok": False, "error": "message_not_found"}
        self.messages[key].update({k: args[k] for k in ("text", "blocks") if k in args})
        return {"ok": True, "channel": key[0], "ts": key[1]}


class _Dropped(Response):
    """The call took effect; its answer is cut after the headers."""

    def __init__(self) -> None:
        super().__init__(status_code=200)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"100")]})
        raise ConnectionResetError("the fake drops the connection after the call took effect")


def _error(error: str) -> JSONResponse:
    return JSONResponse({"ok": False, "error": error})
