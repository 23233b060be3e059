"""Siit services and people the tests share."""

from __future__ import annotations

from typing import Any

PRINTER_SERVICE: dict[str, Any] = {
    "uid": "wa_printers",
    "name": "Printer problem",
    "description": "Anything about printers and scanners.",
    "custom_form_input_configuration": [
        {"uid": "ci_floor", "label": "Floor", "kind": "number", "required": True, "min": 0, "max": 12},
        {"uid": "ci_model", "label": "Printer model", "kind": "select", "options": ["HP 400", "Canon X"]},
        {"uid": "ci_details", "label": "What happened", "kind": "text"},
        {"uid": "ci_since", "label": "Since when", "kind": "datepicker"},
        {"uid": "ci_photo", "label": "Photo", "kind": "attachment"},
    ],
}

ACCESS_SERVICE: dict[str, Any] = {
    "uid": "wa_access",
    "name": "Access request",
    "custom_form_input_configuration": [
        {"uid": "ci_app", "label": "Application", "kind": "string", "required": True},
    ],
}

REQUESTER = ("U100", "ada@example.com", "u_ada")
"""Slack member, email, Siit user."""
