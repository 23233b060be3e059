"""Telling the person how their ticket stands: in the modal while it is open, else by DM."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View
from slack_sdk.web.async_client import AsyncWebClient

from bot.delivery.failures import TransientFailure
from bot.delivery.request import AssignRequest, CloseRequest, ReplyRequest, TicketRequest, TicketWrite, Write
from bot.domain.filing import BackendError, BackendUnavailable
from bot.domain.ticket import Ticket
from bot.slack.plumbing.calls import best_effort, slack_error
from bot.slack.plumbing.mrkdwn import escape
from bot.slack.plumbing.pace import ChannelPace
from bot.slack.thread.announce import announce_ticket
from bot.slack.thread.ticket_thread import TicketThread
from bot.slack.views.limits import short_hash
from bot.slack.views.modal_states import (
    delayed_text,
    delayed_view,
    failed_view,
    failure_blocks,
    filed_view,
    message_view,
)
from bot.slack.ways_in.modal import update_view
from bot.tickets.ports import ThreadClaims, TicketBackend, TicketRecords
from bot.tickets.updates import TicketUpdates

log = logging.getLogger(__name__)


class SlackNotifier:
    """The delivery listener for tickets asked for in Slack."""

    def __init__(
        self,
        *,
        client: AsyncWebClient,
        tickets: TicketRecords,
        thread_claims: ThreadClaims,
        thread: TicketThread,
        updates: TicketUpdates,
        backend: TicketBackend,
        pace: ChannelPace | None = None,
        done_emoji: str = "white_check_mark",
    ) -> None:
        self._client = client
        self._pace = pace
        self._tickets = tickets
        self._thread_claims = thread_claims
        self._thread = thread
        self._updates = updates
        self._helpdesk = backend.display_name
        self._backend_name = backend.name
        self._statuses = {
            "closed": backend.closed_status,
            "open": backend.open_status,
            "withdrawn": backend.withdrawn_status,
        }
        self._done_emoji = done_emoji

    async def filed(self, request: TicketRequest, record: Ticket, *, uncertain: bool) -> None:
        """Idempotent: a step of the delivery, retried until it is done."""
        origin = request.origin
        key = request.thread_key()  # its claim was named with the ticket, before this confirmation
        announced = await announce_ticket(
            self._client, self._tickets, record, thread_ts=origin.thread_ts, look_first=uncertain, pace=self._pace
        )
        if key is not None and announced.friendly_id != record.friendly_id:  # renamed meanwhile
            await self._thread_claims.filed(key, friendly_id=announced.friendly_id, url=announced.url)
        record = announced
        if origin.via_reaction and origin.channel_id and origin.message_ts:
            await self._mark(origin.channel_id, origin.message_ts)
        where = f"Follow it in <#{record.channel_id}>." if record.channel_id else "Follow it in the helpdesk."
        await self._show(request, filed_view(record, where))  # its drafts go when the step is done
        await self._updates.filed(record, entry_point=origin.entry_point)

    async def replied(self, request: ReplyRequest, *, again: bool = False) -> None:
        record = await self._record(request.ticket_id)
        # A reply from the modal is shown in the thread (one typed there already is); an internal
        # note never is. Told again after a crash, the line is looked for before it is posted.
        if record is not None and not request.internal and request.origin.view_id is not None:
            line = f"<@{request.origin.user_id}> added: {escape(request.text)}"
            await self._thread.say(
                record, line, once=f"{request.origin.view_id}:{short_hash(request.text)}", again=again
            )
        sent = "Internal note added." if request.internal else "Sent."
        await self._show(request, message_view(f":white_check_mark: {sent}", title="Reply"))

    async def closed(self, request: CloseRequest, *, again: bool = False) -> None:
        record = await self._record(request.ticket_id)
        if record is not None:
            status = self._statuses.get(request.status, request.status)
            await self._updates.status_changed(record, status, again=again)

    async def assigned(self, request: AssignRequest) -> None:
        record = await self._record(request.ticket_id)
        if record is not None:
            await self._updates.assigned(record, request.assignee.slack_id)

    async def delayed(self, request: Write, error: BackendUnavailable) -> None:
        rate_limited = error.retry_after is not None
        if isinstance(request, TicketRequest):
            if not await self._show(request, delayed_view(self._helpdesk, error.reason, rate_limited=rate_limited)):
                text = delayed_text(self._helpdesk, rate_limited=rate_limited)
                await self._dm(request, text + " You will get a message when it is filed.")
            return
        if isinstance(request, ReplyRequest):
            what = "reply"
        elif isinstance(request, AssignRequest):
            what = "assignment"
        else:
            verb = {"closed": "close", "open": "reopen", "withdrawn": "withdraw"}.get(request.status, "change")
            what = f"request to {verb} the ticket"
        await self._tell(
            request,
            f":inbox_tray: {self._helpdesk} is not answering; your {what} is saved and will be sent automatically.",
        )

    async def refused(self, request: Write, error: BackendError) -> None:
        if not isinstance(request, TicketRequest):
            await self._tell(request, f":x: {self._helpdesk} did not accept it: {escape(error.reason)}")
            return
        await self._release(request)
        draft_id = request.origin.draft_id or ""
        if not await self._show(request, failed_view(self._helpdesk, error.reason, draft_id=draft_id, retryable=False)):
            await self._dm_failure(request, error)

    async def gave_up(self, request: Write, error: BackendError) -> None:
        if not isinstance(request, TicketRequest):
            await self._tell(request, f":x: {self._helpdesk} did not answer; it was not sent: {escape(error.reason)}")
            return
        await self._release(request)
        await self._dm_failure(request, error, retryable=True)

    async def _record(self, ticket_id: str) -> Ticket | None:
        return await self._tickets.get(self._backend_name, ticket_id)

    async def _tell(self, request: TicketWrite, text: str) -> None:
        """In the modal it came from, else only to that person where they asked (the ticket's
        thread, or its triage message's)."""
        if await self._show(request, message_view(text, title="Reply")):
            return
        record = await self._record(request.ticket_id)
        channel = request.origin.channel_id or (record.channel_id if record else None)
        if record is None or not channel:
            return
        thread = request.origin.thread_ts or (record.thread_ts if channel == record.channel_id else None)
        await best_effort(
            self._client.chat_postEphemeral(channel=channel, user=request.origin.user_id, text=text, thread_ts=thread),
            f"telling {request.origin.user_id}",
        )

    async def _release(self, request: TicketRequest) -> None:
        key = request.thread_key()
        if key is not None:
            await self._thread_claims.release(key)

    async def _mark(self, channel_id: str, message_ts: str) -> None:
        try:
            await self._client.reactions_add(channel=channel_id, timestamp=message_ts, name=self._done_emoji)
        except SlackApiError as exc:
            log.info("could not mark %s/%s: %s", channel_id, message_ts, slack_error(exc))
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise TransientFailure(f"Slack unreachable ({type(exc).__name__})") from exc

    async def _show(self, request: Write, view: View) -> bool:
        if request.origin.view_id is None:
            return False
        try:
            return await update_view(self._client, request.origin.view_id, view)
        except (aiohttp.ClientError, TimeoutError) as exc:
            # The answer was lost (the update may have been made): the step is retried, and its
            # announcement is looked for before it is posted again.
            raise TransientFailure(f"Slack unreachable ({type(exc).__name__})") from exc

    async def _dm_failure(self, request: TicketRequest, error: BackendError, *, retryable: bool = False) -> None:
        draft_id = request.origin.draft_id or ""
        blocks = failure_blocks(self._helpdesk, error.reason, draft_id=draft_id, retryable=retryable)
        await self._dm(request, f"Your ticket was not filed: {escape(error.reason)}", blocks)

    async def _dm(self, request: TicketRequest, text: str, blocks: Sequence[Block] | None = None) -> None:
        try:
            await self._client.chat_postMessage(channel=request.origin.user_id, text=text, blocks=blocks)
        except SlackApiError as exc:
            log.error("could not message %s: %s", request.origin.user_id, slack_error(exc))
