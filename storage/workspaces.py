"""Workspaces that uninstalled the bot (or revoked its token): their scheduled work is not
picked up until they install it again; their history stays where it is."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ColumnElement, String, Table, delete, insert, select
from sqlalchemy.engine import Engine

from storage.base import Base
from storage.types import UTCDateTime

# A table, not a mapped class: it is no unit of work's business, only the due-queries'.
inactive_workspaces = Table(
    "inactive_workspaces",
    Base.metadata,
    Column("team_id", String(32), primary_key=True),
    Column("since", UTCDateTime(), nullable=False),
    Column("reason", String(32), nullable=False),
)


def active(team_id: ColumnElement[str]) -> ColumnElement[bool]:
    """A due-query's condition: the row's workspace has not uninstalled the bot."""
    return team_id.not_in(select(inactive_workspaces.c.team_id))


def deactivate(engine: Engine, team_id: str, reason: str, now: datetime) -> None:
    table = inactive_workspaces
    with engine.begin() as connection:
        connection.execute(delete(table).where(table.c.team_id == team_id))
        connection.execute(insert(table).values(team_id=team_id, since=now, reason=reason))


def reactivate(engine: Engine, team_id: str) -> None:
    table = inactive_workspaces
    with engine.begin() as connection:
        connection.execute(delete(table).where(table.c.team_id == team_id))


def inactive_teams(engine: Engine) -> set[str]:
    with engine.connect() as connection:
        return set(connection.scalars(select(inactive_workspaces.c.team_id)))
