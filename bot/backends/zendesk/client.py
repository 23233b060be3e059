"""Zendesk Support (``/api/v2``): ticket forms are forms, tickets are tickets.

Exactly once: every attempt of one ticket's create carries the same ``Idempotency-Key`` (our
reference), so a create whose answer was lost is simply sent again; the ticket's ``external_id``
names the reference too, and ``find_created`` looks it up. Replies are comments (``public:
false`` for an agent's note), authored by the Zendesk user with the person's e-mail when there is
one. Shapes confirmed against Zendesk's developer documentation are listed in the README; ``[U]``
marks what is not."""

from __future__ import annotations

import base64
import logging
from collections.abc import Sequence
from typing import Any

import httpx

from bot.backends.http import RetryPolicy, error_reason, guard_create, send_with_retry
from bot.backends.zendesk.forms import custom_field_value, parse_form
from bot.cache import StaleWhileRevalidateCache
from bot.domain.filing import BackendError, BackendUnavailable, CreatedTicket, NewTicket, Person, Reply
from bot.domain.forms import Form

log = logging.getLogger(__name__)

RESET_HEADERS = ("Retry-After",)
STATUSES = {"closed": "solved", "open": "open", "withdrawn": "solved"}
"""Neutral statuses -> Zendesk's. ``closed`` is Zendesk's own final state, reached from
``solved`` by its automations; "Not a ticket" solves it with the ``not_a_ticket`` tag."""
FIELD_PAGES = 20
"""Ticket fields are read 100 a page: at most 2,000 of them."""
EXTERNAL_ID_PREFIX = "slack:"


class ZendeskBackend:
    name = "zendesk"
    display_name = "Zendesk"
    form_label = "Form"
    open_status = "open"
    closed_status = "solved"
    withdrawn_status = "solved"
    workflow: Sequence[str] = ("open", "pending", "hold", "solved")
    closed_statuses = frozenset({"solved", "closed"})

    def __init__(
        self,
        *,
        client: httpx.AsyncClient,
        api_url: str,
        email: str,
        api_token: str,
        form_ids: Sequence[str],
        retry: RetryPolicy | None = None,
        user_cache_seconds: float = 3600.0,
    ) -> None:
        self._client = client
        self._api_url = api_url.rstrip("/")
        basic = base64.b64encode(f"{email}/token:{api_token}".encode()).decode()
        self._headers = {"Authorization": f"Basic {basic}", "Accept": "application/json"}
        self._form_ids = tuple(form_ids)
        self._retry = retry or RetryPolicy()
        self._users = StaleWhileRevalidateCache[str, int](self._find_user, ttl_seconds=user_cache_seconds)

    def form_ids(self) -> Sequence[str]:
        return self._form_ids

    async def load_form(self, form_id: str) -> Form:
        form = _json(await self._request("GET", f"/ticket_forms/{form_id}"), "the ticket form")
        return parse_form(form, await self._ticket_fields(), form_id=form_id)

    async def create_ticket(self, ticket: NewTicket) -> CreatedTicket:
        headers = {"Idempotency-Key": ticket.reference} if ticket.reference else {}
        # With the key, sending again after a lost answer is safe: Zendesk answers with the
        # ticket the first attempt made (``x-idempotency-lookup: hit``).
        response = await self._request(
            "POST", "/tickets", json=ticket_body(ticket), headers=headers, idempotent=ticket.reference is not None
        )
        return self._created(_json(response, "the new ticket").get("ticket"))

    async def find_created(self, ticket: NewTicket, *, since: float) -> CreatedTicket | None:
        """The ticket whose ``external_id`` names this request's reference."""
        if not ticket.reference:
            return None
        response = await self._request("GET", "/tickets", params={"external_id": external_id(ticket.reference)})
        found = _json(response, "the tickets found").get("tickets")
        return self._created(found[0]) if isinstance(found, list) and found else None

    async def add_reply(self, ticket_id: str, reply: Reply) -> str | None:
        """A comment: public, or ``public: false`` for a note. Its author is the Zendesk user with
        the person's e-mail; without one, the API's user writes it with the person's name."""
        author = await self._user_id(reply.author)
        comment: dict[str, Any] = {"body": reply.text, "public": not reply.internal}
        if author is not None:
            comment["author_id"] = author
        else:
            comment["body"] = f"{reply.author.name or reply.author.slack_id} (Slack): {reply.text}"
        response = await self._request("PUT", f"/tickets/{ticket_id}", json={"ticket": {"comment": comment}})
        return _comment_id(_json(response, "the updated ticket"))

    async def set_status(self, ticket_id: str, status: str) -> None:
        body: dict[str, Any] = {"status": STATUSES.get(status, status)}
        if status == "withdrawn":
            body["additional_tags"] = ["not_a_ticket"]
        await self._request("PUT", f"/tickets/{ticket_id}", json={"ticket": body})

    async def assign(self, ticket_id: str, assignee: Person) -> None:
        """To the agent's Zendesk user, found by their e-mail."""
        user = await self._user_id(assignee)
        if user is None:
            raise BackendError(f"{assignee.name or assignee.slack_id} has no Zendesk user to assign tickets to.")
        await self._request("PUT", f"/tickets/{ticket_id}", json={"ticket": {"assignee_id": user}})

    async def check_connection(self) -> None:
        await self._request("GET", "/users/me")

    def ticket_url(self, ticket_id: str) -> str:
        """The ticket in Zendesk's agent interface."""
        return self._api_url.removesuffix("/api/v2") + f"/agent/tickets/{ticket_id}"

    def _created(self, ticket: Any) -> CreatedTicket:
        ticket_id = ticket.get("id") if isinstance(ticket, dict) else None
        if not isinstance(ticket_id, int | str) or isinstance(ticket_id, bool) or not str(ticket_id):
            raise BackendUnavailable("Zendesk did not say which ticket it created.", maybe_done=True)
        status = ticket.get("status")
        return CreatedTicket(
            id=str(ticket_id),
            friendly_id=f"#{ticket_id}",
            url=self.ticket_url(str(ticket_id)),
            status=status if isinstance(status, str) else "new",
        )

    async def _ticket_fields(self) -> list[Any]:
        """Every ticket field of the account, cursor-paged."""
        fields: list[Any] = []
        params: dict[str, Any] | None = {"page[size]": 100}
        url = "/ticket_fields"
        for _ in range(FIELD_PAGES):
            body = _json(await self._request("GET", url, params=params), "the ticket fields")
            page = body.get("ticket_fields")
            fields.extend(page if isinstance(page, list) else [])
            links, meta = body.get("links"), body.get("meta")
            following = links.get("next") if isinstance(links, dict) else None
            if not (isinstance(meta, dict) and meta.get("has_more")) or not isinstance(following, str):
                break
            url, params = following, None
        return fields

    async def _user_id(self, person: Person) -> int | None:
        if not person.email:
            return None
        found = await self._users.get(person.email.lower())
        return found or None

    async def _find_user(self, email: str) -> int:
        """The Zendesk user with this e-mail (0: none; a miss is cached too)."""
        response = await self._request("GET", "/users/search", params={"query": f"email:{email}"})
        users = _json(response, "the users found").get("users")
        for user in users if isinstance(users, list) else []:
            if isinstance(user, dict) and isinstance(user.get("id"), int):
                return int(user["id"])
        return 0

    async def _request(
        self, method: str, path: str, *, idempotent: bool = True, headers: dict[str, str] | None = None, **kwargs: Any
    ) -> httpx.Response:
        url = path if path.startswith("https://") or path.startswith("http://") else self._api_url + path

        async def send() -> httpx.Response:
            if not idempotent:
                await guard_create()
            response = await self._client.request(method, url, headers={**self._headers, **(headers or {})}, **kwargs)
            if 400 <= response.status_code < 500 and response.status_code != 429:
                raise BackendError(zendesk_reason(response), status=response.status_code)
            return response

        return await send_with_retry(
            send, policy=self._retry, service=self.display_name, reset_headers=RESET_HEADERS, idempotent=idempotent
        )


def external_id(reference: str) -> str:
    return EXTERNAL_ID_PREFIX + reference


def ticket_body(ticket: NewTicket) -> dict[str, Any]:
    """``POST /api/v2/tickets``: the subject, the description as its first (public) comment, the
    requester by name and e-mail (Zendesk finds the user with that e-mail, or makes one), the form,
    its custom fields, and our reference as the ``external_id``."""
    description = ticket.draft.description.strip() or ticket.draft.title.strip()
    if ticket.message_link:
        description += f"\n\nSlack message: {ticket.message_link}"
    body: dict[str, Any] = {
        "subject": ticket.draft.title.strip(),
        "comment": {"body": description},
        "ticket_form_id": _as_id(ticket.form.id),
        "custom_fields": [
            {"id": _as_id(f.id), "value": custom_field_value(f, ticket.draft.values[f.id])}
            for f in ticket.form.fields
            if ticket.draft.values.get(f.id) is not None
        ],
        "tags": ["slack"],
    }
    requester = ticket.requester
    if requester.email:
        body["requester"] = {"name": requester.name or requester.email, "email": requester.email}
    if ticket.reference:
        body["external_id"] = external_id(ticket.reference)
    return {"ticket": body}


def zendesk_reason(response: httpx.Response) -> str:
    """Zendesk's own words: a 422's ``details`` (by attribute), else its ``description``."""
    if response.status_code == 404:
        return "Zendesk: ticket (or form) not found."
    try:
        body = response.json()
    except ValueError:
        return error_reason(response)
    details = body.get("details") if isinstance(body, dict) else None
    reasons = [
        item["description"]
        for items in (details.values() if isinstance(details, dict) else ())
        for item in (items if isinstance(items, list) else ())
        if isinstance(item, dict) and isinstance(item.get("description"), str)
    ]
    if reasons:
        return "; ".join(reasons)[:500]
    description = body.get("description") if isinstance(body, dict) else None
    return description[:500] if isinstance(description, str) and description else error_reason(response)


def _as_id(value: str) -> int | str:
    return int(value) if value.isdigit() else value


def _comment_id(body: dict[str, Any]) -> str | None:
    """The id of the comment an update made, from its audit's events."""
    audit = body.get("audit")
    events = audit.get("events") if isinstance(audit, dict) else None
    for event in events if isinstance(events, list) else []:
        if isinstance(event, dict) and event.get("type") == "Comment" and event.get("id") is not None:
            return str(event["id"])
    return None


def _json(response: httpx.Response, what: str) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError as exc:
        raise BackendUnavailable(f"Zendesk's answer for {what} could not be read.") from exc
    if not isinstance(body, dict):
        raise BackendUnavailable(f"Zendesk's answer for {what} could not be read.")
    return body
