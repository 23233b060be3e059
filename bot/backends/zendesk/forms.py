"""A Zendesk ticket form and its ticket fields -> the neutral form model.

``GET /api/v2/ticket_forms/{id}`` names the form's fields (``ticket_field_ids``, in order);
``GET /api/v2/ticket_fields`` describes them. The subject and description are the modal's own title
and description; inactive fields and fields an end user cannot see or edit in the portal are never
shown; system fields (status, priority, type, group, assignee) and kinds with no Block Kit
counterpart (lookup, credit card) are left to the helpdesk. Field conditions are not applied: a
conditional field is shown, and required only when Zendesk requires it everywhere."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

from bot.domain.forms import FieldKind, FieldValue, Form, FormField, Option

KINDS: Mapping[str, FieldKind] = {
    "text": FieldKind.TEXT,
    "regexp": FieldKind.TEXT,
    "textarea": FieldKind.LONG_TEXT,
    "integer": FieldKind.NUMBER,
    "decimal": FieldKind.NUMBER,
    "tagger": FieldKind.SELECT,
    "multiselect": FieldKind.SELECT,
    "checkbox": FieldKind.CHECKBOX,
    "date": FieldKind.DATE,
}
"""Custom field types with a Block Kit counterpart."""


def parse_form(form: Any, fields: Iterable[Any], *, form_id: str) -> Form:
    """A ``ticket_form`` (wrapped in ``ticket_form`` or not) and the account's ticket fields."""
    body = form.get("ticket_form", form) if isinstance(form, Mapping) else {}
    if not isinstance(body, Mapping):
        body = {}
    by_id = {str(f.get("id")): f for f in fields if isinstance(f, Mapping)}
    ids = body.get("ticket_field_ids")
    parsed = [parse_field(by_id[str(i)]) for i in (ids if isinstance(ids, list) else []) if str(i) in by_id]
    name = body.get("display_name") or body.get("name")
    return Form(
        id=form_id,
        name=name if isinstance(name, str) and name.strip() else f"Form {form_id}",
        fields=tuple(f for f in parsed if f is not None),
    )


def parse_field(field: Mapping[str, Any]) -> FormField | None:
    """The field as the modal shows it, or ``None`` when the person filing never sees it."""
    kind = KINDS.get(str(field.get("type")))
    if kind is None or field.get("active") is False:
        return None
    if field.get("visible_in_portal") is False or field.get("editable_in_portal") is False:
        return None  # agent-only
    label = field.get("title_in_portal") or field.get("title")
    hint = field.get("description")
    return FormField(
        id=str(field.get("id")),
        label=label.strip() if isinstance(label, str) and label.strip() else f"Field {field.get('id')}",
        kind=kind,
        required=bool(field.get("required_in_portal")),
        multiple=field.get("type") == "multiselect",
        options=_options(field.get("custom_field_options")),
        hint=hint.strip()[:150] if isinstance(hint, str) and hint.strip() else None,
        integer=field.get("type") == "integer",
    )


def custom_field_value(form_field: FormField, value: FieldValue) -> Any:
    """A value of the neutral form as Zendesk's ``custom_fields`` takes it."""
    if form_field.kind is FieldKind.NUMBER and isinstance(value, float):
        return int(value) if form_field.integer and math.isfinite(value) else value
    return value


def _options(raw: Any) -> tuple[Option, ...]:
    options = []
    for item in raw if isinstance(raw, list) else []:
        if isinstance(item, Mapping) and isinstance(item.get("value"), str) and item["value"]:
            name = item.get("name")
            options.append(Option(label=name if isinstance(name, str) and name else item["value"], value=item["value"]))
    return tuple(options)
