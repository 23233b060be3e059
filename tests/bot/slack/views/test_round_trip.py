"""Properties of the form core, stated for any form: a draft shown in the modal and sent back
unchanged by Slack reads back as the same draft; and whatever Slack sends, a required field is
either read or reported, never silently lost."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.forms import Draft, FieldKind, FieldValue, Form, FormField, Option
from bot.slack.views.form import build_form_view, field_block_id
from bot.slack.views.state import parse_state, validate
from bot.testing.slack_ui import state_for

words = st.text(
    st.characters(codec="utf-8", exclude_categories=["Cs", "Cc", "Zs", "Zl", "Zp"]), min_size=1, max_size=40
)
member_ids = st.from_regex(r"U[A-Z0-9]{8}", fullmatch=True)


@st.composite
def fields(draw: st.DrawFn, field_id: str) -> FormField:
    kind = draw(st.sampled_from([k for k in FieldKind if k is not FieldKind.NOTE]))
    options: tuple[Option, ...] = ()
    if kind is FieldKind.SELECT or (kind is FieldKind.CHECKBOX and draw(st.booleans())):
        values = draw(st.lists(words, min_size=1, max_size=12, unique=True))
        options = tuple(Option(label=v, value=v) for v in values)
    bounds = draw(st.tuples(st.integers(-1000, 0), st.integers(0, 1000))) if kind is FieldKind.NUMBER else None
    return FormField(
        id=field_id,
        label=draw(words),
        kind=kind,
        required=draw(st.booleans()),
        multiple=kind in (FieldKind.SELECT, FieldKind.USER) and draw(st.booleans()),
        options=options,
        min_value=float(bounds[0]) if bounds else None,
        max_value=float(bounds[1]) if bounds else None,
    )


@st.composite
def answers(draw: st.DrawFn, form_field: FormField) -> FieldValue:
    """A valid answer a person could give (values in the form's order, as Slack returns them)."""
    kind = form_field.kind
    if kind in (FieldKind.TEXT, FieldKind.LONG_TEXT):
        return draw(words)
    if kind is FieldKind.NUMBER:
        low, high = form_field.min_value or 0.0, form_field.max_value or 0.0
        return float(draw(st.integers(int(low), int(high))))
    if kind is FieldKind.DATE:
        return draw(st.dates(dt.date(2000, 1, 1), dt.date(2100, 1, 1))).isoformat()
    if kind is FieldKind.USER:
        if form_field.multiple:
            return draw(st.lists(member_ids, min_size=1, max_size=4, unique=True))
        return draw(member_ids)
    if kind is FieldKind.CHECKBOX and not form_field.options:
        return True
    values = [o.value for o in form_field.options]
    if form_field.multiple or kind is FieldKind.CHECKBOX:
        chosen = draw(st.lists(st.sampled_from(values), min_size=1, unique=True))
        return [v for v in values if v in chosen]
    return draw(st.sampled_from(values))


@st.composite
def forms_and_drafts(draw: st.DrawFn) -> tuple[Form, Draft]:
    count = draw(st.integers(0, 8))
    form = Form(id="wa_form", name="Form", fields=tuple(draw(fields(f"f{i}")) for i in range(count)))
    values: dict[str, FieldValue] = {}
    for form_field in form.fields:
        if draw(st.booleans()):
            values[form_field.id] = draw(answers(form_field))
    draft = Draft(form_id=form.id, title=draw(words), description=draw(words | st.just("")), values=values)
    return form, draft


@settings(max_examples=200, deadline=None)
@given(forms_and_drafts())
def test_a_draft_shown_and_sent_back_unchanged_reads_back_the_same(form_and_draft: tuple[Form, Draft]) -> None:
    form, draft = form_and_draft
    view = build_form_view(form=form, draft=draft, choices=[], private_metadata="{}").to_dict()
    read = parse_state(form, state_for(view, {}))
    assert read == draft


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(forms_and_drafts(), st.dictionaries(st.text(max_size=12), json_values, max_size=6), st.data())
def test_a_required_field_is_either_read_or_reported(
    form_and_draft: tuple[Form, Draft], noise: dict[str, Any], data: st.DataObject
) -> None:
    form, _ = form_and_draft
    # Slack's state for some blocks mangled or missing, plus blocks nobody asked for.
    blocks = {field_block_id(f): data.draw(json_values) for f in form.fields if data.draw(st.booleans())}
    draft = parse_state(form, {**noise, **blocks})
    problems = validate(form, draft)
    for form_field in form.fields:
        if form_field.required:
            assert form_field.id in draft.values or field_block_id(form_field) in problems
