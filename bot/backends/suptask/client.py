"""Suptask (public API v2): forms come from the forms file, since the API cannot read them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import httpx

from bot.backends.http import RetryPolicy, guard_create, send_with_retry
from bot.config.forms_file import FormsFile, FormSpec
from bot.domain.filing import (
    REFERENCE_PREFIX,
    BackendError,
    BackendUnavailable,
    CreatedTicket,
    NewTicket,
    Person,
    Reply,
)
from bot.domain.forms import FieldKind, FieldValue, Form, FormField

RESET_HEADERS = ("Retry-After", "X-RateLimit-Reset")
STATUSES = {"closed": "Closed", "open": "Open"}
"""Neutral statuses -> Suptask's (free strings: "Open", "Closed")."""
PUBLIC = ["requester"]
INTERNAL = ["responder"]


NO_TICKET = "00000000-0000-0000-0000-000000000000"


class SuptaskBackend:
    name = "suptask"
    display_name = "Suptask"
    form_label = "Form"
    open_status = "Open"
    closed_status = "Closed"
    withdrawn_status = "Deleted"
    workflow: Sequence[str] = ("Open", "In Progress", "Waiting", "Resolved")  # free strings in Suptask [U]
    closed_statuses = frozenset({"Closed", "Resolved", "Deleted"})

    def __init__(
        self,
        *,
        client: httpx.AsyncClient,
        api_url: str,
        api_token: str,
        forms_file: FormsFile,
        retry: RetryPolicy | None = None,
    ) -> None:
        self._client = client
        self._api_url = api_url.rstrip("/")
        self._headers = {"Authorization": f"Api-Token {api_token}", "Accept": "application/json"}
        self._forms = forms_file
        self._retry = retry or RetryPolicy()

    def form_ids(self) -> Sequence[str]:
        return [f.form_id for f in self._forms.forms]

    async def load_form(self, form_id: str) -> Form:
        return self._spec(form_id).to_form()

    async def create_ticket(self, ticket: NewTicket) -> CreatedTicket:
        spec = self._spec(ticket.form.id)
        # No idempotency key: a create is never resent blindly after an ambiguous failure.
        response = await self._request("POST", "/ticket", json=ticket_body(ticket, spec), idempotent=False)
        try:
            body = response.json()
        except ValueError:
            body = None
        ticket_id = body.get("ticketId") if isinstance(body, dict) else None
        if not isinstance(ticket_id, str) or not ticket_id:
            raise BackendUnavailable("Suptask did not say which ticket it created.", maybe_done=True)
        return CreatedTicket(id=ticket_id, friendly_id=f"Ticket {ticket_id[:8]}", status=spec.status or "Open")

    async def add_reply(self, ticket_id: str, reply: Reply) -> str | None:
        """Suptask's answer names no reply id; its webhooks' echoes are known by their words."""
        body = {
            "text": reply.text,
            "username": reply.author.name or reply.author.slack_id,
            "channel": INTERNAL if reply.internal else PUBLIC,
        }
        await self._request("POST", f"/ticket/reply/{ticket_id}", json=body)
        return None

    async def assign(self, ticket_id: str, assignee: Person) -> None:
        """Suptask's ``assignee`` is the Slack member ID."""
        await self._request("PATCH", f"/ticket/{ticket_id}", json={"assignee": assignee.slack_id})

    async def set_status(self, ticket_id: str, status: str) -> None:
        # Not a ticket after all: closed, never deleted (a delete cannot be undone, and a delete
        # sent again after a lost answer would be refused as "not found").
        status = "closed" if status == "withdrawn" else status
        await self._request("PATCH", f"/ticket/{ticket_id}", json={"status": STATUSES.get(status, status)})

    async def check_connection(self) -> None:
        """Suptask has no endpoint that only reads: a change to a ticket that cannot exist is
        refused with 404 once the token is accepted, and changes nothing."""
        try:
            await self._request("PATCH", f"/ticket/{NO_TICKET}", json={})
        except BackendUnavailable:
            raise
        except BackendError as exc:
            if exc.status != 404:
                raise

    def _spec(self, form_id: str) -> FormSpec:
        spec = self._forms.form(form_id)
        if spec is None:
            raise BackendError(f"Form {form_id} is not declared in the forms file.")
        return spec

    async def _request(self, method: str, path: str, *, idempotent: bool = True, **kwargs: Any) -> httpx.Response:
        url = self._api_url + path

        async def send() -> httpx.Response:
            if not idempotent:
                await guard_create()
            return await self._client.request(method, url, headers=self._headers, **kwargs)

        return await send_with_retry(
            send,
            policy=self._retry,
            service=self.display_name,
            reset_headers=RESET_HEADERS,
            idempotent=idempotent,
        )


def ticket_body(ticket: NewTicket, spec: FormSpec) -> dict[str, Any]:
    """``POST /ticket``. Suptask has no title: the description starts with it. Values go as
    Suptask shows them in its example (a select's option value as a string); a multi-select and
    several people go as a list of strings, a person as their Slack member ID, a date as
    ``YYYY-MM-DD``, a checkbox as a boolean (the API documents no other shapes)."""
    parts = [ticket.draft.title.strip(), ticket.draft.description.strip()]
    if ticket.message_link:
        parts.append(f"Slack message: {ticket.message_link}")
    if ticket.reference:  # how the "Ticket Created" webhook names a ticket whose answer was lost
        parts.append(f"({REFERENCE_PREFIX}{ticket.reference})")
    body: dict[str, Any] = {
        "description": "\n\n".join(p for p in parts if p),
        "formId": spec.form_id,
        "requester": ticket.requester.slack_id,
        "requesterChannel": requester_channel(ticket.channel_id, spec),
        "customFields": [
            {"fieldId": f.id, "value": field_value(f, ticket.draft.values[f.id])}
            for f in ticket.form.fields
            if ticket.draft.values.get(f.id) is not None
        ],
    }
    if spec.priority:
        body["priority"] = spec.priority
    if spec.status:
        body["status"] = spec.status
    if spec.tags:
        body["tags"] = list(spec.tags)
    return body


def requester_channel(channel_id: str | None, spec: FormSpec) -> str | None:
    """The channel it was filed from when Suptask assigns it to the form, else the form's first."""
    if channel_id and channel_id in spec.channels:
        return channel_id
    return spec.channels[0] if spec.channels else channel_id


def field_value(form_field: FormField, value: FieldValue) -> FieldValue | int:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if form_field.kind is FieldKind.SELECT and form_field.multiple and isinstance(value, str):
        return [value]
    return value
