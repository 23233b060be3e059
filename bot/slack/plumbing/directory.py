"""Slack members as ``Person``s (email and name from ``users.info``), cached. A member of another
workspace (Slack Connect: a stranger, or another team outside our Grid organisation) is a person
by Slack ID and name alone: their e-mail is never used, so they are never matched to a helpdesk
user, and never an agent, whatever e-mail their own workspace gave them."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.cache import StaleWhileRevalidateCache
from bot.domain.filing import Person
from bot.slack.plumbing.calls import slack_error
from bot.slack.plumbing.token_info import TokenInfo

log = logging.getLogger(__name__)


class SlackDirectory:
    def __init__(self, *, client: AsyncWebClient, token: TokenInfo, ttl_seconds: float = 3600.0) -> None:
        self._client = client
        self._token = token
        self._people = StaleWhileRevalidateCache[str, Person](self._lookup, ttl_seconds=ttl_seconds)

    async def person(self, user_id: str) -> Person:
        try:
            return await self._people.get(user_id)
        except SlackApiError as exc:
            log.warning("users.info %s failed: %s", user_id, slack_error(exc))
        except Exception as exc:  # a dropped connection to Slack: file with the Slack ID alone
            log.warning("users.info %s failed: %s", user_id, type(exc).__name__)
        return Person(slack_id=user_id)

    async def people(self, user_ids: Iterable[str]) -> dict[str, Person]:
        unique = list(dict.fromkeys(user_ids))
        found = await asyncio.gather(*(self.person(u) for u in unique))
        return dict(zip(unique, found, strict=True))

    async def _lookup(self, user_id: str) -> Person:
        response = await self._client.users_info(user=user_id)
        user = response.get("user") or {}
        profile = user.get("profile") or {}
        name = profile.get("real_name") or user.get("real_name") or user.get("name") or None
        if not await self._token.is_ours(user):
            return Person(slack_id=user_id, name=name)
        return Person(slack_id=user_id, email=profile.get("email") or None, name=name)
