"""the Home tab: who opened it, and a digest of the view last published for them

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 18:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "home_viewers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("opened_at", storage.types.UTCDateTime(), nullable=False),
        sa.Column("published_hash", sa.String(length=64), nullable=True),
        sa.Column("published_at", storage.types.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_home_viewers")),
        sa.UniqueConstraint("team_id", "user_id", name=op.f("uq_home_viewers_team_id")),
    )


def downgrade() -> None:
    op.drop_table("home_viewers")
