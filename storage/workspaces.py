"""Workspaces that uninstalled the bot (or revoked its token): their scheduled work is not
picked up until they install it again; their history stays where it is."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, String, delete, insert, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base


class InactiveWorkspace(Base):
    __tablename__ = "inactive_workspaces"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    since: Mapped[datetime]
    reason: Mapped[str] = mapped_column(String(32))


def active(team_id: ColumnElement[str]) -> ColumnElement[bool]:
    """A due-query's condition: the row's workspace has not uninstalled the bot."""
    return team_id.not_in(select(InactiveWorkspace.team_id))


def deactivate(engine: Engine, team_id: str, reason: str, now: datetime) -> None:
    table = InactiveWorkspace.__table__
    with engine.begin() as connection:
        connection.execute(delete(table).where(table.c.team_id == team_id))
        connection.execute(insert(table).values(team_id=team_id, since=now, reason=reason))


def reactivate(engine: Engine, team_id: str) -> None:
    table = InactiveWorkspace.__table__
    with engine.begin() as connection:
        connection.execute(delete(table).where(table.c.team_id == team_id))


def inactive_teams(engine: Engine) -> set[str]:
    with engine.connect() as connection:
        return set(connection.scalars(select(InactiveWorkspace.team_id)))
