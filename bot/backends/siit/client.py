"""Siit (https://api.siit.io/v1): services are forms, requests are tickets."""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import httpx

from bot.backends.budget import LocalRequestBudget
from bot.backends.http import RetryPolicy, error_reason, guard_create, send_with_retry
from bot.backends.siit.service import parse_service
from bot.cache import StaleWhileRevalidateCache
from bot.domain.conversation import HelpdeskMessage, RemoteState, Sender
from bot.domain.filing import BackendError, BackendUnavailable, CreatedTicket, NewTicket, Person, Reply
from bot.domain.forms import FieldKind, FieldValue, Form, FormField
from bot.tickets.budget import Background, RequestBudget

log = logging.getLogger(__name__)

RESET_HEADERS = ("Retry-After", "X-SiitApi-Reset")
STATUSES = {"closed": "resolved", "open": "open", "withdrawn": "archived"}
CONVERSATION_PAGES = 4
"""A conversation is read up to 200 messages deep."""
AGENT_PAGES = 4
LOOKBACK_PAGES = 4
"""How many pages of newest requests (50 each) to read for a create whose answer was lost."""
CLOCK_SKEW_SECONDS = 300.0
LABELLED_PREFIX = "label:"
"""Fields from the forms file, sent as Siit's arbitrary ``{label, value}`` inputs."""


@dataclass(frozen=True)
class SiitUser:
    uid: str
    is_admin: bool = False
    is_agent: bool = False
    """An admin or an agent: may act on any ticket from Slack (``bot.tickets.authorization``)."""


NO_USER = SiitUser(uid="")


@dataclass(frozen=True)
class SiitAgents:
    """Siit's admins and agents: their names by uid, and their e-mails."""

    names: dict[str, str]
    emails: frozenset[str]


def labelled(form_field: FormField) -> FormField:
    return replace(form_field, id=LABELLED_PREFIX + form_field.id)


class SiitBackend:
    name = "siit"
    display_name = "Siit"
    form_label = "Service"
    open_status = "open"
    closed_status = "resolved"
    withdrawn_status = "archived"
    workflow: Sequence[str] = ("open", "in_progress", "waiting", "resolved")
    closed_statuses = frozenset({"resolved", "archived"})

    def __init__(
        self,
        *,
        client: httpx.AsyncClient,
        api_url: str,
        api_token: str,
        service_ids: Sequence[str],
        retry: RetryPolicy | None = None,
        user_cache_seconds: float = 3600.0,
        agent_cache_seconds: float = 300.0,
        labelled_fields: Mapping[str, Sequence[FormField]] | None = None,
        budget: RequestBudget | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._api_url = api_url.rstrip("/")
        self._headers = {"Authorization": f"Bearer {api_token}", "Accept": "application/json"}
        self._service_ids = tuple(service_ids)
        # Siit allows 60 requests a minute; polling keeps 20 of them free for people.
        self._budget = budget or LocalRequestBudget(limit=60, per_seconds=60, reserve=20)
        self._labelled = {uid: tuple(labelled(f) for f in fields) for uid, fields in (labelled_fields or {}).items()}
        self._retry = retry or RetryPolicy()
        self._users = StaleWhileRevalidateCache[str, SiitUser](self._lookup_user, ttl_seconds=user_cache_seconds)
        # Siit's admins and agents, read whole: refreshed in the background after half of
        # ``agent_cache_seconds``, and never trusted past it.
        self._agent_seconds = agent_cache_seconds
        self._clock = clock
        self._agents_read_at = -math.inf
        self._agents = StaleWhileRevalidateCache[str, SiitAgents](
            self._read_agents, ttl_seconds=agent_cache_seconds / 2, clock=clock
        )

    def form_ids(self) -> Sequence[str]:
        return self._service_ids

    async def load_form(self, form_id: str) -> Form:
        response = await self._request("GET", f"/services/{form_id}")
        form = parse_service(_service_body(response), service_uid=form_id)
        return replace(form, fields=form.fields + self._labelled.get(form_id, ()))

    async def create_ticket(self, ticket: NewTicket) -> CreatedTicket:
        requester_uid = await self.siit_user_uid(ticket.requester)
        # Siit takes no idempotency key: a create is never resent blindly (``find_created``).
        if requester_uid is None:
            body = self._slack_request(ticket)
            response = await self._request("POST", "/requests/slack", json=body, idempotent=False)
        else:
            author_uid = await self._author(ticket, requester_uid)
            body = await self._request_body(ticket, requester_uid, author_uid)
            response = await self._request("POST", "/requests", json=body, idempotent=False)
        return _created(response)

    async def find_created(self, ticket: NewTicket, *, since: float) -> CreatedTicket | None:
        """Look among the newest requests (List Requests, newest first) for the one this create
        made: the same Slack message link when there is one, else the same title, description
        and service; stop at requests made before ``since``."""
        for page in range(1, LOOKBACK_PAGES + 1):
            response = await self._request("GET", "/requests", params={"page": page, "per_page": 50})
            try:
                body = response.json()
            except ValueError as exc:
                raise BackendUnavailable("Siit's list of requests could not be read.") from exc
            results = body.get("results") if isinstance(body, dict) else None
            if not isinstance(results, list) or not results:
                return None
            for item in results:
                if not isinstance(item, dict):
                    continue
                made_at = _timestamp(item.get("created_at"))
                if made_at is not None and made_at < since - CLOCK_SKEW_SECONDS:
                    return None
                if _same_request(item, ticket):
                    return _created_from(item)
            if not (isinstance(body.get("meta"), dict) and body["meta"].get("next_page_link")):
                return None
        return None

    async def add_reply(self, ticket_id: str, reply: Reply) -> str | None:
        """Public replies are messages, internal ones private notes; both need a Siit author.
        The uid of the message Siit made, when its answer gives one."""
        author = await self.siit_user_uid(reply.author)
        name = reply.author.name or reply.author.slack_id
        if reply.internal:
            body: dict[str, Any] = {"body_markdown": reply.text}
            if author:
                body["sent_by"] = author
            else:
                body["body_markdown"] = f"**{name}** (Slack): {reply.text}"
            return _posted_uid(await self._request("POST", f"/requests/{ticket_id}/notes", json=body))
        body = {"body_text": reply.text}
        if author:
            body["sent_by_uid"] = author
        else:
            body["body_text"] = f"{name} (Slack): {reply.text}"
        return _posted_uid(await self._request("POST", f"/requests/{ticket_id}/messages", json=body))

    async def assign(self, ticket_id: str, assignee: Person) -> None:
        """To the agent's Siit user (found by their email). The body's key is the create's
        ``assignee_admin`` [U: the assignee endpoint's body is not documented]."""
        uid = await self.siit_user_uid(assignee)
        if uid is None:
            raise BackendError(f"{assignee.name or assignee.slack_id} has no Siit user to assign tickets to.")
        await self._request("PATCH", f"/requests/{ticket_id}/assignee", json={"assignee_admin": uid})

    async def set_status(self, ticket_id: str, status: str) -> None:
        await self._request("PATCH", f"/requests/{ticket_id}/status", json={"status": STATUSES.get(status, status)})

    async def fetch_state(self, ticket_id: str) -> RemoteState:
        result = _result(await self._background(Background.STATUSES, "GET", f"/requests/{ticket_id}"), "the request")
        status, changed_at = result.get("status"), result.get("updated_at")
        return RemoteState(
            status=status if isinstance(status, str) else None,
            changed_at=changed_at if isinstance(changed_at, str) else None,
        )

    async def fetch_messages(self, ticket_id: str) -> Sequence[HelpdeskMessage]:
        """Up to ``CONVERSATION_PAGES`` pages of 50, oldest first as Siit gives them."""
        messages: list[HelpdeskMessage] = []
        for page in range(1, CONVERSATION_PAGES + 1):
            response = await self._background(
                Background.CONVERSATIONS,
                "GET",
                f"/requests/{ticket_id}/messages",
                params={"page": page, "per_page": 50},
            )
            body = _json(response, "the request's messages")
            results = body.get("results") if isinstance(body, dict) else None
            for item in results if isinstance(results, list) else []:
                message = conversation_message(item)
                if message is not None:
                    messages.append(message)
            meta = body.get("meta") if isinstance(body, dict) else None
            if not (isinstance(meta, dict) and meta.get("next_page_link")):
                break
        return messages

    async def agent_name(self, agent_uid: str) -> str | None:
        """From Siit's directory of admins and agents, read at most once an hour (a name not
        found there is looked for again at the next reading)."""
        return (await self._agents.get("agents")).names.get(agent_uid)

    async def _read_agents(self, _key: str) -> SiitAgents:
        """A refresh ahead of time is background work; once the last reading is too old to
        trust, someone is waiting on it."""
        urgent = self._clock() - self._agents_read_at >= self._agent_seconds
        names: dict[str, str] = {}
        emails: set[str] = set()
        for page in range(1, AGENT_PAGES + 1):
            params = {"role_in[]": ["admin", "agent"], "page": page, "per_page": 50}
            if urgent:
                response = await self._request("GET", "/users", params=params)
            else:
                response = await self._background(Background.RIGHTS, "GET", "/users", params=params)
            body = _json(response, "Siit's users")
            results = body.get("results") if isinstance(body, dict) else None
            for user in results if isinstance(results, list) else []:
                if isinstance(user, dict) and isinstance(user.get("uid"), str):
                    name = user.get("full_name")
                    if isinstance(name, str) and name.strip():
                        names[user["uid"]] = name.strip()
                    listed = user.get("emails")
                    for email in [*(listed if isinstance(listed, list) else []), user.get("email")]:
                        if isinstance(email, str) and email:
                            emails.add(email.lower())
            meta = body.get("meta") if isinstance(body, dict) else None
            if not (isinstance(meta, dict) and meta.get("next_page_link")):
                break
        self._agents_read_at = self._clock()
        return SiitAgents(names=names, emails=frozenset(emails))

    async def _background(self, work: Background, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """A background read: only within the budget ``work`` may use (``bot.tickets.budget``)."""
        if not await self._budget.try_take_background(work):
            raise BackendUnavailable("Siit's request budget is kept for people right now.")
        return await self._request(method, path, background=True, **kwargs)

    async def check_connection(self) -> None:
        await self._request("GET", "/ping")

    async def is_agent(self, person: Person) -> bool:
        """An admin or agent in Siit's directory of them (read whole, at most
        ``agent_cache_seconds`` old), by the member's Slack email. Raises ``BackendError`` when
        Siit cannot say and the last answer is too old to trust."""
        if not person.email:
            return False
        agents = await self._agents.get("agents", max_age=self._agent_seconds)
        return person.email.lower() in agents.emails

    async def siit_user_uid(self, person: Person) -> str | None:
        """The Siit user with the member's Slack email, cached (a miss is cached too)."""
        user = await self._siit_user(person)
        return user.uid if user else None

    async def _siit_user(self, person: Person) -> SiitUser | None:
        if not person.email:
            return None
        user = await self._users.get(person.email.lower())
        return user if user.uid else None

    async def _author(self, ticket: NewTicket, requester_uid: str) -> str:
        """Siit's rule: the author is the requester or an admin. Someone filing for another
        person is the author only when they are a Siit admin; otherwise the requester is."""
        if ticket.reporter.slack_id == ticket.requester.slack_id:
            return requester_uid
        reporter = await self._siit_user(ticket.reporter)
        return reporter.uid if reporter and reporter.is_admin else requester_uid

    async def _request_body(self, ticket: NewTicket, requester_uid: str, author_uid: str) -> dict[str, Any]:
        inputs: list[dict[str, Any]] = []
        for form_field in ticket.form.fields:
            value = ticket.draft.values.get(form_field.id)
            if value is None:
                continue
            if form_field.id.startswith(LABELLED_PREFIX):
                inputs.append({"label": form_field.label, "value": _label_value(form_field, value, ticket)})
                continue
            if form_field.kind is FieldKind.USER:
                value = await self._people_uids(form_field, value, ticket)
                if value is None:
                    inputs.append(
                        {
                            "label": form_field.label,
                            "value": _people_text(ticket, ticket.draft.values[form_field.id]),
                        }
                    )
                    continue
            inputs.append({"uid": form_field.id, "value": _native_value(form_field, value)})
        body: dict[str, Any] = {
            "title": ticket.draft.title,
            "submitted_from": "slack",
            "author": author_uid,
            "requested_by": requester_uid,
            "target": ticket.form.id,
            "custom_form_inputs": inputs,
        }
        if ticket.draft.description:
            body["description"] = ticket.draft.description
        if ticket.message_link:
            body["slack_direct_link"] = ticket.message_link
        return body

    def _slack_request(self, ticket: NewTicket) -> dict[str, Any]:
        """For a member without a Siit user: Siit's Slack route takes Slack IDs and label inputs."""
        inputs = [
            {"label": f.label, "value": _label_value(f, ticket.draft.values[f.id], ticket)}
            for f in ticket.form.fields
            if ticket.draft.values.get(f.id) is not None
        ]
        body: dict[str, Any] = {
            "title": ticket.draft.title,
            "slack_user_id": ticket.requester.slack_id,
            "target": ticket.form.id,
            "custom_form_inputs": inputs,
        }
        if ticket.draft.description:
            body["description"] = ticket.draft.description
        if ticket.channel_id:
            body["slack_channel_id"] = ticket.channel_id
        if ticket.message_link:
            body["slack_message_link"] = ticket.message_link
        return body

    async def _people_uids(self, form_field: FormField, value: FieldValue, ticket: NewTicket) -> FieldValue:
        slack_ids = value if isinstance(value, list) else [value] if isinstance(value, str) else []
        uids = [await self.siit_user_uid(ticket.people.get(s, Person(s))) for s in slack_ids]
        if any(uid is None for uid in uids):
            return None
        found = [uid for uid in uids if uid]
        return found if form_field.multiple else found[0] if found else None

    async def _lookup_user(self, email: str) -> SiitUser:
        response = await self._request("GET", "/users", params={"email_in[]": email})
        body = response.json()
        results = body.get("results") if isinstance(body, dict) else None
        for user in results if isinstance(results, list) else []:
            if isinstance(user, dict) and isinstance(user.get("uid"), str):
                role = user.get("role_name")
                return SiitUser(uid=user["uid"], is_admin=role == "admin", is_agent=role in ("admin", "agent"))
        return NO_USER

    async def _request(
        self, method: str, path: str, *, background: bool = False, idempotent: bool = True, **kwargs: Any
    ) -> httpx.Response:
        """``background`` calls took their budget slot already and are not retried."""
        url = self._api_url + path

        async def send() -> httpx.Response:
            if not background:
                await self._budget.take()
            if not idempotent:
                await guard_create()  # the wait for a slot may have outlasted the lease
            return await self._client.request(method, url, headers=self._headers, **kwargs)

        return await send_with_retry(
            send,
            policy=RetryPolicy(attempts=1) if background else self._retry,
            service=self.display_name,
            reset_headers=RESET_HEADERS,
            idempotent=idempotent,
        )


def _service_body(response: httpx.Response) -> Any:
    """The service in Siit's answer; a 200 that is not one (an HTML page, an error body) is a
    clear refusal, never an empty form."""
    try:
        body = response.json()
    except ValueError as exc:
        raise BackendError("Siit's answer is not a service definition (it is not JSON).") from exc
    service = body.get("result", body) if isinstance(body, dict) else None
    if isinstance(service, dict) and {"uid", "name", "custom_form_input_configuration"} & service.keys():
        return body
    if isinstance(body, dict) and {"error", "errors", "message"} & body.keys():
        raise BackendError(f"Siit did not send the form: {error_reason(response)}")
    raise BackendError("Siit's answer is not a service definition.")


def _same_request(item: Mapping[str, Any], ticket: NewTicket) -> bool:
    if ticket.message_link:
        return (
            item.get("slack_direct_link") == ticket.message_link
            or item.get("slack_message_link") == ticket.message_link
        )
    target = item.get("target_uid", item.get("target"))
    return (
        item.get("title") == ticket.draft.title
        and (item.get("description") or "") == (ticket.draft.description or "")
        and (target is None or target == ticket.form.id)
    )


def _timestamp(value: object) -> float | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def _created_from(result: Mapping[str, Any]) -> CreatedTicket:
    uid = str(result["uid"])
    url = result.get("admin_permalink_url")
    status = result.get("status")
    return CreatedTicket(
        id=uid,
        friendly_id=str(result.get("friendly_id") or uid),
        url=url if isinstance(url, str) else None,
        status=status if isinstance(status, str) else None,
    )


def _created(response: httpx.Response) -> CreatedTicket:
    try:
        body = response.json()
    except ValueError as exc:
        raise BackendUnavailable("Siit's answer to the new request could not be read.", maybe_done=True) from exc
    result = body.get("result", body) if isinstance(body, dict) else None
    if not isinstance(result, dict) or not isinstance(result.get("uid"), str):
        raise BackendUnavailable("Siit did not say which request it created.", maybe_done=True)
    return _created_from(result)


def _native_value(form_field: FormField, value: FieldValue) -> FieldValue | int:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if form_field.multiple and isinstance(value, str):
        return [value]
    return value


def _label_value(form_field: FormField, value: FieldValue, ticket: NewTicket) -> str:
    if form_field.kind is FieldKind.USER:
        return _people_text(ticket, value)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    if isinstance(value, list):
        return ", ".join(_option_label(form_field, v) for v in value)
    return _option_label(form_field, value) if isinstance(value, str) else ""


def _option_label(form_field: FormField, value: str) -> str:
    option = form_field.option_by_value(value)
    return option.label if option else value


def _people_text(ticket: NewTicket, value: FieldValue) -> str:
    slack_ids = value if isinstance(value, list) else [value] if isinstance(value, str) else []
    people = [ticket.people.get(s, Person(s)) for s in slack_ids]
    return ", ".join(f"{p.name or p.email or p.slack_id} (<@{p.slack_id}>)" for p in people)


def _json(response: httpx.Response, what: str) -> Any:
    try:
        return response.json()
    except ValueError as exc:
        raise BackendError(f"Siit's answer about {what} could not be read.") from exc


def _result(response: httpx.Response, what: str) -> dict[str, Any]:
    body = _json(response, what)
    result = body.get("result", body) if isinstance(body, dict) else None
    return result if isinstance(result, dict) else {}


def conversation_message(item: Any) -> HelpdeskMessage | None:
    """One ``GET /v1/requests/{uid}/messages`` item (api-notes: ``event_type`` message | note |
    permalink, ``sender_type`` internal | admin | user); ``None`` for what is not a message."""
    if not isinstance(item, dict) or not isinstance(item.get("uid"), str):
        return None
    kind = item.get("event_type")
    if kind not in ("message", "note"):
        return None
    text = item.get("body_text") or item.get("body_markdown") or ""
    sender_type = item.get("sender_type")
    sender = {"admin": Sender.AGENT, "user": Sender.REQUESTER}.get(str(sender_type), Sender.OTHER)
    links = []
    for attachment in item.get("attachments") or []:
        url = attachment.get("url") if isinstance(attachment, dict) else attachment
        if isinstance(url, str) and url.startswith(("https://", "http://")):
            links.append(url)
    sent_by = item.get("sent_by_uid")
    return HelpdeskMessage(
        uid=item["uid"],
        text=text if isinstance(text, str) else "",
        public=kind == "message",
        sender=sender,
        sender_uid=sent_by if isinstance(sent_by, str) else None,
        attachments=tuple(links),
    )


def _posted_uid(response: httpx.Response) -> str | None:
    """``{"result": {"uid": ...}}``, if the answer is that shape (undocumented: best effort)."""
    try:
        result = response.json().get("result")
    except (ValueError, AttributeError):
        return None
    uid = result.get("uid") if isinstance(result, dict) else None
    return uid if isinstance(uid, str) and uid else None
