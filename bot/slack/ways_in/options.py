"""Options for selects with more than Slack's 100 static options, filtered by what is typed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

from bot.slack.plumbing.metadata import ModalContext
from bot.slack.views import limits
from bot.slack.views.form import VALUE_ACTION, field_block_id, slack_option
from bot.tickets.catalog import FormCatalog


@dataclass(frozen=True)
class OptionsDeps:
    """What options of long selects needs, and nothing else."""

    catalog: FormCatalog


def register(app: AsyncApp, deps: OptionsDeps) -> None:
    @app.options(VALUE_ACTION)
    async def suggest_options(ack: AsyncAck, body: dict[str, Any]) -> None:
        context = ModalContext.load((body.get("view") or {}).get("private_metadata"))
        form = deps.catalog.cached(context.form_id) if context else None
        block_id = body.get("block_id")
        form_field = next((f for f in form.fields if field_block_id(f) == block_id), None) if form else None
        if form_field is None:
            await ack(options=[])
            return
        query = str(body.get("value") or "").strip().casefold()
        matching = [o for o in form_field.options if query in o.label.casefold()][: limits.SELECT_OPTIONS]
        await ack(options=[slack_option(o).to_dict() for o in matching])
