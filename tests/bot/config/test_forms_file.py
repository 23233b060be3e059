from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.config.forms_file import FormsFileError, load_forms_file, parse_forms_file
from bot.config.routing import Routing
from bot.domain.forms import FieldKind

ROOT = Path(__file__).resolve().parents[3]


def test_the_shipped_example_is_valid() -> None:
    forms_file = load_forms_file(ROOT / "forms.example.yml")
    first = forms_file.forms[0].to_form()
    assert [f.kind for f in first.fields] == [FieldKind.SELECT, FieldKind.TEXT, FieldKind.NUMBER]
    assert first.fields[0].required and first.fields[0].default == "Low"
    routing = Routing.build([f.form_id for f in forms_file.forms], forms_file)
    assert routing.form_for("C0HRHRHR1") == forms_file.forms[1].form_id
    assert routing.form_for("C_ELSEWHERE") == forms_file.forms[0].form_id
    assert routing.auto_create_channels == {"C0ITHELP1"}
    assert routing.form_for("C0ITHELP1") == forms_file.forms[0].form_id
    assert routing.auto_create.skip_prefix == "!" and routing.auto_create.grace_seconds == 0


def test_auto_create_rules_are_read_and_checked() -> None:
    text = (
        "forms: [{form_id: a, name: A}]\n"
        "routing: {channels: {C0HELP0001: {form: a, auto_create: true}, C0OTHER01: a},\n"
        "  auto_create: {grace_seconds: 30, no_ticket_reaction: ':x:', greetings: [gm]}}\n"
    )
    routing = Routing.build(["a"], parse_forms_file(text))
    assert routing.auto_create_channels == {"C0HELP0001"}
    assert routing.channel_forms == {"C0HELP0001": "a", "C0OTHER01": "a"}
    rules = routing.auto_create
    assert (rules.grace_seconds, rules.no_ticket_reaction, rules.greetings) == (30, "x", frozenset({"gm"}))
    with pytest.raises(FormsFileError, match="grace_seconds"):
        parse_forms_file("forms: [{form_id: a, name: A}]\nrouting: {auto_create: {grace_seconds: -1}}")
    with pytest.raises(FormsFileError, match="'b' is not declared"):
        parse_forms_file("forms: [{form_id: a, name: A}]\nrouting: {channels: {C0HELP0001: {form: b}}}")


FIELD = "{field_id: f1, label: F, type: text}"
BAD_FILES = [
    (
        "forms: [{form_id: a, name: A, fields: [" + FIELD + ", {field_id: f2, label: G, type: dropdwn}]}]",
        "forms[0].fields[1].type: 'dropdwn' is not one of 'text', 'long_text'",
    ),
    ("forms: [{form_id: a, name: A, fields: [{field_id: f, label: F, type: select}]}]", "needs options"),
    ("forms: [{form_id: a, name: A, fields: [" + FIELD + ", " + FIELD + "]}]", "'f1' is declared twice"),
    ("forms: [{form_id: a, name: A, channels: [general]}]", "forms[0].channels: 'general' is not a Slack channel ID"),
    ("forms: [{form_id: a, name: A}]\nrouting: {default: b}", "routing.default: form 'b' is not declared"),
    ("forms: [{form_id: a, name: A}]\nrouting: {channels: {C0123456: b}}", "routing.channels.C0123456: form 'b'"),
    ("forms: [{form_id: a, name: A}]\nrouting: {channels: {random: a}}", "'random' is not a Slack channel ID"),
    ("forms: [{form_id: a, name: A}, {form_id: a, name: B}]", "two forms have the same form_id"),
    ("forms: [{form_id: a, name: A, colour: red}]", "forms[0].colour: unknown key 'colour'"),
    ("forms: []", "forms: "),
    ("", "missing key 'forms'"),
    ("forms: [{form_id: a", "not valid YAML"),
    ("forms: [{form_id: a, name: A, fields: [{field_id: f, label: F, type: selct}]}]", "did you mean 'select'?"),
    ("forms: [{form_id: a, nmae: A}]", "forms[0].nmae: unknown key 'nmae'; did you mean 'name'?"),
    (
        "forms: [{form_id: a, name: A, fields: [{field_id: f, label: F, type: select, options: [Low], default: Lo}]}]",
        "forms[0].fields[0]: default 'Lo' is not one of the options ['Low']; did you mean 'Low'?",
    ),
    (
        "forms: [{form_id: a, name: A, fields: [{field_id: f, label: F, type: multi_select, options: [A, B], "
        "default: [A, C]}]}]",
        "default 'C' is not one of the options",
    ),
    ("forms: [{form_id: a, name: A, fields: [{field_id: f, label: F, type: number, min: 9, max: 2}]}]", "min 9"),
    ("forms: [{form_id: a, name: A, fields: [{field_id: f, label: F, type: number, max: 2, default: 3}]}]", "outside"),
    ("forms: [{form_id: a, name: A, fields: [{field_id: f, label: F, type: text, min: 1}]}]", "takes no min or max"),
]

WHERE = [
    # (file, line:column of the problem)
    (
        "forms:\n  - form_id: a\n    name: A\n    fields:\n      - field_id: f2\n        label: G\n"
        "        type: dropdwn\n",
        "forms.yml:7:15: forms[0].fields[0].type: 'dropdwn' is not one of",
    ),
    ("forms:\n  - form_id: a\n    name: A\n    colour: red\n", "forms.yml:4:5: forms[0].colour: unknown key"),
    ("forms:\n  - form_id: a\n    fields: []\n", "forms.yml:2:5: forms[0]: missing key 'name'"),
    ("forms:\n  - {form_id: a\n", "forms.yml:3:1: not valid YAML"),
]


@pytest.mark.parametrize(("text", "expected"), WHERE)
def test_problems_name_their_line_and_column(text: str, expected: str) -> None:
    with pytest.raises(FormsFileError) as refused:
        parse_forms_file(text, source="forms.yml")
    assert str(refused.value).startswith(expected)


def test_a_misspelt_key_is_one_problem_not_also_a_missing_one() -> None:
    with pytest.raises(FormsFileError) as refused:
        parse_forms_file("forms: [{form_id: a, name: A, fields: [{feild_id: f, label: F, type: text}]}]")
    message = str(refused.value)
    assert "unknown key 'feild_id'; did you mean 'field_id'?" in message
    assert "more problem" not in message


@pytest.mark.parametrize(("text", "message"), BAD_FILES)
def test_bad_files_are_refused_with_the_key_path(text: str, message: str) -> None:
    with pytest.raises(FormsFileError) as refused:
        parse_forms_file(text, source="forms.yml")
    assert re.match(r"forms\.yml(:\d+:\d+)?: ", str(refused.value))
    assert message in str(refused.value)
    assert "\n" not in str(refused.value)


def test_a_missing_file_names_itself(tmp_path: Path) -> None:
    with pytest.raises(FormsFileError, match=r"nope\.yml: cannot be read"):
        load_forms_file(tmp_path / "nope.yml")


def test_a_routes_own_agents_are_read_and_must_be_member_or_user_group_ids() -> None:
    text = "forms: [{form_id: a, name: A}]\nrouting: {channels: {C0HR0001: {form: a, agents: [U0HR1, S0HRTEAM]}}}"
    routing = Routing.build(["a"], parse_forms_file(text))
    assert routing.agents_for("C0HR0001") == frozenset({"U0HR1", "S0HRTEAM"})
    assert routing.agents_for("C0OTHER1") is None  # the helpdesk's agents, as everywhere
    with pytest.raises(FormsFileError, match="agents"):
        parse_forms_file("forms: [{form_id: a, name: A}]\nrouting: {channels: {C0HR: {form: a, agents: [hr-team]}}}")
