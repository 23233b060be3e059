"""The inbox: Slack's requests recorded before they are acknowledged, until acted on; when a
ticket's triage post was claimed; until when a ticket may be withdrawn

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05 17:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "inbox",
        sa.Column("id", sa.String(length=32), primary_key=True),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("received_at", sa.Float(), nullable=False),
        sa.Column("due_at", sa.Float(), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
    )
    op.create_index("ix_inbox_due_at", "inbox", ["due_at"])
    with op.batch_alter_table("tickets") as batch:
        batch.add_column(sa.Column("triage_claimed_at", sa.Float(), nullable=True))
        batch.add_column(sa.Column("withdrawable_until", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.drop_column("withdrawable_until")
        batch.drop_column("triage_claimed_at")
    op.drop_index("ix_inbox_due_at", table_name="inbox")
    op.drop_table("inbox")
