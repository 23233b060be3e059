"""Which form opens where: per-channel routes and a default."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from bot.config.forms_file import FormsFile
from bot.domain.auto_create import AutoCreateRules


@dataclass(frozen=True)
class Routing:
    form_ids: Sequence[str]
    """Every form offered in the picker, in order."""
    default_form_id: str
    channel_forms: Mapping[str, str] = field(default_factory=dict)
    auto_create_channels: frozenset[str] = frozenset()
    """Channels where every new top-level message from a person files a ticket."""
    auto_create: AutoCreateRules = field(default_factory=AutoCreateRules)
    triage_channels: Mapping[str, str] = field(default_factory=dict)
    """Per channel: where agents see its new tickets."""
    default_triage_channel: str | None = None
    route_agents: Mapping[str, frozenset[str]] = field(default_factory=dict)
    """Per channel with a team of its own: its agents (member and user group IDs)."""

    def agents_for(self, channel_id: str | None) -> frozenset[str] | None:
        """The channel's own agents, or ``None`` where the helpdesk's agents work."""
        return self.route_agents.get(channel_id or "")

    def triage_for(self, channel_id: str | None) -> str | None:
        """The triage channel for tickets filed in ``channel_id`` (``None``: no triage)."""
        return self.triage_channels.get(channel_id or "", self.default_triage_channel)

    def form_for(self, channel_id: str | None) -> str:
        return self.channel_forms.get(channel_id or "", self.default_form_id)

    def covers(self, channel_id: str) -> bool:
        """With no channel routes every channel uses the default; once routes name channels,
        only those are covered (reactions elsewhere are ignored)."""
        return not self.channel_forms or channel_id in self.channel_forms

    @classmethod
    def build(
        cls, form_ids: Sequence[str], forms_file: FormsFile | None, *, triage_channel: str | None = None
    ) -> Routing:
        if forms_file is None:
            return cls(form_ids=tuple(form_ids), default_form_id=form_ids[0], default_triage_channel=triage_channel)
        return cls(
            form_ids=tuple(form_ids),
            default_form_id=forms_file.routing.default or form_ids[0],
            channel_forms=forms_file.routing.channel_forms(),
            auto_create_channels=forms_file.routing.auto_create_channels(),
            auto_create=forms_file.routing.auto_create.to_rules(),
            triage_channels=forms_file.routing.triage_channels(),
            route_agents=forms_file.routing.route_agents(),
            default_triage_channel=triage_channel,
        )
