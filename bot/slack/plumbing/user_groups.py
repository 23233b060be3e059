"""Teams named in the forms file (``agents:``: member IDs and user group IDs ``S…``) as the Slack
member IDs in them, each group read with ``usergroups.users.list`` and kept for a while. A group
that cannot be read counts as empty: nobody is taken for its member."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable

from slack_sdk.web.async_client import AsyncWebClient

from bot.cache import StaleWhileRevalidateCache

log = logging.getLogger(__name__)


class UserGroups:
    def __init__(self, *, client: AsyncWebClient, ttl_seconds: float = 300.0) -> None:
        self._client = client
        self._ttl = ttl_seconds
        self._groups = StaleWhileRevalidateCache[str, frozenset[str]](self._read, ttl_seconds=ttl_seconds / 2)

    async def members(self, ids: Iterable[str]) -> frozenset[str]:
        """The member IDs of a team: its members, and its groups' members."""
        wanted = list(ids)
        groups = [i for i in wanted if i.startswith("S")]
        found = await asyncio.gather(*(self._group(g) for g in groups))
        return frozenset(i for i in wanted if not i.startswith("S")).union(*found)

    async def _group(self, group_id: str) -> frozenset[str]:
        try:
            return await self._groups.get(group_id, max_age=self._ttl)
        except Exception as exc:
            log.warning("could not read the members of user group %s: %s", group_id, type(exc).__name__)
            return frozenset()

    async def _read(self, group_id: str) -> frozenset[str]:
        response = await self._client.usergroups_users_list(usergroup=group_id)
        users = response.get("users")
        return frozenset(u for u in users if isinstance(u, str)) if isinstance(users, list) else frozenset()
