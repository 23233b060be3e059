from __future__ import annotations

from dataclasses import replace
from typing import Any

from bot.domain.forms import Draft, FieldKind, Form, FormField
from bot.slack.views.form import build_form_view
from bot.slack.ways_in.view_cache import FreshViewCache
from bot.testing.block_kit import view_problems

FORM = Form(id="wa_1", name="Printers", fields=(FormField("f", "Floor", FieldKind.NUMBER, required=True),))


def fresh(cache: FreshViewCache, form: Form, draft: Draft, metadata: str = '{"form_id":"wa_1"}') -> dict[str, Any]:
    def build(with_draft: Draft) -> Any:
        return build_form_view(form=form, draft=with_draft, choices=[], private_metadata=metadata)

    view = cache.view(form, draft, metadata, "key", build)
    return view if isinstance(view, dict) else view.to_dict()


def title_of(view: dict[str, Any]) -> str | None:
    block = next(b for b in view["blocks"] if b.get("block_id") == "ticket_title")
    return block["element"].get("initial_value")  # type: ignore[no-any-return]


def test_a_cached_view_equals_a_freshly_built_one_and_the_template_is_not_changed() -> None:
    cache = FreshViewCache()
    first = fresh(cache, FORM, Draft(title="printer jams"), '{"form_id":"wa_1","channel_id":"C1"}')
    second = fresh(cache, FORM, Draft(title=""), '{"form_id":"wa_1","channel_id":"C2"}')
    built = build_form_view(
        form=FORM,
        draft=Draft(title="printer jams"),
        choices=[],
        private_metadata='{"form_id":"wa_1","channel_id":"C1"}',
    ).to_dict()
    assert first == built and view_problems(first) == []
    assert title_of(first) == "printer jams" and title_of(second) is None
    assert second["private_metadata"].endswith('"C2"}')


def test_a_refreshed_form_is_never_served_from_the_old_template() -> None:
    cache = FreshViewCache()
    fresh(cache, FORM, Draft(title="x"))
    refreshed = replace(FORM, fields=(*FORM.fields, FormField("g", "Model", FieldKind.TEXT)))
    assert "field:g" in {b.get("block_id") for b in fresh(cache, refreshed, Draft(title="x"))["blocks"]}


def test_drafts_with_more_than_a_title_are_built_in_full() -> None:
    view = fresh(FreshViewCache(), FORM, Draft(title="x", values={"f": 3.0}))
    floor = next(b for b in view["blocks"] if b.get("block_id") == "field:f")
    assert floor["element"]["initial_value"] == "3"
