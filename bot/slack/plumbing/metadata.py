"""What the ticket modal carries between Slack round trips, in ``private_metadata``."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class ModalContext:
    form_id: str
    channel_id: str | None = None
    draft_id: str | None = None
    """The stored draft this modal was reopened from, discarded once the ticket is filed."""
    requester_id: str | None = None
    """Who the ticket is for when it is not the person filing it (a message's author)."""
    message_ts: str | None = None
    thread_ts: str | None = None

    def dump(self) -> str:
        return json.dumps({k: v for k, v in asdict(self).items() if v is not None}, separators=(",", ":"))

    @classmethod
    def load(cls, raw: Any) -> ModalContext | None:
        """``None`` for metadata this app did not write."""
        try:
            data = json.loads(raw) if isinstance(raw, str) else None
        except ValueError:
            return None
        if not isinstance(data, dict) or not isinstance(data.get("form_id"), str):
            return None
        texts = {k: v for k, v in data.items() if k in cls.__dataclass_fields__ and isinstance(v, str)}
        return cls(**texts)
