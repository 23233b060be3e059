"""The forms file: forms and channel routing declared by the admin, validated with pydantic.

Suptask's API cannot read forms, so its forms live here; a Siit deployment may use the same
file to route channels to services and add labelled fields. Pure: reading the file is the only I/O.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from bot.forms.model import FieldKind, FieldValue, Form, FormField, Option

FieldType = Literal["text", "long_text", "number", "select", "multi_select", "user", "date", "checkbox"]
KIND_OF_TYPE: dict[str, tuple[FieldKind, bool]] = {
    "text": (FieldKind.TEXT, False),
    "long_text": (FieldKind.LONG_TEXT, False),
    "number": (FieldKind.NUMBER, False),
    "select": (FieldKind.SELECT, False),
    "multi_select": (FieldKind.SELECT, True),
    "user": (FieldKind.USER, False),
    "date": (FieldKind.DATE, False),
    "checkbox": (FieldKind.CHECKBOX, False),
}
CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{2,}$")
NonEmpty = Annotated[str, Field(min_length=1)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class OptionSpec(Strict):
    label: NonEmpty
    value: NonEmpty


class FieldSpec(Strict):
    field_id: NonEmpty
    label: NonEmpty
    type: FieldType
    required: bool = False
    options: tuple[OptionSpec, ...] = ()
    default: str | float | bool | list[str] | None = None
    hint: str | None = None
    min: float | None = None
    max: float | None = None

    @field_validator("options", mode="before")
    @classmethod
    def _plain_options(cls, value: Any) -> Any:
        if isinstance(value, list):
            return [{"label": str(o), "value": str(o)} if isinstance(o, str | int | float) else o for o in value]
        return value

    @model_validator(mode="after")
    def _options_where_needed(self) -> FieldSpec:
        if self.type in ("select", "multi_select") and not self.options:
            raise ValueError(f"a {self.type} field needs options")
        if self.options and self.type not in ("select", "multi_select", "checkbox"):
            raise ValueError(f"a {self.type} field takes no options")
        return self

    def to_field(self) -> FormField:
        kind, multiple = KIND_OF_TYPE[self.type]
        default: FieldValue = self.default
        return FormField(
            id=self.field_id,
            label=self.label,
            kind=kind,
            required=self.required,
            multiple=multiple,
            options=tuple(Option(o.label, o.value) for o in self.options),
            hint=self.hint,
            min_value=self.min,
            max_value=self.max,
            default=float(default) if kind is FieldKind.NUMBER and isinstance(default, int | float) else default,
        )


class FormSpec(Strict):
    form_id: NonEmpty
    """Suptask: the form's UUID from the web app. Siit: the service UID (``wa_…``)."""
    name: NonEmpty
    channels: tuple[str, ...] = ()
    """Slack channel IDs assigned to the form in Suptask."""
    fields: tuple[FieldSpec, ...] = ()
    priority: str | None = None
    status: str | None = None
    tags: tuple[str, ...] = ()
    reply_sync: Literal["off", "requester", "everyone"] | None = None
    """Which thread replies reach the helpdesk for this form; ``REPLY_SYNC`` when absent."""

    @field_validator("channels")
    @classmethod
    def _channel_ids(cls, channels: tuple[str, ...]) -> tuple[str, ...]:
        for channel in channels:
            if not CHANNEL_ID.match(channel):
                raise ValueError(f"{channel!r} is not a Slack channel ID (like C076K6Y74L1)")
        return channels

    @model_validator(mode="after")
    def _unique_fields(self) -> FormSpec:
        ids = [f.field_id for f in self.fields]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"field_id {duplicates[0]!r} is declared twice")
        return self

    def to_form(self) -> Form:
        return Form(id=self.form_id, name=self.name, fields=tuple(f.to_field() for f in self.fields))


class RoutingSpec(Strict):
    default: str | None = None
    """The form_id opened where no channel route applies; the first form when absent."""
    channels: dict[str, str] = Field(default_factory=dict)
    """Slack channel ID -> form_id."""


class FormsFile(Strict):
    forms: tuple[FormSpec, ...] = Field(min_length=1)
    routing: RoutingSpec = RoutingSpec()

    @model_validator(mode="after")
    def _references_exist(self) -> FormsFile:
        ids = [f.form_id for f in self.forms]
        if len(ids) != len(set(ids)):
            raise ValueError("two forms have the same form_id")
        if self.routing.default is not None and self.routing.default not in ids:
            raise ValueError(f"routing.default: form {self.routing.default!r} is not declared in forms")
        for channel, form_id in self.routing.channels.items():
            if not CHANNEL_ID.match(channel):
                raise ValueError(f"routing.channels: {channel!r} is not a Slack channel ID")
            if form_id not in ids:
                raise ValueError(f"routing.channels.{channel}: form {form_id!r} is not declared in forms")
        return self

    def form(self, form_id: str) -> FormSpec | None:
        return next((f for f in self.forms if f.form_id == form_id), None)


class FormsFileError(Exception):
    """One message naming the file, the key path and the problem."""


def parse_forms_file(text: str, *, source: str = "forms file") -> FormsFile:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise FormsFileError(f"{source}: not valid YAML: {exc}".splitlines()[0]) from None
    try:
        return FormsFile.model_validate(data if data is not None else {})
    except ValidationError as exc:
        raise FormsFileError(f"{source}: {describe(exc)}") from None


def load_forms_file(path: Path) -> FormsFile:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise FormsFileError(f"{path}: cannot be read ({exc.strerror})") from None
    return parse_forms_file(text, source=str(path))


def describe(exc: ValidationError) -> str:
    errors = exc.errors(include_url=False)
    # A list that lost an invalid item also reports itself as too short: keep the root causes.
    errors = [
        e
        for e in errors
        if not any(len(o["loc"]) > len(e["loc"]) and o["loc"][: len(e["loc"])] == e["loc"] for o in errors)
    ]
    error = errors[0]
    path = key_path(error["loc"])
    if error["type"] == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        message = f"{error.get('input')!r} is not one of {expected}"
    else:
        message = str(error["msg"]).removeprefix("Value error, ")
    more = len(errors) - 1
    suffix = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
    return f"{path}: {message}{suffix}" if path else message + suffix


def key_path(loc: tuple[int | str, ...]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif "[" in part or "function-" in part:
            continue
        else:
            path += f".{part}" if path else part
    return path
