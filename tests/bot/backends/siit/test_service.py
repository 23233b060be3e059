from __future__ import annotations

from typing import Any

import pytest

from bot.backends.siit.service import parse_service
from bot.domain.forms import FieldKind, Option


def one_field(item: Any) -> Any:
    form = parse_service({"result": {"name": "S", "custom_form_input_configuration": [item]}}, service_uid="wa_1")
    return form.fields[0] if form.fields else None


KIND_TABLE = [
    ("string", FieldKind.TEXT),
    ("text", FieldKind.LONG_TEXT),
    ("number", FieldKind.NUMBER),
    ("select_people", FieldKind.USER),
    ("datepicker", FieldKind.DATE),
    ("boolean", FieldKind.CHECKBOX),
    ("checkbox", FieldKind.CHECKBOX),
    ("attachment", FieldKind.NOTE),
    ("select_team", FieldKind.TEXT),
    ("something_new", FieldKind.TEXT),
    ("SELECT", FieldKind.TEXT),  # a select without options cannot be a select
]


@pytest.mark.parametrize(("kind", "expected"), KIND_TABLE)
def test_kinds(kind: str, expected: FieldKind) -> None:
    assert one_field({"uid": "ci_1", "label": "L", "kind": kind}).kind is expected


def test_select_with_options_in_every_seen_shape() -> None:
    item = {
        "uid": "ci_1",
        "label": "Model",
        "type": "select",
        "choices": ["HP", {"name": "Canon", "uid": "opt_c"}, {"label": "Epson", "value": "ep"}, {"bad": 1}, 7],
        "is_required": True,
        "is_multiple": "true",
    }
    parsed = one_field(item)
    assert parsed.kind is FieldKind.SELECT
    assert parsed.options == (Option("HP", "HP"), Option("Canon", "opt_c"), Option("Epson", "ep"), Option("7", "7"))
    assert parsed.required and parsed.multiple


def test_unknown_kind_with_options_becomes_a_select() -> None:
    assert one_field({"uid": "ci_1", "label": "App", "kind": "select_application", "options": ["Zoom"]}).kind is (
        FieldKind.SELECT
    )


@pytest.mark.parametrize(
    "item", [None, "text", 3, [], {"label": "no uid"}, {"uid": "", "label": ""}, {"uid": None, "kind": "string"}]
)
def test_items_that_cannot_be_understood_are_skipped(item: Any) -> None:
    assert one_field(item) is None


@pytest.mark.parametrize(
    "payload",
    [None, [], "x", {}, {"result": None}, {"result": {"custom_form_input_configuration": "nope"}}, {"result": []}],
)
def test_malformed_services_give_an_empty_form(payload: Any) -> None:
    form = parse_service(payload, service_uid="wa_9")
    assert (form.id, form.name, form.fields) == ("wa_9", "wa_9", ())


def test_unwrapped_service_and_flags_and_bounds() -> None:
    form = parse_service(
        {
            "uid": "wa_1",
            "title": "Laptops",
            "description": "New and broken laptops",
            "custom_form_input_configuration": [
                {"id": "ci_n", "name": "Count", "kind": "number", "mandatory": 1, "min_value": "1", "max": "nan"},
                {"uid": "ci_n", "label": "Duplicate", "kind": "string"},
            ],
        },
        service_uid="wa_1",
    )
    assert form.name == "Laptops" and form.description == "New and broken laptops"
    assert len(form.fields) == 1
    count = form.fields[0]
    assert (count.label, count.required, count.min_value, count.max_value) == ("Count", True, 1.0, None)
