"""The database schema."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    func,
)

metadata = MetaData()

tickets = Table(
    "tickets",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("backend", String(32), nullable=False),
    # What the helpdesk names and says is stored whole, whatever its length (cut only for display).
    Column("ticket_id", String(255), nullable=False),
    Column("friendly_id", Text, nullable=False),
    Column("url", Text),
    Column("title", Text, nullable=False, server_default=""),
    Column("form_id", String(255), nullable=False, server_default=""),
    Column("form_name", Text, nullable=False, server_default=""),
    Column("status", Text),
    Column("team_id", String(32), nullable=False),
    Column("channel_id", String(32)),
    Column("message_ts", String(32)),
    Column("thread_ts", String(32)),
    Column("requester_id", String(32), nullable=False),
    Column("reporter_id", String(32), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    # Polling (helpdesks without webhooks): when last checked, until when it counts as active
    # (checked often), the helpdesk's last-change mark, and since when agent messages are shown
    # (NULL for tickets filed before replies were read back: their first read shows nothing).
    Column("checked_at", Float),
    Column("active_until", Float),
    Column("conversation_mark", Text),
    Column("replies_from", Float),
    Column("status_at", Float),  # when the status last changed here (App Home: recently resolved)
    Column("withdrawable", Boolean, nullable=False, server_default=false()),
    Column("assignee_id", String(32)),
    Column("summary", Text, nullable=False, server_default=""),
    # The ticket's message in the agents' triage channel: the channel is set (claimed) before
    # posting, so one instance posts it; the ts once posted.
    Column("triage_channel", String(32)),
    Column("triage_ts", String(32)),
    # When the triage post was claimed: a claim with no ts after a while was cut off (a crash, a
    # failed write after the post) and is taken over, looking for the post first.
    Column("triage_claimed_at", Float),
    # "Not a ticket" is accepted until then (and while ``withdrawable``: until an agent acts).
    Column("withdrawable_until", Float),
    UniqueConstraint("backend", "ticket_id", name="uq_tickets_backend_ticket"),
    Index("ix_tickets_thread", "channel_id", "thread_ts"),
    # App Home: a person's tickets (as requester or as the one who filed it), the agents' queue.
    Index("ix_tickets_requester", "backend", "requester_id"),
    Index("ix_tickets_reporter", "backend", "reporter_id"),
    Index("ix_tickets_status", "backend", "status"),
    Index("ix_tickets_triage", "triage_channel", "triage_ts"),
)

drafts = Table(
    "drafts",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("team_id", String(32), nullable=False),
    Column("user_id", String(32), nullable=False),
    Column("channel_id", String(32)),
    Column("content", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

outbox = Table(
    "outbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("backend", String(32), nullable=False),
    Column("status", String(16), nullable=False, index=True),
    Column("payload", JSON, nullable=False),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("due_at", Float, nullable=False),
    Column("last_error", Text),
    Column("ticket_id", String(255)),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    # Whose attempt holds the item: every write of an attempt names it, so a lost lease writes nothing.
    Column("lease_token", String(36)),
    # The step under way may have taken effect without our knowing (a create sent, an announcement
    # posted): the next attempt looks before doing it again.
    Column("uncertain", Boolean, nullable=False, server_default=false()),
    Column("first_attempt_at", Float),
    # The helpdesk's answer to a create, kept before anything else so a retry never files again.
    Column("result", JSON),
    # A create's own reference (``NewTicket.reference``), by which a helpdesk's webhook names it.
    Column("reference", String(64), index=True),
)

message_tickets = Table(
    "message_tickets",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("team_id", String(32), nullable=False),
    Column("channel_id", String(32), nullable=False),
    Column("thread_ts", String(32), nullable=False),
    Column("friendly_id", Text),
    Column("url", Text),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("outbox_id", Integer),  # the delivery recorded with the claim, in the same transaction
    # A help channel's message filed on its own: its author's next messages may join its ticket.
    Column("author_id", String(32)),
    # The guarantee of one ticket per Slack message and per thread, across retries and processes.
    # A channel ID names the channel in every workspace that shares it (Slack Connect, Grid), so
    # the team is not part of the key.
    UniqueConstraint("channel_id", "thread_ts", name="uq_message_tickets_channel_thread"),
    Index("ix_message_tickets_channel_author", "channel_id", "author_id"),
)

synced_messages = Table(
    "synced_messages",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("team_id", String(32), nullable=False),
    Column("channel_id", String(32), nullable=False),
    Column("message_ts", String(32), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    # One backend reply per Slack message, whatever Slack retries or whichever workspace sends it.
    UniqueConstraint("channel_id", "message_ts", name="uq_synced_messages_channel_message"),
)

helpdesk_messages = Table(
    "helpdesk_messages",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("backend", String(32), nullable=False),
    Column("ticket_id", String(255), nullable=False),
    Column("message_uid", String(255), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    # Each helpdesk message is shown in Slack once, whichever instance reads it, after restarts.
    UniqueConstraint("backend", "ticket_id", "message_uid", name="uq_helpdesk_messages_message"),
)

sent_replies = Table(
    "sent_replies",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("backend", String(32), nullable=False),
    Column("ticket_id", String(255), nullable=False, index=True),
    Column("fingerprint", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("sent_at", Float),  # an echo is matched only within a window after sending, and once
)

webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    # One row per webhook delivery seen (its identity), kept for a window: a replay is answered
    # but not acted on again.
    Column("key", String(64), primary_key=True),
    Column("received_at", Float, nullable=False, index=True),
)

poll_schedule = Table(
    "poll_schedule",
    metadata,
    # One row per background poll: the next time it is due and where its round robin stands,
    # shared by every instance on the database so that together they poll as one.
    Column("name", String(64), primary_key=True),
    Column("next_at", Float, nullable=False),
    Column("cursor", Integer, nullable=False, server_default="0"),
)

request_budgets = Table(
    "request_budgets",
    metadata,
    # One row per helpdesk token's budget: locked while a slot is taken, so that every instance
    # on the database counts against one limit.
    Column("name", String(64), primary_key=True),
)

request_slots = Table(
    "request_slots",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(64), nullable=False),
    Column("at", Float, nullable=False),
    Index("ix_request_slots_name_at", "name", "at"),
)

inbox = Table(
    "inbox",
    metadata,
    # What Slack handed us and we acknowledged, recorded before the ack, until it is acted on:
    # deleted in the transaction that records its outcome (an outbox item) or once its listener
    # ended with nothing to do; after a crash, replayed from here.
    Column("id", String(32), primary_key=True),
    Column("body", JSON, nullable=False),
    Column("received_at", Float, nullable=False),
    # Until when the listener that took it may still be working on it: replayed after that.
    Column("due_at", Float, nullable=False, index=True),
    Column("attempts", Integer, nullable=False, server_default="0"),
)
