"""Hypothesis against the pure parsers: whatever arrives, only our own validation errors escape."""

from __future__ import annotations

from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.backends.siit.service import parse_service
from bot.config.forms_file import FormsFileError, parse_forms_file
from bot.domain.forms import Draft
from bot.slack.views.form import build_form_view
from bot.slack.views.state import parse_state, validate
from tests.bot.slack.views.test_state import FORM

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=15), inner, max_size=5),
    max_leaves=30,
)
KEYS = ["uid", "id", "label", "name", "kind", "type", "required", "multiple", "options", "choices", "min", "max"]
config_items = st.dictionaries(st.sampled_from(KEYS), json_values, max_size=8)


@settings(max_examples=300, deadline=None)
@given(st.one_of(json_values, st.dictionaries(st.text(max_size=10), json_values)))
def test_view_state_parsing_never_raises(state: Any) -> None:
    draft = parse_state(FORM, state)
    validate(FORM, draft)


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        json_values,
        st.fixed_dictionaries(
            {"result": st.fixed_dictionaries({"custom_form_input_configuration": st.lists(config_items)})}
        ),
    )
)
def test_siit_service_parsing_never_raises_and_always_renders(payload: Any) -> None:
    form = parse_service(payload, service_uid="wa_fuzz")
    build_form_view(form=form, draft=Draft(), choices=[], private_metadata="{}").to_dict()


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=200), json_values.map(lambda v: yaml.safe_dump(v))))
def test_forms_file_parsing_raises_only_its_own_error(text: str) -> None:
    try:
        parse_forms_file(text)
    except FormsFileError as exc:
        assert "\n" not in str(exc)
