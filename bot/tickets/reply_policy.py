"""Which thread replies are sent to the helpdesk: per form, with a default."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

ReplySync = Literal["off", "requester", "everyone"]


@dataclass(frozen=True)
class ReplyPolicy:
    default: ReplySync = "requester"
    per_form: Mapping[str, ReplySync] = field(default_factory=dict)

    def syncs(self, *, form_id: str, author_id: str, requester_id: str) -> bool:
        policy = self.per_form.get(form_id, self.default)
        if policy == "everyone":
            return True
        return policy == "requester" and author_id == requester_id
