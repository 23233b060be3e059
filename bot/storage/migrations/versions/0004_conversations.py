"""conversations read back: helpdesk messages shown once, per-ticket polling state

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 01:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "helpdesk_messages",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("backend", sa.String(length=32), nullable=False),
        sa.Column("ticket_id", sa.String(length=255), nullable=False),
        sa.Column("message_uid", sa.String(length=255), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("backend", "ticket_id", "message_uid", name="uq_helpdesk_messages_message"),
    )
    with op.batch_alter_table("tickets") as batch:
        batch.add_column(sa.Column("checked_at", sa.Float(), nullable=True))
        batch.add_column(sa.Column("active_until", sa.Float(), nullable=True))
        batch.add_column(sa.Column("conversation_mark", sa.Text(), nullable=True))
        batch.add_column(sa.Column("replies_from", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.drop_column("replies_from")
        batch.drop_column("conversation_mark")
        batch.drop_column("active_until")
        batch.drop_column("checked_at")
    op.drop_table("helpdesk_messages")
