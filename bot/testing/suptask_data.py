"""A forms file and the matching Suptask workspace, shared by the Suptask tests."""

from __future__ import annotations

from typing import Any

IT_FORM = "96d140f8-bd0f-4b46-a115-c19e090bb79c"
HR_FORM = "0b6c3c8e-4f1e-4c1b-9a43-2b7d1e4f5a10"
IMPACT_FIELD = "9682a666-b6b2-4f5e-833d-cb4430799317"
LAPTOP_FIELD = "1f0e2d3c-4b5a-6978-8695-a4b3c2d1e0f9"
WATCHERS_FIELD = "2a3b4c5d-6e7f-8091-a2b3-c4d5e6f70819"

FORMS_YAML = f"""
forms:
  - form_id: {IT_FORM}
    name: IT help
    channels: [C076K6Y74L1, C100]
    priority: Medium
    tags: [slack]
    fields:
      - field_id: {IMPACT_FIELD}
        label: Business impact
        type: select
        options: [Low, High Business Impact]
        required: true
      - field_id: {LAPTOP_FIELD}
        label: Laptop serial
        type: text
      - field_id: {WATCHERS_FIELD}
        label: Also affected
        type: user
  - form_id: {HR_FORM}
    name: HR question
    channels: [C0HRHRHR1]
routing:
  default: {IT_FORM}
  channels:
    C0HRHRHR1: {HR_FORM}
"""

WORKSPACE: dict[str, dict[str, Any]] = {
    IT_FORM: {"channels": ["C076K6Y74L1", "C100"], "fields": [IMPACT_FIELD, LAPTOP_FIELD, WATCHERS_FIELD]},
    HR_FORM: {"channels": ["C0HRHRHR1"], "fields": []},
}
