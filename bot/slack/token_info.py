"""What ``auth.test`` says of the bot token, asked once and kept: the workspace's address (from
which message permalinks are made) and the scopes granted (``x-oauth-scopes``), so an optional
scope such as ``chat:write.customize`` is used only where the workspace granted it."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from slack_sdk.web.async_client import AsyncWebClient

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Answer:
    url: str | None
    scopes: frozenset[str]


class TokenInfo:
    def __init__(self, *, client: AsyncWebClient) -> None:
        self._client = client
        self._answer: _Answer | None = None
        self._asking = asyncio.Lock()  # one auth.test however many ask at once

    async def has_scope(self, scope: str) -> bool:
        """``False`` too while Slack cannot be asked (it is asked again next time)."""
        answer = await self._read()
        return answer is not None and scope in answer.scopes

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
            url = response.get("url")
            self._answer = _Answer(
                url=url if isinstance(url, str) and url.startswith("https://") else None,
                scopes=frozenset(s.strip() for s in listed.split(",") if s.strip()),
            )
        return self._answer
