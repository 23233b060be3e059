"""exactly once: claims keyed by channel, leases, uncertain steps, shared request budget

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 19:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A thread claimed twice under two team ids (a shared channel) keeps its oldest claim.
    op.execute(
        "DELETE FROM message_tickets WHERE id NOT IN "
        "(SELECT min(id) FROM message_tickets GROUP BY channel_id, thread_ts)"
    )
    op.execute(
        "DELETE FROM synced_messages WHERE id NOT IN "
        "(SELECT min(id) FROM synced_messages GROUP BY channel_id, message_ts)"
    )
    with op.batch_alter_table("message_tickets") as batch:
        batch.drop_constraint("uq_message_tickets_thread", type_="unique")
        batch.create_unique_constraint("uq_message_tickets_channel_thread", ["channel_id", "thread_ts"])
        batch.alter_column("friendly_id", type_=sa.Text(), existing_nullable=True)
        batch.add_column(sa.Column("outbox_id", sa.Integer(), nullable=True))
    with op.batch_alter_table("synced_messages") as batch:
        batch.drop_constraint("uq_synced_messages_message", type_="unique")
        batch.create_unique_constraint("uq_synced_messages_channel_message", ["channel_id", "message_ts"])
    with op.batch_alter_table("tickets") as batch:
        batch.alter_column("friendly_id", type_=sa.Text(), existing_nullable=False)
        batch.alter_column("status", type_=sa.Text(), existing_nullable=True)
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("lease_token", sa.String(length=36), nullable=True))
        batch.add_column(sa.Column("uncertain", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch.add_column(sa.Column("first_attempt_at", sa.Float(), nullable=True))
        batch.add_column(sa.Column("result", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("reference", sa.String(length=64), nullable=True))
        batch.create_index("ix_outbox_reference", ["reference"])
    # Items under way when the app stopped may have reached the helpdesk: look before re-filing.
    op.execute("UPDATE outbox SET uncertain = true WHERE status = 'pending' AND attempts > 0")
    op.create_table("request_budgets", sa.Column("name", sa.String(length=64), primary_key=True))
    op.create_table(
        "request_slots",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_request_slots_name_at", "request_slots", ["name", "at"])
    with op.batch_alter_table("sent_replies") as batch:
        batch.add_column(sa.Column("sent_at", sa.Float(), nullable=True))
    op.create_table(
        "webhook_deliveries",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("received_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_index("ix_webhook_deliveries_received_at", "webhook_deliveries", ["received_at"])


def downgrade() -> None:
    op.drop_index("ix_webhook_deliveries_received_at", table_name="webhook_deliveries")
    op.drop_table("webhook_deliveries")
    with op.batch_alter_table("sent_replies") as batch:
        batch.drop_column("sent_at")
    op.drop_index("ix_request_slots_name_at", table_name="request_slots")
    op.drop_table("request_slots")
    op.drop_table("request_budgets")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_index("ix_outbox_reference")
        for column in ("reference", "result", "first_attempt_at", "uncertain", "lease_token"):
            batch.drop_column(column)
    with op.batch_alter_table("tickets") as batch:
        batch.alter_column("status", type_=sa.String(length=64), existing_nullable=True)
        batch.alter_column("friendly_id", type_=sa.String(length=255), existing_nullable=False)
    with op.batch_alter_table("synced_messages") as batch:
        batch.drop_constraint("uq_synced_messages_channel_message", type_="unique")
        batch.create_unique_constraint("uq_synced_messages_message", ["team_id", "channel_id", "message_ts"])
    with op.batch_alter_table("message_tickets") as batch:
        batch.drop_column("outbox_id")
        batch.alter_column("friendly_id", type_=sa.String(length=255), existing_nullable=True)
        batch.drop_constraint("uq_message_tickets_channel_thread", type_="unique")
        batch.create_unique_constraint("uq_message_tickets_thread", ["team_id", "channel_id", "thread_ts"])
