"""What people typed, kept until their ticket is filed, so a failure never loses it."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.domain.forms import Draft, DraftToKeep, StoredDraft, draft_from_content
from bot.storage.tables import drafts


class DraftStore:
    def __init__(self, *, engine: AsyncEngine) -> None:
        self._engine = engine

    async def save(
        self, draft: Draft, *, team_id: str, user_id: str, channel_id: str | None, context: str | None = None
    ) -> str:
        """``context``: the modal's private metadata, so a reopened form keeps where it came from."""
        keep = DraftToKeep(str(uuid.uuid4()), draft, team_id, user_id, channel_id, context)
        async with self._engine.begin() as connection:
            await connection.execute(drafts.insert().values(**draft_values(keep)))
        return keep.id

    async def load(self, draft_id: str, *, user_id: str) -> StoredDraft | None:
        """The draft, only for the person who wrote it."""
        query = select(drafts.c.content, drafts.c.channel_id).where(
            drafts.c.id == draft_id, drafts.c.user_id == user_id
        )
        async with self._engine.connect() as connection:
            row = (await connection.execute(query)).first()
        if row is None or not isinstance(row.content, dict):
            return None
        context = row.content.get("context")
        return StoredDraft(
            draft=draft_from_content(row.content),
            channel_id=row.channel_id,
            context=context if isinstance(context, str) else None,
        )

    async def discard(self, draft_id: str) -> None:
        async with self._engine.begin() as connection:
            await connection.execute(delete(drafts).where(drafts.c.id == draft_id))


def draft_values(keep: DraftToKeep) -> dict[str, Any]:
    """The row of a kept draft (``DraftStore.save``, and ``OutboxStore.add`` with its write)."""
    content = {**asdict(keep.draft), "context": keep.context}
    return {
        "id": keep.id,
        "team_id": keep.team_id,
        "user_id": keep.user_id,
        "channel_id": keep.channel_id,
        "content": content,
    }
