"""The backend-neutral form model every backend translates its own form definition into, what a
person typed into it (``Draft``), and the rules an answer must keep (``draft_problems``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TypeAlias

TITLE = "title"
"""The key of the title's problem in ``draft_problems`` (fields are keyed by their id)."""
TITLE_MAX_LENGTH = 150
DESCRIPTION_MAX_LENGTH = 40_000
"""Slack's own limit for a message's text: a ticket made from a message is cut to it (only a
forged or oversized event is longer; the whole message stays in Slack, linked from the ticket)."""

FieldValue: TypeAlias = str | float | bool | list[str] | None
"""What a person entered in one field: text, a number, a tick, chosen option values or user IDs."""


class FieldKind(StrEnum):
    TEXT = "text"
    LONG_TEXT = "long_text"
    NUMBER = "number"
    SELECT = "select"
    USER = "user"
    DATE = "date"
    CHECKBOX = "checkbox"
    NOTE = "note"
    """Something the modal cannot collect (a file upload): shown as a context note."""


@dataclass(frozen=True)
class Option:
    label: str
    value: str


@dataclass(frozen=True)
class FormField:
    id: str
    label: str
    kind: FieldKind
    required: bool = False
    multiple: bool = False
    options: tuple[Option, ...] = ()
    hint: str | None = None
    min_value: float | None = None
    max_value: float | None = None
    integer: bool = False
    default: FieldValue = None

    def option_by_value(self, value: str) -> Option | None:
        return next((o for o in self.options if o.value == value), None)


@dataclass(frozen=True)
class Form:
    """One ticket form: a Siit service, a Suptask form."""

    id: str
    name: str
    fields: tuple[FormField, ...] = ()
    description: str | None = None

    def field_by_id(self, field_id: str) -> FormField | None:
        return next((f for f in self.fields if f.id == field_id), None)


@dataclass(frozen=True)
class FormChoice:
    """An entry of the form picker: enough to label it without loading the form."""

    id: str
    name: str


@dataclass(frozen=True)
class Draft:
    """Everything a person typed into the ticket modal; what must never be lost."""

    form_id: str | None = None
    title: str = ""
    description: str = ""
    values: dict[str, FieldValue] = field(default_factory=dict)


@dataclass(frozen=True)
class StoredDraft:
    """A draft kept for its owner, with where it was typed and the modal's context."""

    draft: Draft
    channel_id: str | None
    context: str | None = None


@dataclass(frozen=True)
class DraftToKeep:
    """A draft to keep for its owner (``id`` names it in "Try again" buttons), recorded in the
    same transaction as the write that files it."""

    id: str
    draft: Draft
    team_id: str
    user_id: str
    channel_id: str | None
    context: str | None = None


def title_from_text(text: str) -> str:
    """A message's first non-empty line, cut to fit a ticket title (the cut marked "…")."""
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return first if len(first) <= TITLE_MAX_LENGTH else first[: TITLE_MAX_LENGTH - 1].rstrip() + "…"


def draft_from_content(content: dict[str, Any]) -> Draft:
    """A draft as stored (``asdict``), read defensively."""
    values = content.get("values")
    return Draft(
        form_id=content.get("form_id") if isinstance(content.get("form_id"), str) else None,
        title=str(content.get("title") or ""),
        description=str(content.get("description") or ""),
        values=dict(values) if isinstance(values, dict) else {},
    )


def draft_problems(form: Form, draft: Draft) -> dict[str, str]:
    """What keeps the draft from being filed, keyed by ``TITLE`` or the field's id; empty when
    it can be filed."""
    problems: dict[str, str] = {}
    title = draft.title.strip()
    if not title:
        problems[TITLE] = "Give the ticket a title."
    elif len(title) > TITLE_MAX_LENGTH:
        problems[TITLE] = f"Keep the title under {TITLE_MAX_LENGTH} characters."
    for form_field in form.fields:
        message = field_error(form_field, draft.values.get(form_field.id))
        if message:
            problems[form_field.id] = message
    return problems


def field_error(form_field: FormField, value: FieldValue) -> str | None:
    if value is None or value == [] or value == "":
        if form_field.required and form_field.kind is not FieldKind.NOTE:
            return "This field is required."
        return None
    if form_field.kind is FieldKind.NUMBER:
        return _number_error(form_field, value)
    if form_field.kind in (FieldKind.SELECT, FieldKind.CHECKBOX) and form_field.options:
        chosen = value if isinstance(value, list) else [value]
        if any(not isinstance(v, str) or form_field.option_by_value(v) is None for v in chosen):
            return "Pick one of the listed options."
    if form_field.kind is FieldKind.DATE and isinstance(value, str):
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            return "Pick a date."
    return None


def _number_error(form_field: FormField, value: FieldValue) -> str | None:
    if isinstance(value, bool) or not isinstance(value, float):
        return "Enter a number."
    if form_field.integer and not value.is_integer():
        return "Enter a whole number."
    if form_field.min_value is not None and value < form_field.min_value:
        return f"Enter a number of at least {_plain(form_field.min_value)}."
    if form_field.max_value is not None and value > form_field.max_value:
        return f"Enter a number of at most {_plain(form_field.max_value)}."
    return None


def _plain(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)
