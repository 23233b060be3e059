"""The backend-neutral form model every backend translates its own form definition into."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TypeAlias

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


@dataclass
class Draft:
    """Everything a person typed into the ticket modal; what must never be lost."""

    form_id: str | None = None
    title: str = ""
    description: str = ""
    values: dict[str, FieldValue] = field(default_factory=dict)
