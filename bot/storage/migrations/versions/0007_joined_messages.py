"""Help channels: who wrote the message a thread's claim was taken for, so that the same
person's next messages within the route's ``coalesce_seconds`` join its ticket

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 19:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("message_tickets") as batch:
        batch.add_column(sa.Column("author_id", sa.String(length=32), nullable=True))
    op.create_index("ix_message_tickets_channel_author", "message_tickets", ["channel_id", "author_id"])


def downgrade() -> None:
    op.drop_index("ix_message_tickets_channel_author", table_name="message_tickets")
    with op.batch_alter_table("message_tickets") as batch:
        batch.drop_column("author_id")
