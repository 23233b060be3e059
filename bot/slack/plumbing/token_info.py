"""What ``auth.test`` says of the bot token, asked once and kept: the workspace's address (from
which message permalinks are made), the scopes granted (``x-oauth-scopes``), so an optional
scope such as ``chat:write.customize`` is used only where the workspace granted it, and whose
workspace (and Grid organisation) it is, so that people from others are told apart."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Answer:
    url: str | None
    scopes: frozenset[str]
    team_id: str | None = None
    enterprise_id: str | None = None


class TokenInfo:
    def __init__(self, *, client: AsyncWebClient) -> None:
        self._client = client
        self._answer: _Answer | None = None
        self._asking = asyncio.Lock()  # one auth.test however many ask at once

    async def has_scope(self, scope: str) -> bool:
        """``False`` too while Slack cannot be asked (it is asked again next time)."""
        answer = await self._read()
        return answer is not None and scope in answer.scopes

    async def is_ours(self, user: Mapping[str, Any]) -> bool:
        """Whether a ``users.info`` user belongs to the bot's own workspace (or, on Enterprise
        Grid, its organisation); a stranger (Slack Connect) never does. ``False`` while Slack
        cannot be asked: unknown people are not taken for ours."""
        if user.get("is_stranger"):
            return False
        answer = await self._read()
        if answer is None or answer.team_id is None:
            return False
        if user.get("team_id") == answer.team_id:
            return True
        enterprise = (user.get("enterprise_user") or {}).get("enterprise_id")
        return answer.enterprise_id is not None and enterprise == answer.enterprise_id

    async def workspace_url(self) -> str | None:
        """``https://team.slack.com/``, or ``None`` while unknown."""
        answer = await self._read()
        return answer.url if answer else None

    async def _read(self) -> _Answer | None:
        if self._answer is not None:
            return self._answer
        async with self._asking:
            if self._answer is not None:
                return self._answer
            try:
                response = await self._client.auth_test()
            except Exception as exc:  # optional features never fail what uses them
                log.info("auth.test failed: %s", type(exc).__name__)
                return None
            headers = {str(k).lower(): str(v) for k, v in (response.headers or {}).items()}
            listed = headers.get("x-oauth-scopes", "")
            url, team, enterprise = response.get("url"), response.get("team_id"), response.get("enterprise_id")
            self._answer = _Answer(
                url=url if isinstance(url, str) and url.startswith("https://") else None,
                scopes=frozenset(s.strip() for s in listed.split(",") if s.strip()),
                team_id=team if isinstance(team, str) and team else None,
                enterprise_id=enterprise if isinstance(enterprise, str) and enterprise else None,
            )
        return self._answer
