"""A Zendesk ticket form read into the neutral form: what the person filing sees, in order."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.backends.zendesk.forms import custom_field_value, parse_field, parse_form
from bot.domain.forms import FieldKind, FormField
from bot.testing.zendesk_data import FIELDS, FORM, SHOWN_FIELD_IDS


def test_the_form_shows_every_kind_and_nothing_the_person_never_sees() -> None:
    form = parse_form({"ticket_form": FORM}, FIELDS, form_id="360001")
    assert form.name == "IT help desk"
    assert [f.id for f in form.fields] == SHOWN_FIELD_IDS
    kinds = {f.id: (f.kind, f.multiple, f.integer, f.required) for f in form.fields}
    assert kinds == {
        "101": (FieldKind.TEXT, False, False, False),
        "102": (FieldKind.LONG_TEXT, False, False, False),
        "103": (FieldKind.NUMBER, False, True, True),
        "104": (FieldKind.NUMBER, False, False, False),
        "105": (FieldKind.SELECT, False, False, True),
        "106": (FieldKind.SELECT, True, False, False),
        "107": (FieldKind.CHECKBOX, False, False, False),
        "108": (FieldKind.DATE, False, False, False),
        "109": (FieldKind.TEXT, False, False, False),
    }
    category = form.field_by_id("105")
    assert category is not None and [(o.label, o.value) for o in category.options] == [
        ("Hardware", "hardware"),
        ("Software", "software"),
    ]
    assert form.field_by_id("101").label == "Asset tag (sticker)"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "field",
    [
        {"id": 1, "type": "text", "title": "x", "active": False},
        {"id": 2, "type": "text", "title": "x", "visible_in_portal": False},
        {"id": 3, "type": "text", "title": "x", "editable_in_portal": False},
        {"id": 4, "type": "priority", "title": "Priority"},
        {"id": 5, "type": "lookup", "title": "Org"},
        {"id": 6, "type": "subject", "title": "Subject"},
    ],
    ids=["inactive", "agent-only", "read-only", "system", "lookup", "subject"],
)
def test_fields_the_person_filing_never_sees_are_left_out(field: dict[str, Any]) -> None:
    assert parse_field(field) is None


def test_a_form_naming_fields_the_account_does_not_have_keeps_the_others() -> None:
    form = parse_form({"ticket_field_ids": [999, 101]}, FIELDS, form_id="7")
    assert [f.id for f in form.fields] == ["101"] and form.name == "Form 7"


@given(st.integers(min_value=-(2**53), max_value=2**53))
def test_a_whole_number_goes_to_zendesk_as_an_integer_and_keeps_its_value(n: int) -> None:
    floor = FormField(id="103", label="Floor", kind=FieldKind.NUMBER, integer=True)
    sent = custom_field_value(floor, float(n))
    assert isinstance(sent, int) and sent == n
    cost = FormField(id="104", label="Cost", kind=FieldKind.NUMBER)
    assert custom_field_value(cost, float(n) / 4) == float(n) / 4
