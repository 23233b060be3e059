from __future__ import annotations

from pathlib import Path

import pytest

from bot.forms.model import FieldKind
from bot.forms_file import FormsFileError, load_forms_file, parse_forms_file
from bot.routing import Routing

ROOT = Path(__file__).resolve().parents[2]


def test_the_shipped_example_is_valid() -> None:
    forms_file = load_forms_file(ROOT / "forms.example.yml")
    first = forms_file.forms[0].to_form()
    assert [f.kind for f in first.fields] == [FieldKind.SELECT, FieldKind.TEXT, FieldKind.NUMBER]
    assert first.fields[0].required and first.fields[0].default == "Low"
    routing = Routing.build([f.form_id for f in forms_file.forms], forms_file)
    assert routing.form_for("C0HRHRHR1") == forms_file.forms[1].form_id
    assert routing.form_for("C_ELSEWHERE") == forms_file.forms[0].form_id


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
    ("forms: [{form_id: a, name: A, colour: red}]", "forms[0].colour: Extra inputs are not permitted"),
    ("forms: []", "forms: "),
    ("", "forms: Field required"),
    ("forms: [{form_id: a", "not valid YAML"),
]


@pytest.mark.parametrize(("text", "message"), BAD_FILES)
def test_bad_files_are_refused_with_the_key_path(text: str, message: str) -> None:
    with pytest.raises(FormsFileError) as refused:
        parse_forms_file(text, source="forms.yml")
    assert str(refused.value).startswith("forms.yml: ")
    assert message in str(refused.value)
    assert "\n" not in str(refused.value)


def test_a_missing_file_names_itself(tmp_path: Path) -> None:
    with pytest.raises(FormsFileError, match=r"nope\.yml: cannot be read"):
        load_forms_file(tmp_path / "nope.yml")
