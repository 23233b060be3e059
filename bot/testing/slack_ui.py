"""What Slack's client puts in ``view.state.values`` when a person fills a modal."""

from __future__ import annotations

from typing import Any


def state_for(view: dict[str, Any], answers: dict[str, Any]) -> dict[str, Any]:
    """State of every input block: the person's answer where given (by block_id), else what
    the view showed initially. Answers are option values, user IDs, dates or text."""
    values: dict[str, Any] = {}
    for block in view.get("blocks", []):
        if block.get("type") != "input":
            continue
        element = block["element"]
        answer = answers.get(block["block_id"], _initial(element))
        values[block["block_id"]] = {element["action_id"]: _state(element, answer)}
    return values


def _initial(element: dict[str, Any]) -> Any:
    for key in ("initial_value", "initial_date", "initial_user", "initial_users"):
        if key in element:
            return element[key]
    if "initial_option" in element:
        return element["initial_option"]["value"]
    if "initial_options" in element:
        return [o["value"] for o in element["initial_options"]]
    return None


def _state(element: dict[str, Any], answer: Any) -> dict[str, Any]:
    kind = element["type"]
    if kind in ("plain_text_input", "number_input"):
        return {"type": kind, "value": answer}
    if kind == "datepicker":
        return {"type": kind, "selected_date": answer}
    if kind == "users_select":
        return {"type": kind, "selected_user": answer}
    if kind == "multi_users_select":
        return {"type": kind, "selected_users": answer or []}
    if kind in ("static_select", "external_select", "radio_buttons"):
        return {"type": kind, "selected_option": _option(element, answer) if answer is not None else None}
    if kind in ("multi_static_select", "multi_external_select", "checkboxes"):
        return {"type": kind, "selected_options": [_option(element, a) for a in answer or []]}
    raise AssertionError(f"no state shape for {kind}")


def _option(element: dict[str, Any], value: str) -> dict[str, Any]:
    for option in element.get("options", []):
        if option["value"] == value:
            return dict(option)
    return {"text": {"type": "plain_text", "text": value}, "value": value}
