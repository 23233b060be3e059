from __future__ import annotations

from typing import Any

import pytest

from bot.domain.forms import Draft, FieldKind, FieldValue, Form, FormField, Option
from bot.slack.views.form import build_form_view, field_block_id, option_value
from bot.slack.views.state import parse_state, validate
from bot.testing.slack_ui import state_for

OPTIONS = (Option("Red", "red"), Option("Blue", "blue"), Option("Long", "z" * 300))
FIELDS = {
    "text": FormField("text", "Text", FieldKind.TEXT),
    "long": FormField("long", "Long", FieldKind.LONG_TEXT),
    "number": FormField("number", "Number", FieldKind.NUMBER, min_value=0, max_value=10),
    "integer": FormField("integer", "Integer", FieldKind.NUMBER, integer=True),
    "select": FormField("select", "Select", FieldKind.SELECT, options=OPTIONS),
    "multi": FormField("multi", "Multi", FieldKind.SELECT, multiple=True, options=OPTIONS),
    "big": FormField("big", "Big", FieldKind.SELECT, options=tuple(Option(f"o{i}", f"o{i}") for i in range(120))),
    "user": FormField("user", "User", FieldKind.USER),
    "users": FormField("users", "Users", FieldKind.USER, multiple=True),
    "date": FormField("date", "Date", FieldKind.DATE),
    "agree": FormField("agree", "Agree", FieldKind.CHECKBOX),
    "ticks": FormField("ticks", "Ticks", FieldKind.CHECKBOX, options=OPTIONS),
    "note": FormField("note", "File", FieldKind.NOTE),
}
FORM = Form(id="wa_1", name="Form", fields=tuple(FIELDS.values()))


def submitted(answers: dict[str, Any], *, title: str = "A title") -> Draft:
    """Fill the real view as Slack's client would, then parse its state."""
    view = build_form_view(form=FORM, draft=Draft(), choices=[], private_metadata="{}").to_dict()
    keyed = {field_block_id(FIELDS[k]): v for k, v in answers.items()}
    keyed["ticket_title"] = title
    return parse_state(FORM, state_for(view, keyed))


PARSE_TABLE: list[tuple[str, Any, FieldValue]] = [
    ("text", "hello", "hello"),
    ("text", "  padded  ", "padded"),
    ("long", "line 1\nline 2", "line 1\nline 2"),
    ("number", "4.5", 4.5),
    ("number", "not a number", "not a number"),
    ("select", "blue", "blue"),
    ("select", option_value(OPTIONS[2]), "z" * 300),
    ("multi", ["red", option_value(OPTIONS[2])], ["red", "z" * 300]),
    ("big", "o110", "o110"),
    ("user", "U7", "U7"),
    ("users", ["U7", "U8"], ["U7", "U8"]),
    ("date", "2026-11-24", "2026-11-24"),
    ("agree", ["true"], True),
    ("ticks", ["blue"], ["blue"]),
]


@pytest.mark.parametrize(("key", "answer", "expected"), PARSE_TABLE)
def test_state_parses_to_values(key: str, answer: Any, expected: FieldValue) -> None:
    assert submitted({key: answer}).values[key] == expected


def test_unanswered_fields_are_absent() -> None:
    draft = submitted({})
    assert draft.values == {}
    assert draft.title == "A title"


MALFORMED_STATES: list[Any] = [
    None,
    [],
    "values",
    {"ticket_title": None},
    {"ticket_title": {"value": {"value": 3}}},
    {field_block_id(FIELDS["multi"]): {"value": {"selected_options": "red"}}},
    {field_block_id(FIELDS["select"]): {"value": {"selected_option": ["red"]}}},
    {field_block_id(FIELDS["users"]): {"value": {"selected_users": [1, None]}}},
]


@pytest.mark.parametrize("state", MALFORMED_STATES)
def test_malformed_state_reads_as_nothing_entered(state: Any) -> None:
    assert parse_state(FORM, state).values == {}


VALIDATION_TABLE: list[tuple[FormField, FieldValue, str | None]] = [
    (FormField("r", "Req", FieldKind.TEXT, required=True), None, "This field is required."),
    (FormField("r", "Req", FieldKind.SELECT, required=True, multiple=True, options=OPTIONS), [], "required"),
    (FormField("r", "Req", FieldKind.TEXT, required=True), "x", None),
    (FormField("o", "Opt", FieldKind.TEXT), None, None),
    (FIELDS["number"], "abc", "Enter a number."),
    (FIELDS["number"], -1.0, "at least 0"),
    (FIELDS["number"], 11.0, "at most 10"),
    (FIELDS["number"], 10.0, None),
    (FIELDS["integer"], 2.5, "whole number"),
    (FIELDS["select"], "green", "listed options"),
    (FIELDS["date"], "24/11/2026", "Pick a date."),
    (FormField("n", "Note", FieldKind.NOTE, required=True), None, None),
]


@pytest.mark.parametrize(("form_field", "value", "error"), VALIDATION_TABLE)
def test_field_validation(form_field: FormField, value: FieldValue, error: str | None) -> None:
    form = Form(id="f", name="f", fields=(form_field,))
    errors = validate(form, Draft(title="ok", values={} if value is None else {form_field.id: value}))
    if error is None:
        assert errors == {}
    else:
        assert error in errors[field_block_id(form_field)]


@pytest.mark.parametrize(("title", "error"), [("", "Give the ticket a title."), ("t" * 151, "under 150"), ("ok", None)])
def test_title_validation(title: str, error: str | None) -> None:
    errors = validate(Form(id="f", name="f"), Draft(title=title))
    assert errors.get("ticket_title", None) == error or (error and error in errors["ticket_title"])
