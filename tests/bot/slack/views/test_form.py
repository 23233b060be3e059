from __future__ import annotations

from typing import Any

import pytest

from bot.domain.forms import Draft, FieldKind, FieldValue, Form, FormChoice, FormField, Option
from bot.slack.views.form import build_form_view, field_block_id, option_value
from bot.testing.block_kit import view_problems

CHOICES = [FormChoice("wa_1", "Printers"), FormChoice("wa_2", "Access")]


def render(*fields: FormField, draft: Draft | None = None, choices: list[FormChoice] = CHOICES) -> dict[str, Any]:
    form = Form(id="wa_1", name="Printers", fields=fields)
    view = build_form_view(form=form, draft=draft or Draft(), choices=choices, private_metadata="{}").to_dict()
    assert view_problems(view) == []
    return view


def element_of(view: dict[str, Any], form_field: FormField) -> dict[str, Any]:
    block = next(b for b in view["blocks"] if b.get("block_id") == field_block_id(form_field))
    return block.get("element", block)


def options(count: int, prefix: str = "o") -> tuple[Option, ...]:
    return tuple(Option(label=f"{prefix}{i}", value=f"{prefix}{i}") for i in range(count))


KIND_TABLE: list[tuple[FormField, str]] = [
    (FormField("a", "Text", FieldKind.TEXT), "plain_text_input"),
    (FormField("b", "Long", FieldKind.LONG_TEXT), "plain_text_input"),
    (FormField("c", "Number", FieldKind.NUMBER, min_value=1, max_value=5), "number_input"),
    (FormField("d", "Select", FieldKind.SELECT, options=options(3)), "static_select"),
    (FormField("e", "Multi", FieldKind.SELECT, multiple=True, options=options(3)), "multi_static_select"),
    (FormField("f", "Big", FieldKind.SELECT, options=options(101)), "external_select"),
    (FormField("g", "Big multi", FieldKind.SELECT, multiple=True, options=options(250)), "multi_external_select"),
    (FormField("h", "Person", FieldKind.USER), "users_select"),
    (FormField("i", "People", FieldKind.USER, multiple=True), "multi_users_select"),
    (FormField("j", "When", FieldKind.DATE), "datepicker"),
    (FormField("k", "Agree", FieldKind.CHECKBOX), "checkboxes"),
    (FormField("l", "Tick some", FieldKind.CHECKBOX, options=options(10)), "checkboxes"),
    (FormField("m", "Tick many", FieldKind.CHECKBOX, options=options(11)), "multi_static_select"),
    (FormField("n", "File", FieldKind.NOTE), "context"),
]


@pytest.mark.parametrize(("form_field", "element_type"), KIND_TABLE, ids=[f.label for f, _ in KIND_TABLE])
def test_each_kind_maps_to_its_block_kit_element(form_field: FormField, element_type: str) -> None:
    assert element_of(render(form_field), form_field)["type"] == element_type


def test_long_text_is_multiline_and_required_fields_are_not_optional() -> None:
    long_text = FormField("b", "Long", FieldKind.LONG_TEXT, required=True)
    view = render(long_text)
    block = next(b for b in view["blocks"] if b.get("block_id") == field_block_id(long_text))
    assert block["element"]["multiline"] is True
    assert block["optional"] is False


def test_number_bounds_reach_slack() -> None:
    number = FormField("c", "Number", FieldKind.NUMBER, min_value=1, max_value=5, integer=True)
    element = element_of(render(number), number)
    assert (element["min_value"], element["max_value"], element["is_decimal_allowed"]) == ("1", "5", False)


INITIAL_TABLE: list[tuple[FormField, FieldValue, str, Any]] = [
    (FormField("a", "Text", FieldKind.TEXT), "hello", "initial_value", "hello"),
    (FormField("c", "Number", FieldKind.NUMBER), 3.0, "initial_value", "3"),
    (FormField("c2", "Decimal", FieldKind.NUMBER), 2.5, "initial_value", "2.5"),
    (FormField("h", "Person", FieldKind.USER), "U1", "initial_user", "U1"),
    (FormField("i", "People", FieldKind.USER, multiple=True), ["U1", "U2"], "initial_users", ["U1", "U2"]),
    (FormField("j", "When", FieldKind.DATE), "2026-01-31", "initial_date", "2026-01-31"),
]


@pytest.mark.parametrize(("form_field", "value", "key", "expected"), INITIAL_TABLE)
def test_draft_values_are_shown_again(form_field: FormField, value: FieldValue, key: str, expected: Any) -> None:
    view = render(form_field, draft=Draft(values={form_field.id: value}))
    assert element_of(view, form_field)[key] == expected


def test_selected_options_are_shown_again_for_static_and_external_selects() -> None:
    small = FormField("d", "Select", FieldKind.SELECT, options=options(3))
    big = FormField("g", "Big", FieldKind.SELECT, multiple=True, options=options(300))
    view = render(small, big, draft=Draft(values={"d": "o2", "g": ["o7", "o250"]}))
    assert element_of(view, small)["initial_option"]["value"] == "o2"
    assert [o["value"] for o in element_of(view, big)["initial_options"]] == ["o7", "o250"]


def test_title_and_description_come_from_the_draft() -> None:
    view = render(draft=Draft(title="Printer jams", description="Since Monday"))
    by_id = {b.get("block_id"): b for b in view["blocks"]}
    assert by_id["ticket_title"]["element"]["initial_value"] == "Printer jams"
    assert by_id["ticket_description"]["element"]["initial_value"] == "Since Monday"
    assert by_id["ticket_title"].get("optional", False) is False


def test_a_single_form_needs_no_picker() -> None:
    view = render(choices=[CHOICES[0]])
    assert "ticket_form_picker" not in {b.get("block_id") for b in view["blocks"]}
    picker = next(b for b in render()["blocks"] if b.get("block_id") == "ticket_form_picker")
    assert picker["dispatch_action"] is True
    assert picker["element"]["initial_option"]["value"] == "wa_1"


LIMIT_CASES: list[tuple[str, FormField, Draft]] = [
    ("label over 2000", FormField("a", "L" * 5000, FieldKind.TEXT), Draft()),
    ("hint over 2000", FormField("a", "x", FieldKind.TEXT, hint="h" * 3000), Draft()),
    ("option text over 75", FormField("d", "x", FieldKind.SELECT, options=(Option("t" * 200, "v"),)), Draft()),
    ("option value over 150", FormField("d", "x", FieldKind.SELECT, options=(Option("t", "v" * 400),)), Draft()),
    ("field id over 255", FormField("i" * 400, "x", FieldKind.TEXT), Draft()),
    ("title over max", FormField("a", "x", FieldKind.TEXT), Draft(title="t" * 500)),
    ("description over 3000", FormField("a", "x", FieldKind.TEXT), Draft(description="d" * 9000)),
    ("text value over 3000", FormField("a", "x", FieldKind.TEXT), Draft(values={"a": "v" * 9000})),
    ("empty label", FormField("a", "", FieldKind.TEXT), Draft()),
    ("select without options", FormField("d", "x", FieldKind.SELECT), Draft()),
]


@pytest.mark.parametrize(("case", "form_field", "draft"), LIMIT_CASES, ids=[c for c, _, _ in LIMIT_CASES])
def test_every_slack_limit_holds(case: str, form_field: FormField, draft: Draft) -> None:
    render(form_field, draft=draft)  # slack_sdk validates in to_dict(); the fake's checks run too


def test_long_option_values_travel_as_hashes_and_stay_distinct() -> None:
    first, second = Option("A", "x" * 200 + "1"), Option("B", "x" * 200 + "2")
    assert option_value(first) != option_value(second)
    assert len(option_value(first)) <= 150


def test_more_fields_than_blocks_are_cut_with_a_note() -> None:
    fields = [FormField(f"f{i}", f"Field {i}", FieldKind.TEXT) for i in range(150)]
    view = render(*fields)
    assert len(view["blocks"]) == 100
    assert "do not fit" in view["blocks"][-1]["elements"][0]["text"]


def test_a_long_picker_list_and_form_name_fit() -> None:
    choices = [FormChoice(f"wa_{i}", "Service " * 20) for i in range(150)]
    view = render(choices=choices)
    picker = next(b for b in view["blocks"] if b.get("block_id") == "ticket_form_picker")
    assert len(picker["element"]["options"]) == 100
