"""The forms file: forms and channel routing declared by the admin, validated with pydantic.

Suptask's API cannot read forms, so its forms live here; a Siit deployment may use the same
file to route channels to services and add labelled fields. Pure: reading the file is the only I/O.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
    ValidationError,
    field_validator,
    model_validator,
)

from bot.domain.auto_create import AutoCreateRules
from bot.domain.forms import FieldKind, FieldValue, Form, FormField, Option

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
        if (self.min is not None or self.max is not None) and self.type != "number":
            raise ValueError(f"a {self.type} field takes no min or max")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min {self.min:g} is greater than max {self.max:g}")
        self._default_fits()
        return self

    def _default_fits(self) -> None:
        """A default Slack would refuse (an option it does not offer, a number out of range) fails
        here, at start, instead of when someone opens the form."""
        if self.default is None:
            return
        if self.options:
            values = [o.value for o in self.options]
            given = self.default if isinstance(self.default, list) else [self.default]
            for value in given:
                if str(value) not in values:
                    hint = _did_you_mean(str(value), values)
                    raise ValueError(f"default {value!r} is not one of the options {values}{hint}")
        elif self.type == "number":
            if not isinstance(self.default, int | float) or isinstance(self.default, bool):
                raise ValueError(f"default {self.default!r} is not a number")
            if (self.min is not None and self.default < self.min) or (self.max is not None and self.default > self.max):
                raise ValueError(f"default {self.default:g} is outside min..max")

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


class ChannelRouteSpec(Strict):
    form: NonEmpty
    """The form_id used in this channel."""
    auto_create: bool = False
    """Every new top-level message from a person in the channel files a ticket (no click)."""
    triage_channel: str | None = None
    """Where agents see this channel's new tickets (instead of ``TRIAGE_CHANNEL``)."""
    agents: tuple[Annotated[str, StringConstraints(pattern=r"^[UWS][A-Z0-9]{2,}$")], ...] = ()
    """This channel's own agents (Slack member IDs, user group IDs ``S…``): only they see and act
    on its tickets as agents. Empty: the helpdesk's agents, as everywhere else."""


class AutoCreateSpec(Strict):
    """How auto-create channels tell a request from chatter (``bot.domain.auto_create``)."""

    grace_seconds: float = Field(default=0.0, ge=0, le=3600)
    coalesce_seconds: float = Field(default=10.0, ge=0, le=600)
    no_ticket_reaction: NonEmpty = "no_entry_sign"
    skip_prefix: str = "!"
    greetings: tuple[str, ...] | None = None
    """Replaces the default list of greetings and thanks."""

    def to_rules(self) -> AutoCreateRules:
        rules = AutoCreateRules(
            skip_prefix=self.skip_prefix,
            no_ticket_reaction=self.no_ticket_reaction.strip(":"),
            grace_seconds=self.grace_seconds,
            coalesce_seconds=self.coalesce_seconds,
        )
        return rules if self.greetings is None else replace(rules, greetings=frozenset(self.greetings))


Route = Annotated[
    Annotated[str, Tag("form")] | Annotated[ChannelRouteSpec, Tag("route")],
    Discriminator(lambda value: "route" if isinstance(value, dict | ChannelRouteSpec) else "form"),
]
"""A channel's route: its form_id, or ``{form: ..., auto_create: ..., agents: [...]}`` (whose own
problems are then named, not the plain string's)."""


class RoutingSpec(Strict):
    default: str | None = None
    """The form_id opened where no channel route applies; the first form when absent."""
    channels: dict[str, Route] = Field(default_factory=dict)
    """Slack channel ID -> form_id, or ``{form: form_id, auto_create: true}``."""
    auto_create: AutoCreateSpec = AutoCreateSpec()

    def channel_forms(self) -> dict[str, str]:
        return {c: r if isinstance(r, str) else r.form for c, r in self.channels.items()}

    def triage_channels(self) -> dict[str, str]:
        return {
            c: r.triage_channel
            for c, r in self.channels.items()
            if isinstance(r, ChannelRouteSpec) and r.triage_channel
        }

    def route_agents(self) -> dict[str, frozenset[str]]:
        return {
            c: frozenset(r.agents) for c, r in self.channels.items() if isinstance(r, ChannelRouteSpec) and r.agents
        }

    def auto_create_channels(self) -> frozenset[str]:
        return frozenset(c for c, r in self.channels.items() if isinstance(r, ChannelRouteSpec) and r.auto_create)


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
        for channel, form_id in self.routing.channel_forms().items():
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
        root = yaml.compose(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark is not None else source
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise FormsFileError(f"{where}: not valid YAML: {problem}") from None
    try:
        return FormsFile.model_validate(data if data is not None else {})
    except ValidationError as exc:
        raise FormsFileError(describe(exc, source=source, root=root, data=data)) from None


def load_forms_file(path: Path) -> FormsFile:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise FormsFileError(f"{path}: cannot be read ({exc.strerror})") from None
    return parse_forms_file(text, source=str(path))


MODEL_AT: dict[tuple[str, ...], type[BaseModel]] = {
    (): FormsFile,
    ("forms",): FormSpec,
    ("forms", "fields"): FieldSpec,
    ("forms", "fields", "options"): OptionSpec,
    ("routing",): RoutingSpec,
    ("routing", "auto_create"): AutoCreateSpec,
}
"""Which model a mapping is, by its key path without list indices (for unknown-key hints)."""


def describe(exc: ValidationError, *, source: str, root: yaml.Node | None, data: Any = None) -> str:
    """``forms.yml:12:7: forms[0].fields[1].type: 'dropdwn' is not one of ...; did you mean ...?``:
    the first root cause, where it is in the file, and how many more there are."""
    errors = exc.errors(include_url=False)
    # A list that lost an invalid item also reports itself as too short: keep the root causes.
    errors = [
        e
        for e in errors
        if not any(len(o["loc"]) > len(e["loc"]) and o["loc"][: len(e["loc"])] == e["loc"] for o in errors)
    ]
    unknown = [e for e in errors if e["type"] == "extra_forbidden"]
    # A misspelt key is one problem, not "unknown key" plus "missing key": name the unknown one.
    missing = [e for e in errors if e["type"] == "missing" and not _explained_by(e, unknown)]
    others = [e for e in errors if e["type"] not in ("extra_forbidden", "missing")]
    ordered = unknown + others + missing
    error = ordered[0]
    loc = in_file(data, error["loc"], missing=error["type"] == "missing")
    path = key_path(loc)
    if error["type"] == "literal_error":
        choices = [str(c) for c in get_args(FieldType)] if loc and loc[-1] == "type" else []
        expected = error.get("ctx", {}).get("expected", "")
        message = f"{error.get('input')!r} is not one of {expected}{_did_you_mean(str(error.get('input')), choices)}"
    elif error["type"] == "missing" and loc:
        message = f"missing key {loc[-1]!r}"
        path = key_path(loc[:-1])
    elif error["type"] == "extra_forbidden" and loc:
        known = list(MODEL_AT.get(_shape(loc[:-1]), BaseModel).model_fields)
        message = f"unknown key {loc[-1]!r}{_did_you_mean(str(loc[-1]), known)}"
    else:
        message = str(error["msg"]).removeprefix("Value error, ")
    more = len(ordered) - 1 - sum(1 for e in errors if e["type"] == "missing" and _explained_by(e, unknown))
    suffix = f" (and {more} more problem{'s' if more > 1 else ''})" if more > 0 else ""
    mark = _mark(root, loc, key=error["type"] == "extra_forbidden")
    where = f"{source}:{mark[0]}:{mark[1]}" if mark else source
    return f"{where}: {path}: {message}{suffix}" if path else f"{where}: {message}{suffix}"


def in_file(data: Any, loc: tuple[int | str, ...], *, missing: bool) -> tuple[int | str, ...]:
    """The parts of pydantic's location that are keys and indices of the file (pydantic adds the
    names of union members and validators); a missing key, last, is kept."""
    kept: list[int | str] = []
    node = data
    for index, part in enumerate(loc):
        indexed = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        if (isinstance(node, dict) and part in node) or indexed:
            node = node[part]
            kept.append(part)
        elif missing and index == len(loc) - 1:
            kept.append(part)
    return tuple(kept)


def _explained_by(missing: Any, unknown: list[Any]) -> bool:
    """A missing key that an unknown key beside it is a misspelling of."""
    parent, name = missing["loc"][:-1], str(missing["loc"][-1])
    return any(u["loc"][:-1] == parent and difflib.get_close_matches(str(u["loc"][-1]), [name]) for u in unknown)


def _did_you_mean(given: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(given, choices, n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def _shape(loc: tuple[int | str, ...]) -> tuple[str, ...]:
    return tuple(part for part in loc if isinstance(part, str))


def _mark(root: yaml.Node | None, loc: tuple[int | str, ...], *, key: bool) -> tuple[int, int] | None:
    """Line and column (from 1) of the node at ``loc``: the key itself for an unknown key, else
    the deepest node that exists (the mapping a missing key belongs in)."""
    node, found = root, root
    for index, part in enumerate(loc):
        last = index == len(loc) - 1
        if isinstance(node, yaml.MappingNode):
            pair = next(((k, v) for k, v in node.value if k.value == part), None)
            node = None if pair is None else (pair[0] if key and last else pair[1])
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
        else:
            node = None
        if node is None:
            break
        found = node
    if found is None:
        return None
    return found.start_mark.line + 1, found.start_mark.column + 1


def key_path(loc: tuple[int | str, ...]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif re.fullmatch(r"[\w-]+", str(part)):
            path += f".{part}" if path else str(part)
        else:  # a key the file spells oddly (a newline, a dot): quoted, so the message stays one line
            path += f"[{str(part)!r}]"
    return path
