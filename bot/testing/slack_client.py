"""Requests to the app signed exactly as Slack signs them, and the payloads Slack sends."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx

from bot.testing.slack_api import TEAM_ID, mint_trigger_id
from bot.testing.slack_ui import state_for


def signature(secret: str, timestamp: str, body: bytes) -> str:
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def event_envelope(event: dict[str, Any], *, event_id: str) -> dict[str, Any]:
    """An Events API ``event_callback`` as Slack sends it (over HTTP, or as a Socket Mode payload)."""
    return {
        "token": "verification-token",
        "team_id": TEAM_ID,
        "api_app_id": "A1",
        "event": event,
        "type": "event_callback",
        "event_id": event_id,
        "event_time": int(time.time()),
        "authorizations": [{"team_id": TEAM_ID, "user_id": "UBOT", "is_bot": True}],
    }


def reaction_event(message: dict[str, Any], *, user: str = "U300", reaction: str = "ticket") -> dict[str, Any]:
    """``reaction_added`` of ``user`` on ``message``."""
    return {
        "type": "reaction_added",
        "user": user,
        "reaction": reaction,
        "item_user": message.get("user"),
        "item": {"type": "message", "channel": message["channel"], "ts": message["ts"]},
        "event_ts": str(time.time()),
    }


@dataclass
class SlackSender:
    url: str
    signing_secret: str
    http: httpx.Client

    def send(
        self,
        body: bytes,
        content_type: str,
        *,
        timestamp: float | None = None,
        secret: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        ts = str(int(timestamp if timestamp is not None else time.time()))
        signed = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": signature(secret or self.signing_secret, ts, body),
            **(headers or {}),
        }
        return self.http.post(self.url + "/slack/events", content=body, headers=signed)

    def form(self, fields: dict[str, str], **kwargs: Any) -> httpx.Response:
        return self.send(urlencode(fields).encode(), "application/x-www-form-urlencoded", **kwargs)

    def interaction(self, payload: dict[str, Any], **kwargs: Any) -> httpx.Response:
        return self.form({"payload": json.dumps(payload)}, **kwargs)

    def slash_command(
        self,
        text: str,
        *,
        user: str = "U100",
        channel: str = "C100",
        trigger_id: str | None = None,
        response_url: str = "https://hooks.slack.invalid/commands/1",
    ) -> tuple[httpx.Response, str]:
        trigger_id = trigger_id or mint_trigger_id()
        response = self.form(
            {
                "token": "verification-token",
                "team_id": TEAM_ID,
                "team_domain": "test",
                "channel_id": channel,
                "channel_name": "general",
                "user_id": user,
                "user_name": "person",
                "command": "/ticket",
                "text": text,
                "api_app_id": "A1",
                "response_url": response_url,
                "trigger_id": trigger_id,
            }
        )
        return response, trigger_id

    def submit(self, view: dict[str, Any], answers: dict[str, Any], *, user: str = "U100") -> httpx.Response:
        submitted = {**view, "state": {"values": state_for(view, answers)}}
        return self.interaction(
            {
                "type": "view_submission",
                "team": {"id": TEAM_ID, "domain": "test"},
                "user": {"id": user, "team_id": TEAM_ID, "name": "person"},
                "api_app_id": "A1",
                "trigger_id": mint_trigger_id(),
                "view": submitted,
            }
        )

    def block_action(
        self,
        action: dict[str, Any],
        *,
        view: dict[str, Any] | None = None,
        answers: dict[str, Any] | None = None,
        user: str = "U100",
        trigger_id: str | None = None,
        response_url: str | None = None,
    ) -> httpx.Response:
        """A click; on a message (no ``view``) Slack adds the message's ``response_url``."""
        payload: dict[str, Any] = {
            "type": "block_actions",
            "team": {"id": TEAM_ID, "domain": "test"},
            "user": {"id": user, "team_id": TEAM_ID, "name": "person"},
            "api_app_id": "A1",
            "trigger_id": trigger_id or mint_trigger_id(),
            "actions": [{"action_ts": str(time.time()), **action}],
        }
        if view is not None:
            payload["container"] = {"type": "view", "view_id": view["id"]}
            payload["view"] = {**view, "state": {"values": state_for(view, answers or {})}}
        else:
            payload["container"] = {"type": "message", "channel_id": "DU100", "message_ts": "1.1"}
            payload["channel"] = {"id": "DU100"}
            if response_url:
                payload["response_url"] = response_url
        return self.interaction(payload)

    def event(self, event: dict[str, Any], *, event_id: str, retry_num: int | None = None) -> httpx.Response:
        envelope = event_envelope(event, event_id=event_id)
        headers = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": "http_timeout"} if retry_num else None
        return self.send(json.dumps(envelope).encode(), "application/json", headers=headers)

    def reaction(
        self, message: dict[str, Any], *, user: str = "U300", reaction: str = "ticket", event_id: str = "Ev1", **kw: Any
    ) -> httpx.Response:
        return self.event(reaction_event(message, user=user, reaction=reaction), event_id=event_id, **kw)

    def message_shortcut(self, message: dict[str, Any], *, user: str = "U300") -> httpx.Response:
        return self.interaction(
            {
                "type": "message_action",
                "callback_id": "create_ticket_from_message",
                "team": {"id": TEAM_ID, "domain": "test"},
                "user": {"id": user, "team_id": TEAM_ID, "name": "reporter"},
                "channel": {"id": message["channel"], "name": "help"},
                "message": {k: v for k, v in message.items() if k != "channel"},
                "message_ts": message["ts"],
                "trigger_id": mint_trigger_id(),
                "response_url": "https://hooks.slack.invalid/actions/1",
            }
        )

    def global_shortcut(self, *, user: str = "U100", trigger_id: str | None = None) -> httpx.Response:
        return self.interaction(
            {
                "type": "shortcut",
                "callback_id": "create_ticket",
                "team": {"id": TEAM_ID, "domain": "test"},
                "user": {"id": user, "team_id": TEAM_ID, "name": "person"},
                "trigger_id": trigger_id or mint_trigger_id(),
            }
        )

    def block_suggestion(self, view: dict[str, Any], block_id: str, query: str) -> httpx.Response:
        return self.interaction(
            {
                "type": "block_suggestion",
                "team": {"id": TEAM_ID, "domain": "test"},
                "user": {"id": "U100", "team_id": TEAM_ID},
                "api_app_id": "A1",
                "block_id": block_id,
                "action_id": "value",
                "value": query,
                "view": view,
            }
        )
