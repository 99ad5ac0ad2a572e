"""the inbox of requests stored before their ack; retro items keep the request that made them

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "inbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("received_at", storage.types.UTCDateTime(), nullable=False),
        sa.Column("claimed_at", storage.types.UTCDateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("done_at", storage.types.UTCDateTime(), nullable=True),
        sa.Column("failure", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbox")),
        sa.UniqueConstraint("team_id", "key", name=op.f("uq_inbox_team_id")),
    )
    with op.batch_alter_table("inbox", schema=None) as batch_op:
        batch_op.create_index(
            "ix_inbox_unfinished",
            ["received_at"],
            unique=False,
            sqlite_where=sa.text("done_at IS NULL"),
            postgresql_where=sa.text("done_at IS NULL"),
        )
        batch_op.create_index("ix_inbox_done_at", ["done_at"], unique=False)
    # The inbox's unique key does what processed_events did (a retried event is taken once).
    op.drop_table("processed_events")
    with op.batch_alter_table("retro_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("request_key", sa.String(length=200), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_retro_items_team_id"), ["team_id", "request_key"]
        )


def downgrade() -> None:
    with op.batch_alter_table("retro_items", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_retro_items_team_id"), type_="unique")
        batch_op.drop_column("request_key")
    op.create_table(
        "processed_events",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("received_at", storage.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("team_id", "event_id", name=op.f("pk_processed_events")),
    )
    with op.batch_alter_table("inbox", schema=None) as batch_op:
        batch_op.drop_index("ix_inbox_done_at")
        batch_op.drop_index("ix_inbox_unfinished")
    op.drop_table("inbox")
