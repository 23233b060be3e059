"""The fresh ticket modal, validated once per form and reused.

Checking a view against Slack's limits (``View.to_dict()``) costs about 1 ms of CPU, most of
a ``/ticket``'s work; under a burst of commands it is what delayed acks (see bench/). A fresh
modal differs from the last one only by its title and its private metadata, so the validated
dict is kept per form and only those two are set, each checked against its own limit."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from slack_sdk.models.views import View

from bot.domain.forms import TITLE_MAX_LENGTH, Draft, Form
from bot.slack.views import limits
from bot.slack.views.form import TITLE_BLOCK


class FreshViewCache:
    def __init__(self, *, size: int = 64) -> None:
        self._size = size
        self._views: OrderedDict[Hashable, tuple[Form, dict[str, Any]]] = OrderedDict()

    def view(
        self, form: Form, draft: Draft, private_metadata: str, key: Hashable, build: Callable[[Draft], View]
    ) -> dict[str, Any] | View:
        """The modal for ``draft``: from the cache when only its title is set, else built."""
        if draft.description or draft.values or len(private_metadata) > limits.PRIVATE_METADATA:
            return build(draft)
        cache_key = (form.id, key)
        cached = self._views.get(cache_key)
        if cached is not None and cached[0] is form:  # the same definition, not a refreshed one
            template = cached[1]
            self._views.move_to_end(cache_key)
        else:
            template = build(Draft(form_id=draft.form_id)).to_dict()
            self._views[cache_key] = (form, template)
            if len(self._views) > self._size:
                self._views.popitem(last=False)
        # Copy only what changes; the rest is shared with the template and never mutated.
        view = {**template, "private_metadata": private_metadata, "blocks": list(template["blocks"])}
        title = draft.title[:TITLE_MAX_LENGTH]
        for index, block in enumerate(view["blocks"]):
            if block.get("block_id") == TITLE_BLOCK:
                element = {k: v for k, v in block["element"].items() if k != "initial_value"}
                if title:
                    element["initial_value"] = title
                view["blocks"][index] = {**block, "element": element}
        return view
