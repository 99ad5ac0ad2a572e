"""People as every ceremony sees them beyond their Slack profile: when they are away."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, Index, Integer, String, select
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base
from storage.store_base import SqlStore


class Absence(Base):
    """Days a person is away, for every ceremony of the workspace."""

    __tablename__ = "absences"
    __table_args__ = (Index("ix_absences_team_user", "team_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(32))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    created_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime]


class SqlPeopleStore(SqlStore):
    def absences(self, team_id: str, user_ids: list[str]) -> list[Absence]:
        if not user_ids:
            return []
        return list(
            self.session.scalars(
                select(Absence).where(Absence.team_id == team_id, Absence.user_id.in_(user_ids))
            )
        )

    def add_absence(self, **fields: Any) -> Absence:
        return self._insert(Absence(**fields))
