"""each person's and channel's language: the Slack locale last seen, one's own choice, the DM
channel, and a channel's chosen language or the owner whose language it follows

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "person_languages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("slack_locale", sa.String(length=16), nullable=True),
        sa.Column("seen_at", storage.types.UTCDateTime(), nullable=True),
        sa.Column("choice", sa.String(length=8), nullable=True),
        sa.Column("dm_channel_id", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_languages")),
        sa.UniqueConstraint("team_id", "user_id", name=op.f("uq_person_languages_team_id")),
    )
    op.create_index("ix_person_languages_team_dm", "person_languages", ["team_id", "dm_channel_id"])
    op.create_table(
        "channel_languages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("choice", sa.String(length=8), nullable=True),
        sa.Column("owner_id", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_channel_languages")),
        sa.UniqueConstraint("team_id", "channel_id", name=op.f("uq_channel_languages_team_id")),
    )


def downgrade() -> None:
    op.drop_table("channel_languages")
    op.drop_index("ix_person_languages_team_dm", table_name="person_languages")
    op.drop_table("person_languages")
