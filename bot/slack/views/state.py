"""Slack view state -> the person's draft, and the draft's validation errors keyed by block_id.

Pure and defensive: a malformed state never raises, it reads as "nothing entered".
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from bot.domain.forms import TITLE, Draft, FieldKind, FieldValue, Form, FormField, draft_problems
from bot.slack.views.form import (
    CHECKED,
    DESCRIPTION_BLOCK,
    PICKER_ACTION,
    PICKER_BLOCK,
    TITLE_BLOCK,
    VALUE_ACTION,
    field_block_id,
    is_multiple,
    option_value,
)


def parse_state(form: Form, state_values: Any) -> Draft:
    """Read title, description and every field of ``form`` from ``view.state.values``."""
    values = state_values if isinstance(state_values, Mapping) else {}
    answers: dict[str, FieldValue] = {}
    for form_field in form.fields:
        if form_field.kind is FieldKind.NOTE:
            continue
        value = field_value(form_field, _action(values, field_block_id(form_field), VALUE_ACTION))
        if value is not None:
            answers[form_field.id] = value
    return Draft(
        form_id=_selected_value(_action(values, PICKER_BLOCK, PICKER_ACTION)) or form.id,
        title=_text(_action(values, TITLE_BLOCK, VALUE_ACTION)),
        description=_text(_action(values, DESCRIPTION_BLOCK, VALUE_ACTION)),
        values=answers,
    )


def picked_form_id(state_values: Any) -> str | None:
    values = state_values if isinstance(state_values, Mapping) else {}
    return _selected_value(_action(values, PICKER_BLOCK, PICKER_ACTION))


def field_value(form_field: FormField, action: Mapping[str, Any]) -> FieldValue:
    kind = form_field.kind
    if kind is FieldKind.USER:
        if form_field.multiple:
            users = [u for u in _list(action.get("selected_users")) if isinstance(u, str)]
            return users or None
        user = action.get("selected_user")
        return user if isinstance(user, str) and user else None
    if kind is FieldKind.DATE:
        date = action.get("selected_date")
        return date if isinstance(date, str) and date else None
    if kind is FieldKind.CHECKBOX and not form_field.options:
        ticked = [o for o in _list(action.get("selected_options")) if _option_slack_value(o) == CHECKED]
        return True if ticked else None
    if kind in (FieldKind.SELECT, FieldKind.CHECKBOX):
        return _selected_options(form_field, action)
    text = _text(action)
    if not text:
        return None
    if kind is FieldKind.NUMBER:
        return _number(text)
    return text


def _selected_options(form_field: FormField, action: Mapping[str, Any]) -> FieldValue:
    by_slack_value = {option_value(o): o.value for o in form_field.options}
    if is_multiple(form_field):
        raw = [_option_slack_value(o) for o in _list(action.get("selected_options"))]
        chosen = [by_slack_value.get(v, v) for v in raw if v]
        return chosen or None
    single = _option_slack_value(action.get("selected_option"))
    return by_slack_value.get(single, single) if single else None


def validate(form: Form, draft: Draft) -> dict[str, str]:
    """The draft's problems (``draft_problems``), keyed by the block that shows each inline."""
    blocks = {form_field.id: field_block_id(form_field) for form_field in form.fields}
    return {
        TITLE_BLOCK if key == TITLE else blocks[key]: message for key, message in draft_problems(form, draft).items()
    }


def _number(text: str) -> FieldValue:
    try:
        number = float(text)
    except ValueError:
        return text
    return number if math.isfinite(number) else text


def _action(values: Mapping[str, Any], block_id: str, action_id: str) -> Mapping[str, Any]:
    block = values.get(block_id)
    action = block.get(action_id) if isinstance(block, Mapping) else None
    return action if isinstance(action, Mapping) else {}


def _text(action: Mapping[str, Any]) -> str:
    value = action.get("value")
    return value.strip() if isinstance(value, str) else ""


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _option_slack_value(option: Any) -> str | None:
    value = option.get("value") if isinstance(option, Mapping) else None
    return value if isinstance(value, str) and value else None


def _selected_value(action: Mapping[str, Any]) -> str | None:
    return _option_slack_value(action.get("selected_option"))
