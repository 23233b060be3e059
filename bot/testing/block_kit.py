"""Slack's view limits, checked independently of slack_sdk so the fake can catch what the app
gets wrong. Returns the problems found, as Slack would list them in ``response_metadata``."""

from __future__ import annotations

from typing import Any

SELECTS_WITH_OPTIONS = {"static_select", "multi_static_select"}


def view_problems(view: Any, *, view_type: str = "modal") -> list[str]:
    """``view_type``: ``modal`` (``views.open``/``update``) or ``home`` (``views.publish``)."""
    if not isinstance(view, dict):
        return ["view must be an object"]
    problems: list[str] = []
    if view.get("type") != view_type:
        problems.append(f"type must be {view_type}")
    if view_type == "modal":
        problems += _text_problems(view.get("title"), "title", 24, required=True)
    for key in ("submit", "close"):
        if view.get(key) is not None:
            problems += _text_problems(view[key], key, 24)
    blocks = view.get("blocks")
    if not isinstance(blocks, list) or not 1 <= len(blocks) <= 100:
        problems.append("blocks must hold 1 to 100 blocks")
        blocks = blocks if isinstance(blocks, list) else []
    if len(view.get("private_metadata") or "") > 3000:
        problems.append("private_metadata must be at most 3000 characters")
    if len(view.get("callback_id") or "") > 255:
        problems.append("callback_id must be at most 255 characters")
    block_ids = [b.get("block_id") for b in blocks if isinstance(b, dict) and b.get("block_id")]
    if len(block_ids) != len(set(block_ids)):
        problems.append("block_id values must be unique")
    has_input = False
    for index, block in enumerate(blocks):
        where = f"blocks[{index}]"
        if not isinstance(block, dict):
            problems.append(f"{where} must be an object")
            continue
        if len(block.get("block_id") or "") > 255:
            problems.append(f"{where}.block_id must be at most 255 characters")
        kind = block.get("type")
        if kind == "input":
            has_input = True
            problems += _text_problems(block.get("label"), f"{where}.label", 2000, required=True)
            if block.get("hint") is not None:
                problems += _text_problems(block["hint"], f"{where}.hint", 2000)
            problems += _element_problems(block.get("element"), f"{where}.element")
        elif kind == "section":
            if block.get("text") is not None:
                problems += _text_problems(block["text"], f"{where}.text", 3000)
            if len(block.get("fields") or []) > 10:
                problems.append(f"{where}.fields must hold at most 10 items")
            if block.get("accessory") is not None:
                problems += _element_problems(block["accessory"], f"{where}.accessory")
        elif kind == "context":
            elements = block.get("elements") or []
            if not 1 <= len(elements) <= 10:
                problems.append(f"{where}.elements must hold 1 to 10 items")
            for i, element in enumerate(elements):
                problems += _text_problems(element, f"{where}.elements[{i}]", 3000)
        elif kind == "actions":
            elements = block.get("elements") or []
            if not 1 <= len(elements) <= 25:
                problems.append(f"{where}.elements must hold 1 to 25 items")
            for i, element in enumerate(elements):
                problems += _element_problems(element, f"{where}.elements[{i}]")
        elif kind == "header":
            problems += _text_problems(block.get("text"), f"{where}.text", 150, required=True)
        elif kind not in ("divider", "image"):
            problems.append(f"{where}.type {kind!r} is not supported in modals")
    if has_input and view.get("submit") is None:
        problems.append("a view with input blocks needs a submit button")
    return problems


def _text_problems(obj: Any, where: str, limit: int, *, required: bool = False) -> list[str]:
    if obj is None:
        return [f"{where} is required"] if required else []
    if not isinstance(obj, dict) or obj.get("type") not in ("plain_text", "mrkdwn"):
        return [f"{where} must be a text object"]
    text = obj.get("text")
    if not isinstance(text, str) or not text:
        return [f"{where}.text must not be empty"]
    if len(text) > limit:
        return [f"{where}.text must be at most {limit} characters"]
    return []


def _element_problems(element: Any, where: str) -> list[str]:
    if not isinstance(element, dict):
        return [f"{where} is required"]
    problems: list[str] = []
    kind = element.get("type")
    if len(element.get("action_id") or "") > 255:
        problems.append(f"{where}.action_id must be at most 255 characters")
    if element.get("placeholder") is not None:
        problems += _text_problems(element["placeholder"], f"{where}.placeholder", 150)
    options = element.get("options")
    if kind in SELECTS_WITH_OPTIONS or kind in ("checkboxes", "radio_buttons"):
        limit = 10 if kind in ("checkboxes", "radio_buttons") else 100
        if not isinstance(options, list) or not 1 <= len(options) <= limit:
            problems.append(f"{where}.options must hold 1 to {limit} options")
            options = options if isinstance(options, list) else []
        values = []
        for i, option in enumerate(options):
            problems += _option_problems(option, f"{where}.options[{i}]")
            values.append(option.get("value") if isinstance(option, dict) else None)
        initial = element.get("initial_options") or (
            [element["initial_option"]] if element.get("initial_option") else []
        )
        for option in initial:
            if option not in options:
                problems.append(f"{where}: an initial option must be one of the options")
    if kind in ("external_select", "multi_external_select"):
        initial = element.get("initial_options") or (
            [element["initial_option"]] if element.get("initial_option") else []
        )
        for i, option in enumerate(initial):
            problems += _option_problems(option, f"{where}.initial_options[{i}]")
    if kind == "plain_text_input":
        max_length = element.get("max_length", 3000)
        if not isinstance(max_length, int) or not 1 <= max_length <= 3000:
            problems.append(f"{where}.max_length must be 1 to 3000")
            max_length = 3000
        if len(element.get("initial_value") or "") > max_length:
            problems.append(f"{where}.initial_value is longer than max_length")
    if kind == "number_input":
        low, high = element.get("min_value"), element.get("max_value")
        if low is not None and high is not None and float(low) > float(high):
            problems.append(f"{where}.min_value must not exceed max_value")
        if element.get("is_decimal_allowed") is None:
            problems.append(f"{where}.is_decimal_allowed is required")
    if kind == "button":
        problems += _text_problems(element.get("text"), f"{where}.text", 75, required=True)
        if len(element.get("value") or "") > 2000:
            problems.append(f"{where}.value must be at most 2000 characters")
    return problems


def _option_problems(option: Any, where: str) -> list[str]:
    if not isinstance(option, dict):
        return [f"{where} must be an object"]
    problems = _text_problems(option.get("text"), f"{where}.text", 75, required=True)
    value = option.get("value")
    if not isinstance(value, str) or not 1 <= len(value) <= 150:
        problems.append(f"{where}.value must be 1 to 150 characters")
    return problems
