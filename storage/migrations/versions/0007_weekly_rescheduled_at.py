"""weekly reports: when their day or time last changed

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 17:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("weekly_reports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rescheduled_at", storage.types.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("weekly_reports", schema=None) as batch_op:
        batch_op.drop_column("rescheduled_at")
