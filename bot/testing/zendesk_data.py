"""A Zendesk account for the fakes and the tests: one ticket form with a field of every kind the
modal shows, plus fields it never shows (inactive, agent-only, system)."""

from __future__ import annotations

from typing import Any

FORM_ID = 360001
EMAIL = "api-agent@example.com"
REQUESTER = ("U100", "ada@example.com", "Ada Lovelace")
AGENT = ("U900", "grace@example.com", "Grace Hopper")

FIELDS: list[dict[str, Any]] = [
    {"id": 1, "type": "subject", "title": "Subject", "active": True},
    {"id": 2, "type": "description", "title": "Description", "active": True},
    {"id": 3, "type": "status", "title": "Status", "active": True},
    {"id": 101, "type": "text", "title": "Asset tag", "title_in_portal": "Asset tag (sticker)", "active": True,
     "visible_in_portal": True, "editable_in_portal": True},
    {"id": 102, "type": "textarea", "title": "Steps", "active": True, "visible_in_portal": True,
     "editable_in_portal": True},
    {"id": 103, "type": "integer", "title": "Floor", "active": True, "required_in_portal": True,
     "visible_in_portal": True, "editable_in_portal": True},
    {"id": 104, "type": "decimal", "title": "Cost", "active": True, "visible_in_portal": True,
     "editable_in_portal": True},
    {"id": 105, "type": "tagger", "title": "Category", "active": True, "required_in_portal": True,
     "visible_in_portal": True, "editable_in_portal": True,
     "custom_field_options": [{"name": "Hardware", "value": "hardware"}, {"name": "Software", "value": "software"}]},
    {"id": 106, "type": "multiselect", "title": "Affected apps", "active": True, "visible_in_portal": True,
     "editable_in_portal": True,
     "custom_field_options": [{"name": "Mail", "value": "mail"}, {"name": "VPN", "value": "vpn"}]},
    {"id": 107, "type": "checkbox", "title": "Urgent", "active": True, "visible_in_portal": True,
     "editable_in_portal": True},
    {"id": 108, "type": "date", "title": "Needed by", "active": True, "visible_in_portal": True,
     "editable_in_portal": True},
    {"id": 109, "type": "regexp", "title": "Employee ID", "active": True, "visible_in_portal": True,
     "editable_in_portal": True, "regexp_for_validation": "E[0-9]{4}"},
    {"id": 110, "type": "text", "title": "Old field", "active": False, "visible_in_portal": True},
    {"id": 111, "type": "text", "title": "Agent notes", "active": True, "visible_in_portal": False},
    {"id": 112, "type": "lookup", "title": "Linked org", "active": True, "visible_in_portal": True,
     "editable_in_portal": True},
]  # fmt: skip

FORM: dict[str, Any] = {
    "name": "IT help",
    "display_name": "IT help desk",
    "end_user_visible": True,
    "ticket_field_ids": [1, 2, 3, *range(101, 113)],
}
SHOWN_FIELD_IDS = [str(i) for i in range(101, 110)]
"""What the modal shows of ``FORM``, in order."""
VALID_VALUES: dict[str, Any] = {"103": 3.0, "105": "hardware", "106": ["vpn"], "107": True, "109": "E1234"}
