"""Neutral form + draft -> Block Kit modal, built with ``slack_sdk.models`` so that Slack's
limits are checked where the view is made (``View.to_dict()`` raises on a broken limit).

Pure: no network, no Bolt. ``slack_sdk.models`` is a data library, not a client.
"""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk.models.blocks import (
    Block,
    CheckboxesElement,
    ContextBlock,
    DatePickerElement,
    ExternalDataMultiSelectElement,
    ExternalDataSelectElement,
    InputBlock,
    InputInteractiveElement,
    MarkdownTextObject,
    NumberInputElement,
    PlainTextInputElement,
    PlainTextObject,
    StaticMultiSelectElement,
    StaticSelectElement,
    UserMultiSelectElement,
    UserSelectElement,
)
from slack_sdk.models.blocks import (
    Option as SlackOption,
)
from slack_sdk.models.views import View

from bot.domain.forms import TITLE_MAX_LENGTH, Draft, FieldKind, FieldValue, Form, FormChoice, FormField, Option
from bot.slack.views import limits
from bot.slack.views.limits import fit

FORM_CALLBACK_ID = "ticket_form"
TITLE_BLOCK = "ticket_title"
DESCRIPTION_BLOCK = "ticket_description"
PICKER_BLOCK = "ticket_form_picker"
PICKER_ACTION = "pick_form"
VALUE_ACTION = "value"
FIELD_BLOCK_PREFIX = "field:"
HASHED_VALUE_PREFIX = "h:"
CHECKED = "true"


def field_block_id(form_field: FormField) -> str:
    block_id = FIELD_BLOCK_PREFIX + form_field.id
    if len(block_id) <= limits.BLOCK_ID:
        return block_id
    return FIELD_BLOCK_PREFIX + HASHED_VALUE_PREFIX + limits.short_hash(form_field.id)


def option_value(option: Option) -> str:
    """The value Slack carries for an option; a hash when the real one is over Slack's limit."""
    if len(option.value) <= limits.OPTION_VALUE and not option.value.startswith(HASHED_VALUE_PREFIX):
        return option.value
    return HASHED_VALUE_PREFIX + limits.short_hash(option.value)


def slack_option(option: Option) -> SlackOption:
    return SlackOption(value=option_value(option), text=fit(option.label, limits.OPTION_TEXT) or "-")


def uses_external_options(form_field: FormField) -> bool:
    """Too many options for a static menu: Slack asks the options listener instead."""
    return len(form_field.options) > limits.SELECT_OPTIONS and (
        form_field.kind is FieldKind.SELECT or form_field.kind is FieldKind.CHECKBOX
    )


def is_multiple(form_field: FormField) -> bool:
    return form_field.multiple or (form_field.kind is FieldKind.CHECKBOX and bool(form_field.options))


def build_form_view(
    *,
    form: Form,
    draft: Draft,
    choices: Sequence[FormChoice],
    private_metadata: str,
    title: str = "New ticket",
    picker_label: str = "Service",
    notice: str | None = None,
) -> View:
    """The ticket modal: optional notice, form picker, Title, Description, then the form's fields."""
    blocks: list[Block] = []
    if notice:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=fit(notice, limits.CONTEXT_TEXT))]))
    if len(choices) > 1:
        blocks.append(_picker_block(choices, form.id, picker_label))
    blocks.append(
        InputBlock(
            block_id=TITLE_BLOCK,
            label="Title",
            element=PlainTextInputElement(
                action_id=VALUE_ACTION,
                initial_value=draft.title[:TITLE_MAX_LENGTH] or None,
                max_length=TITLE_MAX_LENGTH,
                placeholder="A short summary",
            ),
        )
    )
    blocks.append(
        InputBlock(
            block_id=DESCRIPTION_BLOCK,
            label="Description",
            optional=True,
            element=PlainTextInputElement(
                action_id=VALUE_ACTION,
                multiline=True,
                initial_value=draft.description[: limits.TEXT_INPUT] or None,
                max_length=limits.TEXT_INPUT,
            ),
        )
    )
    if form.description:
        blocks.append(ContextBlock(elements=[PlainTextObject(text=fit(form.description, limits.CONTEXT_TEXT))]))
    field_room = limits.MODAL_BLOCKS - len(blocks) - 1
    shown = form.fields[:field_room] if len(form.fields) > field_room + 1 else form.fields
    for form_field in shown:
        blocks.append(field_block(form_field, draft.values.get(form_field.id, form_field.default)))
    if len(shown) < len(form.fields):
        hidden = len(form.fields) - len(shown)
        blocks.append(
            ContextBlock(
                elements=[PlainTextObject(text=f"{hidden} more fields of this form do not fit in Slack's modal.")]
            )
        )
    return View(
        type="modal",
        callback_id=FORM_CALLBACK_ID,
        title=fit(title, limits.MODAL_TITLE),
        submit="Create ticket",
        close="Cancel",
        blocks=blocks,
        private_metadata=private_metadata,
    )


def _picker_block(choices: Sequence[FormChoice], selected_id: str, label: str) -> InputBlock:
    options = [slack_option(Option(label=c.name, value=c.id)) for c in choices[: limits.SELECT_OPTIONS]]
    selected = next((o for o, c in zip(options, choices, strict=False) if c.id == selected_id), None)
    return InputBlock(
        block_id=PICKER_BLOCK,
        label=fit(label, limits.LABEL),
        dispatch_action=True,
        element=StaticSelectElement(action_id=PICKER_ACTION, options=options, initial_option=selected),
    )


def field_block(form_field: FormField, value: FieldValue) -> Block:
    """One form field as a block: an input for what Slack can collect, a note for the rest."""
    label = fit(form_field.label, limits.LABEL) or form_field.id
    if form_field.kind is FieldKind.NOTE:
        text = f"{label}: this field cannot be filled in from Slack; add it in the helpdesk afterwards."
        return ContextBlock(
            block_id=field_block_id(form_field),
            elements=[PlainTextObject(text=fit(text, limits.CONTEXT_TEXT))],
        )
    return InputBlock(
        block_id=field_block_id(form_field),
        label=label,
        optional=not form_field.required,
        hint=fit(form_field.hint, limits.HINT) if form_field.hint else None,
        element=_element(form_field, value),
    )


def _element(form_field: FormField, value: FieldValue) -> InputInteractiveElement:
    kind = form_field.kind
    if kind is FieldKind.NUMBER:
        return NumberInputElement(
            action_id=VALUE_ACTION,
            is_decimal_allowed=not form_field.integer,
            initial_value=_number_text(value),
            min_value=form_field.min_value,
            max_value=form_field.max_value,
        )
    if kind is FieldKind.SELECT:
        return _select(form_field, value)
    if kind is FieldKind.USER:
        users = _as_list(value)
        if form_field.multiple:
            return UserMultiSelectElement(action_id=VALUE_ACTION, initial_users=users or None)
        return UserSelectElement(action_id=VALUE_ACTION, initial_user=users[0] if users else None)
    if kind is FieldKind.DATE:
        return DatePickerElement(action_id=VALUE_ACTION, initial_date=value if isinstance(value, str) else None)
    if kind is FieldKind.CHECKBOX:
        return _checkboxes(form_field, value)
    text = value if isinstance(value, str) else None
    return PlainTextInputElement(
        action_id=VALUE_ACTION,
        multiline=kind is FieldKind.LONG_TEXT,
        initial_value=text[: limits.TEXT_INPUT] if text else None,
        max_length=limits.TEXT_INPUT,
    )


def _select(form_field: FormField, value: FieldValue) -> InputInteractiveElement:
    chosen = [o for v in _as_list(value) if (o := form_field.option_by_value(v)) is not None]
    initial = [slack_option(o) for o in chosen]
    if uses_external_options(form_field):
        if is_multiple(form_field):
            return ExternalDataMultiSelectElement(
                action_id=VALUE_ACTION, min_query_length=0, initial_options=initial or None
            )
        return ExternalDataSelectElement(
            action_id=VALUE_ACTION, min_query_length=0, initial_option=initial[0] if initial else None
        )
    options = [slack_option(o) for o in form_field.options]
    if not options:
        options = [SlackOption(value="-", text="(no options configured)")]
    if is_multiple(form_field):
        return StaticMultiSelectElement(action_id=VALUE_ACTION, options=options, initial_options=initial or None)
    return StaticSelectElement(action_id=VALUE_ACTION, options=options, initial_option=initial[0] if initial else None)


def _checkboxes(form_field: FormField, value: FieldValue) -> InputInteractiveElement:
    if not form_field.options:
        tick = SlackOption(value=CHECKED, text="Yes")
        return CheckboxesElement(
            action_id=VALUE_ACTION, options=[tick], initial_options=[tick] if value is True else None
        )
    if len(form_field.options) > limits.CHECKBOX_OPTIONS:
        return _select(form_field, value)
    options = [slack_option(o) for o in form_field.options]
    chosen = {option_value(o) for v in _as_list(value) if (o := form_field.option_by_value(v))}
    initial = [o for o in options if o.value in chosen]
    return CheckboxesElement(action_id=VALUE_ACTION, options=options, initial_options=initial or None)


def _as_list(value: FieldValue) -> list[str]:
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    if isinstance(value, str) and value:
        return [value]
    return []


def _number_text(value: FieldValue) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, float | int):
        return str(value)
    return None
