"""App Home: a person's tickets and the agents' queue read by index; when a status last changed;
tickets filed without a click may be withdrawn; the assignee and the triage message

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 03:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.add_column(sa.Column("status_at", sa.Float(), nullable=True))
        batch.add_column(sa.Column("withdrawable", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch.add_column(sa.Column("assignee_id", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("summary", sa.Text(), server_default="", nullable=False))
        batch.add_column(sa.Column("triage_channel", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("triage_ts", sa.String(length=32), nullable=True))
    op.create_index("ix_tickets_requester", "tickets", ["backend", "requester_id"])
    op.create_index("ix_tickets_reporter", "tickets", ["backend", "reporter_id"])
    op.create_index("ix_tickets_status", "tickets", ["backend", "status"])
    op.create_index("ix_tickets_triage", "tickets", ["triage_channel", "triage_ts"])


def downgrade() -> None:
    op.drop_index("ix_tickets_triage", table_name="tickets")
    op.drop_index("ix_tickets_status", table_name="tickets")
    op.drop_index("ix_tickets_reporter", table_name="tickets")
    op.drop_index("ix_tickets_requester", table_name="tickets")
    with op.batch_alter_table("tickets") as batch:
        batch.drop_column("triage_ts")
        batch.drop_column("triage_channel")
        batch.drop_column("summary")
        batch.drop_column("assignee_id")
        batch.drop_column("withdrawable")
        batch.drop_column("status_at")
