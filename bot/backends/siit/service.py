"""A Siit service's JSON -> the neutral form model.

The shape of a ``custom_form_input_configuration`` item is not publicly documented, so every key
is read defensively from the names seen in the wild (see ``shared/api-notes.md``); an item that
cannot be understood is logged and skipped, an unknown kind degrades to a text input.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from typing import Any

from bot.domain.forms import FieldKind, Form, FormField, Option

log = logging.getLogger(__name__)

KINDS: Mapping[str, FieldKind] = {
    "string": FieldKind.TEXT,
    "short_text": FieldKind.TEXT,
    "text": FieldKind.LONG_TEXT,
    "long_text": FieldKind.LONG_TEXT,
    "textarea": FieldKind.LONG_TEXT,
    "number": FieldKind.NUMBER,
    "integer": FieldKind.NUMBER,
    "select": FieldKind.SELECT,
    "select_people": FieldKind.USER,
    "datepicker": FieldKind.DATE,
    "date": FieldKind.DATE,
    "boolean": FieldKind.CHECKBOX,
    "checkbox": FieldKind.CHECKBOX,
    "attachment": FieldKind.NOTE,
}
"""Siit kinds with a Block Kit counterpart. ``select_application`` and ``select_team`` become a
select when the configuration lists their options, otherwise a text input."""


def parse_service(payload: Any, *, service_uid: str) -> Form:
    """Read a ``GET /v1/services/{uid}`` answer (wrapped in ``result`` or not)."""
    service = payload.get("result", payload) if isinstance(payload, Mapping) else {}
    if not isinstance(service, Mapping):
        service = {}
    name = _first_text(service, "name", "title", "label") or service_uid
    items = service.get("custom_form_input_configuration")
    fields: list[FormField] = []
    seen: set[str] = set()
    for index, item in enumerate(items if isinstance(items, list) else []):
        form_field = parse_item(item)
        if form_field is None:
            log.warning("siit service %s: skipped form item %d that has no uid or label", service_uid, index)
            continue
        if form_field.id in seen:
            log.warning("siit service %s: skipped duplicate form item %s", service_uid, form_field.id)
            continue
        seen.add(form_field.id)
        fields.append(form_field)
    return Form(
        id=service_uid,
        name=name,
        fields=tuple(fields),
        description=_first_text(service, "description"),
    )


def parse_item(item: Any) -> FormField | None:
    if not isinstance(item, Mapping):
        return None
    uid = _first_text(item, "uid", "id", "key")
    label = _first_text(item, "label", "name", "title") or uid
    if not uid or not label:
        return None
    raw_kind = (_first_text(item, "kind", "type", "input_type") or "string").lower()
    options = _options(_first_present(item, "options", "choices", "values", "items"))
    kind = KINDS.get(raw_kind)
    if kind is None:
        kind = FieldKind.SELECT if options else FieldKind.TEXT
        log.info("siit form item %s: kind %r shown as %s", uid, raw_kind, kind.value)
    if kind is FieldKind.SELECT and not options:
        kind = FieldKind.TEXT
    return FormField(
        id=uid,
        label=label,
        kind=kind,
        required=_flag(item, "required", "is_required", "mandatory"),
        multiple=_flag(item, "multiple", "is_multiple", "allow_multiple"),
        options=options if kind in (FieldKind.SELECT, FieldKind.CHECKBOX) else (),
        hint=_first_text(item, "description", "help_text", "hint", "placeholder"),
        min_value=_number(_first_present(item, "min", "min_value", "minimum")),
        max_value=_number(_first_present(item, "max", "max_value", "maximum")),
        integer=raw_kind == "integer",
    )


def _options(raw: Any) -> tuple[Option, ...]:
    options: list[Option] = []
    seen: set[str] = set()
    for entry in raw if isinstance(raw, list) else []:
        option = _option(entry)
        if option is not None and option.value not in seen:
            seen.add(option.value)
            options.append(option)
    return tuple(options)


def _option(entry: Any) -> Option | None:
    if isinstance(entry, str | int | float) and not isinstance(entry, bool):
        text = str(entry).strip()
        return Option(label=text, value=text) if text else None
    if not isinstance(entry, Mapping):
        return None
    value = _first_text(entry, "value", "uid", "id", "key")
    label = _first_text(entry, "label", "name", "title", "text") or value
    if not value or not label:
        return None
    return Option(label=label, value=value)


def _first_present(item: Mapping[str, Any], *keys: str) -> Any:
    return next((item[k] for k in keys if item.get(k) is not None), None)


def _first_text(item: Mapping[str, Any], *keys: str) -> str | None:
    for key in keys:
        value = item.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def _flag(item: Mapping[str, Any], *keys: str) -> bool:
    value = _first_present(item, *keys)
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes")
    return value is True or value == 1


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None
