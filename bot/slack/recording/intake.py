"""Which of Slack's requests are recorded before they are acknowledged (``bot.slack.recording.inbox``):
those whose listener may write to the helpdesk or post in Slack. Everything else (ignored
reactions, bots, other channels, replies in threads without a ticket, commands and shortcuts,
which only open a modal the person sees open or not) is acknowledged without a commit.

Every request recorded here reaches a listener wrapped in ``settling``: a recorded request that no
such listener settles would be replayed for nothing."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from bot.config.routing import Routing
from bot.slack.plumbing.messages import text_with_files
from bot.slack.thread.thread_sync import thread_reply
from bot.slack.thread.ticket_actions import STATUS_OF_ACTION
from bot.slack.views.triage_message import TRIAGE_ASSIGN, TRIAGE_STATUS
from bot.slack.ways_in.channel_messages import changed_message, new_request_message, posted_within
from bot.tickets.ports import TicketThreads

RECORDED_ACTIONS = frozenset({*STATUS_OF_ACTION, TRIAGE_ASSIGN, TRIAGE_STATUS})
"""Clicks that write to the helpdesk (Close, Reopen, Not a ticket, Assign to me, a triage status)."""


def recorded_action(payload: Mapping[str, Any]) -> bool:
    actions = payload.get("actions") if payload.get("type") == "block_actions" else None
    return isinstance(actions, list) and any(
        isinstance(a, dict) and a.get("action_id") in RECORDED_ACTIONS for a in actions
    )


@dataclass(frozen=True)
class Intake:
    routing: Routing
    ticket_emoji: tuple[str, ...]
    tickets: TicketThreads
    clock: Callable[[], float] = time.time

    async def worth_recording(self, body: Mapping[str, Any]) -> bool:
        """``body``: an event envelope or an interaction payload, parsed."""
        event = body.get("event") if body.get("type") == "event_callback" else None
        if not isinstance(event, dict):
            return recorded_action(body)
        if event.get("type") == "reaction_added":
            return self._reaction_files_or_withdraws(event)
        if event.get("type") != "message":
            return False
        channel = event.get("channel")
        if channel in self.routing.auto_create_channels:
            if new_request_message(event) is not None:
                return self.routing.auto_create.skip_reason(text_with_files(event)) is None
            changed = changed_message(event)
            if changed is not None:  # an edit or a deletion changes what is filed only while it is held
                return posted_within(changed[0], self.routing.auto_create.hold_seconds, now=self.clock())
        reply = thread_reply(event)
        if reply is None:
            return False
        return await self.tickets.is_ticket_thread(*reply)

    def _reaction_files_or_withdraws(self, event: Mapping[str, Any]) -> bool:
        item = event.get("item")
        if not isinstance(item, dict) or item.get("type") != "message" or not isinstance(item.get("channel"), str):
            return False
        reaction, channel = event.get("reaction"), item["channel"]
        if reaction in self.ticket_emoji:
            return self.routing.covers(channel)
        return reaction == self.routing.auto_create.no_ticket_reaction and channel in self.routing.auto_create_channels
