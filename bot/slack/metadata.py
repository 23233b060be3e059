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
        return cls(
            form_id=data["form_id"],
            channel_id=data.get("channel_id") if isinstance(data.get("channel_id"), str) else None,
            draft_id=data.get("draft_id") if isinstance(data.get("draft_id"), str) else None,
        )
